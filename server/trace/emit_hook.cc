#include "server/trace/emit_hook.h"

namespace corouter::trace {
namespace {
thread_local EmitHook* thread_emit_hook = nullptr;
}  // namespace

void SetThreadEmitHook(EmitHook* hook) { thread_emit_hook = hook; }
EmitHook* ThreadEmitHook() { return thread_emit_hook; }

}  // namespace corouter::trace
