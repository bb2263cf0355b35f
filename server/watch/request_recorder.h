// server/watch/request_recorder.h
//
// RequestRecorder: the TraceSink through which one request's events reach
// the TraceHub (given to its RequestTrace as the observer). It holds what the
// hub's filters need to know of the request (method, route, outcome) and its
// events so far, so that a subscriber that starts mid-request, or whose
// filter waits for the route, still gets the request whole.
//
// The request ends at its RESPONSE_SENT or CANCELLED event; a recorder
// destroyed before either (a request refused after RECEIVED) ends it then.
//
// Thread safety: OnEvent is called by RequestTrace, serialised per request,
// from any thread; the state is guarded by the hub's mutex. Construct and
// destroy on one thread, with no OnEvent running.
#ifndef COROUTER_SERVER_WATCH_REQUEST_RECORDER_H_
#define COROUTER_SERVER_WATCH_REQUEST_RECORDER_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/trace/trace_event.h"
#include "server/watch/trace_hub.h"

namespace corouter::watch {

class RequestRecorder final : public trace::TraceSink {
 public:
  /// Registers with `hub`, which must outlive this object.
  RequestRecorder(TraceHub& hub, std::string request_id, RequestInfo info);
  ~RequestRecorder() override;
  RequestRecorder(const RequestRecorder&) = delete;
  RequestRecorder& operator=(const RequestRecorder&) = delete;

  /// The response the coming RESPONSE_SENT event announces.
  void set_response(ResponseHead response) { response_ = std::move(response); }

  /// The trace goes on after RESPONSE_SENT (background tasks): RESPONSE_SENT
  /// does not end it; Finish() does. Call before RESPONSE_SENT is emitted.
  void ContinueAfterResponse() { continues_ = true; }

  /// Ends the request's trace now (after its background tasks): it becomes
  /// a completed trace for history, COMPLETED subscribers and exporters.
  /// Idempotent; the destructor calls it too.
  void Finish();

  void OnEvent(trace::TraceEvent event) override;

 private:
  friend class TraceHub;

  /// The request's events are made kBlockEvents at a time, in one
  /// allocation per block rather than one each: each published EventPtr
  /// shares its block's ownership (shared_ptr's aliasing constructor), so a
  /// block lives as long as any of its events is held (by the history, a
  /// subscriber's queue or an exporter). Four was measured to keep a
  /// request's memory where one allocation per event had it (run_e2e.sh's
  /// wait_10k, RSS per in-flight call at its peak: 20.0 KB either way;
  /// blocks of three held 0.5 KB more than four in a build with a protobuf
  /// arena, since removed, glibc's size classes deciding), while
  /// /fast_task/'s five events take two allocations instead of five
  /// (BENCHMARKS.md, "Issue 15 on an idle machine").
  static constexpr size_t kBlockEvents = 4;
  struct EventBlock {
    std::array<std::optional<WatchEvent>, kBlockEvents> events;
  };

  TraceHub& hub_;
  const std::string request_id_;
  // OnEvent's (serialised by RequestTrace):
  std::shared_ptr<EventBlock> block_;  // null until the first event
  size_t block_used_ = kBlockEvents;
  std::optional<ResponseHead> response_;  // loop thread, before RESPONSE_SENT
  // The hub's, under its mutex:
  TraceSummary summary_;
  std::vector<EventPtr> events_;
  bool ended_ = false;
  bool continues_ = false;  // loop thread, before RESPONSE_SENT
};

}  // namespace corouter::watch

#endif  // COROUTER_SERVER_WATCH_REQUEST_RECORDER_H_
