// server/trace/step.h
//
// The execution steps corouter traces: one per row of the seeds' execution
// tables (shared/seeds/000: "Client sends GET /wait", "FastAPI matches path",
// "await asyncio.sleep(2)", "sleep completes", "Return JSON", "sends
// response"). The numeric values equal the wire enum corouter.v1.Step, so the
// gRPC front converts with a cast (checked there with static_asserts).
#ifndef COROUTER_SERVER_TRACE_STEP_H_
#define COROUTER_SERVER_TRACE_STEP_H_

#include <string_view>

namespace corouter::trace {

enum class Step : int {
  kReceived = 1,             // the request arrived on an event loop
  kRouteMatched = 2,         // the router chose a path operation
  kHandlerStarted = 3,       // the path operation function started
  kAwaitStarted = 4,         // the coroutine paused at an await; the loop is free
  kAwaitResumed = 5,         // the awaited operation completed; resumed on the loop
  kOffloadQueued = 6,        // work handed to the executor, waiting for a thread
  kOffloadStarted = 7,       // an executor thread started the work
  kOffloadFinished = 8,      // the executor thread finished it
  kBlockingCall = 9,         // a blocking call holds the thread it runs on
  kHandlerReturned = 10,     // the path operation function returned
  kResponseSent = 11,        // the response was handed to gRPC
  kFailed = 12,              // validation error or unhandled error
  kCancelled = 13,           // client cancel, deadline or shutdown
  kBackgroundStarted = 14,   // a background task started, after RESPONSE_SENT
  kBackgroundFinished = 15,  // a background task finished (or failed: detail)
  kNeverAwaited = 16,        // an awaitable created and dropped (missing await)
  kDependencyStarted = 17,   // a dependency (Depends) started, or its teardown
  kDependencyFinished = 18,  // a dependency returned or yielded, or its teardown ended
};

/// "RECEIVED", "ROUTE_MATCHED"... (the wire name without its STEP_ prefix).
std::string_view StepName(Step step);

}  // namespace corouter::trace

#endif  // COROUTER_SERVER_TRACE_STEP_H_
