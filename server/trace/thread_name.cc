#include "server/trace/thread_name.h"

#include <utility>

namespace corouter::trace {
namespace {
thread_local std::string current_thread_name = "thread";
}  // namespace

void SetCurrentThreadName(std::string name) { current_thread_name = std::move(name); }

const std::string& CurrentThreadName() { return current_thread_name; }

}  // namespace corouter::trace
