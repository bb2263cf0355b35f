// server/trace/thread_name.h
//
// A short name for the current thread ("loop-0", "executor-3"), recorded in
// every trace event so a reader sees where each step ran: on the event loop
// or on an executor thread, as the seeds distinguish MainThread from "AnyIO
// worker thread".
//
// Thread safety: each thread reads and writes only its own name.
#ifndef COROUTER_SERVER_TRACE_THREAD_NAME_H_
#define COROUTER_SERVER_TRACE_THREAD_NAME_H_

#include <string>

namespace corouter::trace {

/// Names the calling thread. Call once, first thing on a new thread.
void SetCurrentThreadName(std::string name);

/// The calling thread's name, or "thread" when it was never named.
const std::string& CurrentThreadName();

}  // namespace corouter::trace

#endif  // COROUTER_SERVER_TRACE_THREAD_NAME_H_
