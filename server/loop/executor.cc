#include "server/loop/executor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/trace/thread_name.h"

namespace corouter::loop {

Executor::Executor(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

Executor::~Executor() {
  std::vector<std::thread> threads;
  {
    sync::MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  work_or_stop_.SignalAll();
  for (auto& t : threads) t.join();
}

void Executor::Submit(Work work) {
  sync::MutexLock lock(&mu_);
  queue_.push_back(std::move(work));
  work_or_stop_.Signal();
  // Start a thread when the idle ones cannot take all queued work, up to
  // capacity: threads on demand, as anyio starts its workers.
  if (queue_.size() > idle_ && threads_.size() < capacity_) {
    const size_t index = threads_.size();
    threads_.emplace_back([this, index] { WorkerMain(index); });
  }
}

void Executor::WorkerMain(size_t index) {
  trace::SetCurrentThreadName(absl::StrCat("executor-", index));
  sync::MutexLock lock(&mu_);
  while (true) {
    ++idle_;
    while (queue_.empty() && !stopping_) work_or_stop_.Wait(&mu_);
    --idle_;
    if (queue_.empty()) return;  // stopping, and nothing left to do
    Work work = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    max_running_ = std::max(max_running_, running_);
    mu_.Unlock();
    work();
    work = nullptr;  // destroy captures outside the lock too
    mu_.Lock();
    --running_;
  }
}

size_t Executor::running() const {
  sync::MutexLock lock(&mu_);
  return running_;
}

size_t Executor::queued() const {
  sync::MutexLock lock(&mu_);
  return queue_.size();
}

size_t Executor::max_running() const {
  sync::MutexLock lock(&mu_);
  return max_running_;
}

}  // namespace corouter::loop
