// server/loop/executor.h
//
// Executor: the thread pool that runs sync path operations (FastAPI's `def`)
// and offloaded work (`run_in_executor`, `asyncio.to_thread`), so that the
// event loop stays free while they block.
//
// FastAPI sends a `def` endpoint through `run_in_threadpool`, which borrows a
// token from anyio's default CapacityLimiter(40) (starlette/concurrency.py,
// anyio/_backends/_asyncio.py): at most 40 run at once, the rest wait. The
// Executor reproduces that capacity with threads started on demand up to
// `capacity` and kept afterwards, as anyio keeps its idle workers.
//
// Difference from FastAPI: waiting work starts first-in first-out. anyio 3.6
// wakes the newest waiter first (its wait queue is popped with
// OrderedDict.popitem(); anyio issue #538, fixed to FIFO in later anyio).
// LIFO there is an accident, and FIFO is what a caller would expect.
//
// Thread safety: all members are thread-safe. The queue is guarded by a
// sync::Mutex and the idle threads wait on a sync::CondVar (std::mutex and
// std::condition_variable), not absl's, so that ThreadSanitizer sees the
// hand-off of work to its thread (server/sync/mutex.h).
#ifndef COROUTER_SERVER_LOOP_EXECUTOR_H_
#define COROUTER_SERVER_LOOP_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "server/sync/mutex.h"

namespace corouter::loop {

class Executor {
 public:
  using Work = absl::AnyInvocable<void()>;

  /// anyio's default CapacityLimiter total_tokens.
  static constexpr size_t kDefaultCapacity = 40;

  /// At most `capacity` (>= 1) pieces of work run at once.
  explicit Executor(size_t capacity = kDefaultCapacity);

  /// Waits for queued and running work to finish, then joins the threads.
  ~Executor();

  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// Queues `work`; it runs on an executor thread ("executor-<n>") as soon as
  /// fewer than `capacity` pieces run. Work must not throw (exceptions are
  /// the caller's to capture, see Offload).
  void Submit(Work work);

  size_t capacity() const { return capacity_; }

  /// Pieces of work running now.
  size_t running() const;
  /// Pieces of work waiting for a thread now.
  size_t queued() const;
  /// The largest number that ever ran at once.
  size_t max_running() const;

 private:
  void WorkerMain(size_t index);

  const size_t capacity_;
  mutable sync::Mutex mu_;
  sync::CondVar work_or_stop_;  // signalled when queue_ grows or stopping_ is set
  std::deque<Work> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;
  size_t max_running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_EXECUTOR_H_
