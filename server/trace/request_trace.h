// server/trace/request_trace.h
//
// RequestTrace numbers, timestamps and delivers the trace events of one
// request. Every step is emitted through RequestTrace::Emit, so "where is
// AWAIT_STARTED emitted" has one answer per awaitable, and an untraced request
// (rpc Execute) pays one branch per step: the detail text is only formatted
// when a sink is attached.
//
// Thread safety: Emit is thread-safe (a mutex orders the sequence numbers and
// the sink calls: a sync::Mutex, std::mutex, so that ThreadSanitizer sees it,
// server/sync/mutex.h); the other members are set before the request runs.
#ifndef COROUTER_SERVER_TRACE_REQUEST_TRACE_H_
#define COROUTER_SERVER_TRACE_REQUEST_TRACE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "server/sync/mutex.h"
#include "server/trace/trace_event.h"

namespace corouter::trace {

class RequestTrace {
 public:
  /// `sink` may be null (tracing off); it must outlive this object.
  /// `received` is the monotonic time of RECEIVED, the origin of `elapsed`.
  RequestTrace(uint32_t loop, TraceSink* sink,
               std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now())
      : RequestTrace(loop, sink, nullptr, received) {}

  /// With a second sink, `observer` (may be null), which also receives
  /// every event: the server-wide trace feed (watch/trace_hub.h)
  /// observes requests whose caller also streams their trace.
  RequestTrace(uint32_t loop, TraceSink* sink, TraceSink* observer,
               std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now())
      : loop_(loop),
        sink_(sink != nullptr ? sink : observer),
        observer_(sink != nullptr ? observer : nullptr),
        received_(received) {}

  RequestTrace(const RequestTrace&) = delete;
  RequestTrace& operator=(const RequestTrace&) = delete;

  /// True when events are delivered anywhere.
  bool enabled() const { return sink_ != nullptr; }
  uint32_t loop() const { return loop_; }
  std::chrono::steady_clock::time_point received() const { return received_; }

  /// Emits `step` with the concatenation of `detail_parts` (absl::StrCat
  /// arguments) as its detail; formats nothing when tracing is off.
  template <typename... Parts>
  void Emit(Step step, const Parts&... detail_parts) {
    if (sink_ == nullptr) return;
    Deliver(step, absl::StrCat(detail_parts...));
  }

  /// Emits ROUTE_MATCHED naming `route`.
  template <typename... Parts>
  void EmitRouteMatched(const RouteData& route, const Parts&... detail_parts) {
    if (sink_ == nullptr) return;
    Deliver(Step::kRouteMatched, absl::StrCat(detail_parts...), route);
  }

 private:
  void Deliver(Step step, std::string detail, std::optional<RouteData> route = std::nullopt);

  const uint32_t loop_;
  TraceSink* const sink_;      // null: tracing off
  TraceSink* const observer_;  // null unless sink_ is set too
  const std::chrono::steady_clock::time_point received_;
  sync::Mutex mu_;
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace corouter::trace

#endif  // COROUTER_SERVER_TRACE_REQUEST_TRACE_H_
