// server/trace/trace_event.h
//
// One execution step of one request, as a row of the seeds' execution tables,
// and the interface that receives them (a TraceSink). The trace room depends
// on no other room: the route and the response that the wire event carries on
// ROUTE_MATCHED is described by the trace's own RouteData (so this room needs
// no other), and the response on RESPONSE_SENT is attached by the sink's
// owner, the call that sends it.
#ifndef COROUTER_SERVER_TRACE_TRACE_EVENT_H_
#define COROUTER_SERVER_TRACE_TRACE_EVENT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/trace/step.h"

namespace corouter::trace {

/// The route a ROUTE_MATCHED event names.
struct RouteData {
  std::string path_template;                                     // "/slow_task/{item_id}"
  std::string endpoint;                                          // "read_item"
  std::vector<std::pair<std::string, std::string>> path_params;  // {"item_id", "1"}
};

struct TraceEvent {
  /// 1, 2, 3... per request, in emission order.
  uint64_t sequence = 0;
  Step step = Step::kReceived;
  /// Wall-clock time of the step.
  std::chrono::system_clock::time_point time;
  /// Monotonic time since the request's RECEIVED step.
  std::chrono::nanoseconds elapsed{0};
  /// Index of the event loop that owns the request.
  uint32_t loop = 0;
  /// The thread the step ran on ("loop-0", "executor-2").
  std::string thread;
  /// Human text: "GET /wait", "sleep(2s)", "blocking call sleep(2s) holds loop 0".
  std::string detail;
  /// Set on ROUTE_MATCHED.
  std::optional<RouteData> route;
};

/// Receives the trace events of one request.
///
/// Thread safety: OnEvent may be called from any thread (executor threads emit
/// OFFLOAD_STARTED), but never concurrently for one request: RequestTrace
/// serialises emission.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void OnEvent(TraceEvent event) = 0;
};

}  // namespace corouter::trace

#endif  // COROUTER_SERVER_TRACE_TRACE_EVENT_H_
