#include "server/loop/sleep.h"

#include "absl/time/time.h"

namespace corouter::loop {

bool SleepAwaitable::Suspend(TaskContext* context, std::coroutine_handle<> handle) {
  context_ = context;
  if (context_ != nullptr && context_->cancelled()) return false;  // await_resume throws
  EventLoop* loop =
      context != nullptr && context->loop != nullptr ? context->loop : EventLoop::Current();
  if (context_ != nullptr && context_->trace != nullptr && context_->trace->enabled()) {
    context_->trace->Emit(trace::Step::kAwaitStarted, "sleep(",
                          absl::FormatDuration(absl::FromChrono(duration_)), ")");
  }
  auto resume = [loop, context, handle] { loop->Resume(context, handle); };
  if (duration_ <= std::chrono::nanoseconds::zero()) {
    // asyncio.sleep(0) is a bare yield: back of the ready queue, no timer.
    loop->Schedule(resume);
    return true;
  }
  const EventLoop::TimerId timer = loop->AddTimer(EventLoop::Clock::now() + duration_, resume);
  if (context_ != nullptr) {
    context_->SetWakeOnCancel([loop, timer, resume] {
      if (loop->CancelTimer(timer)) loop->Schedule(resume);
    });
  }
  return true;
}

void SleepAwaitable::await_resume() {
  if (context_ == nullptr) return;
  context_->ClearWakeOnCancel();
  context_->ThrowIfCancelled();
  if (context_->trace != nullptr && context_->trace->enabled()) {
    context_->trace->Emit(trace::Step::kAwaitResumed, "sleep(",
                          absl::FormatDuration(absl::FromChrono(duration_)), ") completed");
  }
}

}  // namespace corouter::loop
