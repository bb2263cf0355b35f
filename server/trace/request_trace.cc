#include "server/trace/request_trace.h"

#include "server/trace/emit_hook.h"
#include "server/trace/thread_name.h"

namespace corouter::trace {

void RequestTrace::Deliver(Step step, std::string detail, std::optional<RouteData> route) {
  if (EmitHook* hook = ThreadEmitHook()) hook->BeforeEmit(*this, step);
  TraceEvent event;
  event.step = step;
  event.time = std::chrono::system_clock::now();
  event.elapsed = std::chrono::steady_clock::now() - received_;
  event.loop = loop_;
  event.thread = CurrentThreadName();
  event.detail = std::move(detail);
  event.route = std::move(route);
  sync::MutexLock lock(&mu_);
  event.sequence = ++sequence_;
  if (observer_ != nullptr) observer_->OnEvent(event);
  sink_->OnEvent(std::move(event));
}

}  // namespace corouter::trace
