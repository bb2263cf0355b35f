#include "server/trace/step.h"

namespace corouter::trace {

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kReceived:
      return "RECEIVED";
    case Step::kRouteMatched:
      return "ROUTE_MATCHED";
    case Step::kHandlerStarted:
      return "HANDLER_STARTED";
    case Step::kAwaitStarted:
      return "AWAIT_STARTED";
    case Step::kAwaitResumed:
      return "AWAIT_RESUMED";
    case Step::kOffloadQueued:
      return "OFFLOAD_QUEUED";
    case Step::kOffloadStarted:
      return "OFFLOAD_STARTED";
    case Step::kOffloadFinished:
      return "OFFLOAD_FINISHED";
    case Step::kBlockingCall:
      return "BLOCKING_CALL";
    case Step::kHandlerReturned:
      return "HANDLER_RETURNED";
    case Step::kResponseSent:
      return "RESPONSE_SENT";
    case Step::kFailed:
      return "FAILED";
    case Step::kCancelled:
      return "CANCELLED";
    case Step::kBackgroundStarted:
      return "BACKGROUND_STARTED";
    case Step::kBackgroundFinished:
      return "BACKGROUND_FINISHED";
    case Step::kNeverAwaited:
      return "NEVER_AWAITED";
    case Step::kDependencyStarted:
      return "DEPENDENCY_STARTED";
    case Step::kDependencyFinished:
      return "DEPENDENCY_FINISHED";
  }
  return "UNSPECIFIED";
}

}  // namespace corouter::trace
