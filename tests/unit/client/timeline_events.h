// Hand-built trace events for the timeline tests (trace_timeline_test.cc,
// chrome_trace_test.cc, timeline_picture_test.cc): the shapes real runs of
// corouter-server produce (see docs/tracing.md), at chosen times.
#ifndef COROUTER_TESTS_UNIT_CLIENT_TIMELINE_EVENTS_H_
#define COROUTER_TESTS_UNIT_CLIENT_TIMELINE_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/trace_timeline.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client::testing {

// 2024-01-01T00:00:00Z: every test time is in microseconds after it.
inline const absl::Time kT0 = absl::FromUnixSeconds(1704067200);

inline absl::Time At(double micros) { return kT0 + absl::Nanoseconds(micros * 1000); }

// Builds one request's events: Add(step, micros, detail, thread) appends the
// next event in sequence.
class Events {
 public:
  explicit Events(std::string request_id, std::string label)
      : request_id_(std::move(request_id)), label_(std::move(label)) {}

  Events& Add(corouter::v1::Step step, double micros, std::string detail,
              std::string thread = "loop-0") {
    corouter::v1::TraceEvent event;
    event.set_request_id(request_id_);
    event.set_sequence(events_.size() + 1);
    event.set_step(step);
    event.set_time_unix_nano(static_cast<std::uint64_t>(absl::ToUnixNanos(At(micros))));
    event.set_detail(std::move(detail));
    event.set_thread(std::move(thread));
    event.set_loop(0);
    if (step == corouter::v1::STEP_RESPONSE_SENT) event.mutable_response()->set_status_code(200);
    events_.push_back(std::move(event));
    return *this;
  }

  RequestEvents Build() const { return RequestEvents{label_, events_}; }

 private:
  std::string request_id_;
  std::string label_;
  std::vector<corouter::v1::TraceEvent> events_;
};

// Seed 003 at time scale 0.1, as a real run traced it: B awaits sleep(200ms);
// C blocks the loop 200 ms (announced); B's timer is due during the block,
// so B resumes when it ends; D arrives during the block and is received
// after it.
inline std::vector<RequestEvents> Seed003() {
  namespace v1 = corouter::v1;
  return {
      Events("0-4", "A")
          .Add(v1::STEP_RECEIVED, 207500, "GET /wait")
          .Add(v1::STEP_ROUTE_MATCHED, 207550, "calling async def wait_seconds")
          .Add(v1::STEP_HANDLER_STARTED, 207560, "async def wait_seconds()")
          .Add(v1::STEP_AWAIT_STARTED, 207570, "sleep(200ms)")
          .Add(v1::STEP_AWAIT_RESUMED, 408000, "sleep(200ms) completed")
          .Add(v1::STEP_HANDLER_RETURNED, 408100, "wait_seconds returned 200")
          .Add(v1::STEP_RESPONSE_SENT, 408200, "200 30 bytes")
          .Build(),
      Events("0-1", "B")
          .Add(v1::STEP_RECEIVED, 0, "GET /wait")
          .Add(v1::STEP_ROUTE_MATCHED, 100, "calling async def wait_seconds")
          .Add(v1::STEP_HANDLER_STARTED, 130, "async def wait_seconds()")
          .Add(v1::STEP_AWAIT_STARTED, 150, "sleep(200ms)")
          .Add(v1::STEP_AWAIT_RESUMED, 207000, "sleep(200ms) completed")
          .Add(v1::STEP_HANDLER_RETURNED, 207100, "wait_seconds returned 200")
          .Add(v1::STEP_RESPONSE_SENT, 207200, "200 30 bytes")
          .Build(),
      Events("0-3", "C")
          .Add(v1::STEP_RECEIVED, 6000, "GET /blocking")
          .Add(v1::STEP_ROUTE_MATCHED, 6300, "calling async def blocking_wait")
          .Add(v1::STEP_HANDLER_STARTED, 6400, "async def blocking_wait()")
          .Add(v1::STEP_BLOCKING_CALL, 6500, "blocking call sleep(200ms) holds loop 0")
          .Add(v1::STEP_HANDLER_RETURNED, 206700, "blocking_wait returned 200")
          .Add(v1::STEP_RESPONSE_SENT, 206800, "200 18 bytes")
          .Build(),
      Events("0-5", "D")
          .Add(v1::STEP_RECEIVED, 207300, "GET /fast_task/")
          .Add(v1::STEP_ROUTE_MATCHED, 207330, "calling async def read_root")
          .Add(v1::STEP_HANDLER_STARTED, 207340, "async def read_root()")
          .Add(v1::STEP_HANDLER_RETURNED, 207390, "read_root returned 200")
          .Add(v1::STEP_RESPONSE_SENT, 207420, "200 27 bytes")
          .Build(),
  };
}

// A `def` path operation (GET /sync-wait at time scale 0.1): queued, run on
// executor-0 (blocking it, not the loop), resumed on the loop.
inline RequestEvents SyncWait() {
  namespace v1 = corouter::v1;
  return Events("0-7", "A")
      .Add(v1::STEP_RECEIVED, 0, "GET /sync-wait")
      .Add(v1::STEP_ROUTE_MATCHED, 100, "calling def sync_wait in the executor")
      .Add(v1::STEP_OFFLOAD_QUEUED, 120, "def sync_wait -> executor")
      .Add(v1::STEP_OFFLOAD_STARTED, 500, "def sync_wait (waited 380us)", "executor-0")
      .Add(v1::STEP_HANDLER_STARTED, 530, "def sync_wait()", "executor-0")
      .Add(v1::STEP_BLOCKING_CALL, 540,
           "blocking call sleep(200ms) on executor-0; the loop stays free", "executor-0")
      .Add(v1::STEP_OFFLOAD_FINISHED, 200700, "def sync_wait (ran 200.2ms)", "executor-0")
      .Add(v1::STEP_AWAIT_RESUMED, 201200, "def sync_wait returned, resumed on loop 0")
      .Add(v1::STEP_HANDLER_RETURNED, 201250, "sync_wait returned 200")
      .Add(v1::STEP_RESPONSE_SENT, 201300, "200 18 bytes")
      .Build();
}

}  // namespace corouter::client::testing

#endif  // COROUTER_TESTS_UNIT_CLIENT_TIMELINE_EVENTS_H_
