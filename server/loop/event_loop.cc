#include "server/loop/event_loop.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpc/support/time.h"
#include "server/loop/task_context.h"
#include "server/trace/thread_name.h"

namespace corouter::loop {
namespace {
thread_local EventLoop* current_loop = nullptr;
}  // namespace

EventLoop::EventLoop(grpc::CompletionQueue* cq, uint32_t index) : cq_(cq), index_(index) {}

EventLoop::~EventLoop() = default;

template <typename Fn>
void EventLoop::RunSlice(Fn&& fn) {
  slice_start_ = Clock::now();
  slice_context_ = nullptr;
  slice_reported_ = false;
  fn();
  const auto took = Clock::now() - slice_start_;
  const int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
  busy_nanos_.fetch_add(nanos, std::memory_order_relaxed);
  slices_.fetch_add(1, std::memory_order_relaxed);
  if (nanos > longest_slice_nanos_.load(std::memory_order_relaxed)) {
    longest_slice_nanos_.store(nanos, std::memory_order_relaxed);
  }
  if (took > slow_threshold_) slow_slices_.fetch_add(1, std::memory_order_relaxed);
  slice_context_ = nullptr;
}

EventLoop* EventLoop::Current() { return current_loop; }

void EventLoop::Run() {
  thread_id_.store(std::this_thread::get_id());
  current_loop = this;
  trace::SetCurrentThreadName(absl::StrCat("loop-", index_));
  trace::SetThreadEmitHook(this);
  run_start_.store(Clock::now());
  while (true) {
    RunScheduled();
    FireDueTimers();
    RunScheduled();
    gpr_timespec deadline;
    if (!scheduled_.empty()) {
      // Poll: more work is ready. Not gpr_now(): gRPC 1.51 rounds a deadline
      // up to the next millisecond, so "now" would wait up to 1 ms.
      deadline = gpr_inf_past(GPR_CLOCK_MONOTONIC);
    } else if (timers_.empty()) {
      deadline = gpr_inf_future(GPR_CLOCK_MONOTONIC);
    } else {
      const auto wait = std::max(NextWake() - Clock::now(), Clock::duration::zero());
      deadline = gpr_time_add(
          gpr_now(GPR_CLOCK_MONOTONIC),
          gpr_time_from_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count(),
                              GPR_TIMESPAN));
    }
    void* tag = nullptr;
    bool ok = false;
    const auto status = cq_->AsyncNext(&tag, &ok, deadline);
    if (status == grpc::CompletionQueue::SHUTDOWN) break;
    if (status == grpc::CompletionQueue::GOT_EVENT) {
      RunSlice([tag, ok] { Operation::Complete(tag, ok); });
    }
  }
  trace::SetThreadEmitHook(nullptr);
  current_loop = nullptr;
}

void EventLoop::Shutdown() {
  sync::MutexLock lock(&mu_);
  if (shut_down_) return;
  shut_down_ = true;
  // Under the lock, so no Post() can arm the doorbell on a shut-down queue.
  cq_->Shutdown();
}

void EventLoop::Post(Callback fn) {
  sync::MutexLock lock(&mu_);
  if (shut_down_) return;
  if (current_loop == this) {
    // FIFO with what other threads posted before: take that first. The
    // doorbell, if armed, then finds nothing, which OnDoorbell allows.
    if (!posted_.empty()) {
      if (scheduled_.size() == round_) scheduled_since_ = posted_since_;
      for (auto& posted : posted_) scheduled_.push_back(std::move(posted));
      posted_.clear();
    }
    Schedule(std::move(fn));
    return;
  }
  posted_.push_back(std::move(fn));
  if (!doorbell_armed_) {
    doorbell_armed_ = true;
    posted_since_ = Clock::now();
    // An alarm whose deadline has passed completes at once: it only wakes
    // AsyncNext. inf_past, not now(): gRPC rounds deadlines up to the next
    // millisecond, which made every cross-thread wake cost ~1 ms
    // (BENCHMARKS.md, profile finding 5).
    doorbell_.Set(cq_, gpr_inf_past(GPR_CLOCK_MONOTONIC), doorbell_op_.tag());
  }
}

void EventLoop::OnDoorbell(bool /*ok*/) {
  std::vector<Callback> batch;
  Clock::time_point since;
  {
    sync::MutexLock lock(&mu_);
    batch.swap(posted_);
    doorbell_armed_ = false;
    since = posted_since_;
  }
  if (scheduled_.size() == round_ && !batch.empty()) scheduled_since_ = since;
  for (auto& fn : batch) scheduled_.push_back(std::move(fn));
}

void EventLoop::Schedule(Callback fn) {
  // The first item after the current round: its wait is this round's lag.
  if (scheduled_.size() == round_) scheduled_since_ = Clock::now();
  scheduled_.push_back(std::move(fn));
}

void EventLoop::RunScheduled() {
  // Only what is scheduled now: work scheduled by this work runs next round,
  // after gRPC events and timers had their turn.
  round_ = scheduled_.size();
  if (round_ == 0) return;
  const Clock::time_point since = scheduled_since_;
  bool first = true;
  while (round_ > 0) {
    Callback fn = std::move(scheduled_.front());
    scheduled_.pop_front();
    --round_;
    RunSlice(fn);
    if (first) {
      first = false;
      RecordLag(slice_start_ - since);
    }
  }
}

void EventLoop::RecordLag(Clock::duration lag) {
  sync::MutexLock lock(&lag_mu_);
  lag_.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(lag));
}

EventLoop::TimerId EventLoop::AddTimer(Clock::time_point deadline, Callback fn) {
  const TimerId id = next_timer_id_++;
  timers_.push_back(Timer{deadline, id, std::move(fn)});
  pending_.insert(id);
  std::push_heap(timers_.begin(), timers_.end(), Later{});
  return id;
}

bool EventLoop::CancelTimer(TimerId id) {
  // The heap entry stays until it reaches the top and is discarded there.
  return pending_.erase(id) > 0;
}

void EventLoop::Resume(TaskContext* context, std::coroutine_handle<> handle) {
  slice_context_ = context;
  handle.resume();
}

void EventLoop::BeforeEmit(trace::RequestTrace& trace, trace::Step step) {
  if (slice_reported_ || slice_context_ == nullptr || slice_context_->trace != &trace) return;
  if (step == trace::Step::kBlockingCall) {
    slice_reported_ = true;  // the handler announced its blocking call itself
    return;
  }
  const auto held = Clock::now() - slice_start_;
  if (held <= slow_threshold_) return;
  slice_reported_ = true;
  trace.Emit(trace::Step::kBlockingCall, "loop ", index_, " held for ",
             absl::FormatDuration(absl::FromChrono(held)), " without an await (over the ",
             absl::FormatDuration(absl::FromChrono(slow_threshold_)), " slow-callback threshold)");
}

LoopStats EventLoop::stats() const {
  LoopStats out;
  out.busy = std::chrono::nanoseconds(busy_nanos_.load(std::memory_order_relaxed));
  const auto start = run_start_.load();
  out.running = start == Clock::time_point{}
                    ? std::chrono::nanoseconds(0)
                    : std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
  out.longest_slice =
      std::chrono::nanoseconds(longest_slice_nanos_.load(std::memory_order_relaxed));
  out.slices = slices_.load(std::memory_order_relaxed);
  out.slow_slices = slow_slices_.load(std::memory_order_relaxed);
  sync::MutexLock lock(&lag_mu_);
  out.lag = lag_;
  return out;
}

EventLoop::Clock::time_point EventLoop::NextWake() const { return timers_.front().deadline; }

void EventLoop::FireDueTimers() {
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.front().deadline <= now) {
    std::pop_heap(timers_.begin(), timers_.end(), Later{});
    Timer timer = std::move(timers_.back());
    timers_.pop_back();
    if (pending_.erase(timer.id) == 0) continue;  // cancelled
    RunSlice(timer.fn);
    RecordLag(slice_start_ - timer.deadline);
  }
}

}  // namespace corouter::loop
