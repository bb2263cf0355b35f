#include "server/loop/sleep.h"

#include "absl/time/time.h"

namespace corouter::loop {

void SleepAwaitable::Suspend(TaskContext* context, std::coroutine_handle<> handle) {
  context_ = context;
  EventLoop* loop =
      context != nullptr && context->loop != nullptr ? context->loop : EventLoop::Current();
  if (context_ != nullptr && context_->trace != nullptr) {
    context_->trace->Emit(trace::Step::kAwaitStarted, "sleep(",
                          absl::FormatDuration(absl::FromChrono(duration_)), ")");
  }
  if (duration_ <= std::chrono::nanoseconds::zero()) {
    // asyncio.sleep(0) is a bare yield: back of the ready queue, no timer.
    loop->Schedule([handle] { handle.resume(); });
    return;
  }
  loop->AddTimer(EventLoop::Clock::now() + duration_, [handle] { handle.resume(); });
}

void SleepAwaitable::await_resume() {
  if (context_ != nullptr && context_->trace != nullptr) {
    context_->trace->Emit(trace::Step::kAwaitResumed, "sleep(",
                          absl::FormatDuration(absl::FromChrono(duration_)), ") completed");
  }
}

}  // namespace corouter::loop
