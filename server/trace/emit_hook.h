// server/trace/emit_hook.h
//
// A per-thread hook called just before a trace event is delivered on that
// thread. The event loop installs one on its thread to notice, at the next
// step a request emits, that the slice of work running now has held the loop
// past the slow-callback threshold (see loop/event_loop.h), so a
// BLOCKING_CALL event can be emitted in its place in the step order.
//
// Thread safety: each thread reads and writes only its own hook.
#ifndef COROUTER_SERVER_TRACE_EMIT_HOOK_H_
#define COROUTER_SERVER_TRACE_EMIT_HOOK_H_

#include "server/trace/step.h"

namespace corouter::trace {

class RequestTrace;

class EmitHook {
 public:
  virtual ~EmitHook() = default;
  /// Called before `trace` delivers an event of `step` on this thread.
  virtual void BeforeEmit(RequestTrace& trace, Step step) = 0;
};

/// Installs `hook` (may be null) for the calling thread.
void SetThreadEmitHook(EmitHook* hook);
/// The calling thread's hook, or null.
EmitHook* ThreadEmitHook();

}  // namespace corouter::trace

#endif  // COROUTER_SERVER_TRACE_EMIT_HOOK_H_
