// server/sync/mutex.h
//
// Mutex, MutexLock and CondVar: absl::Mutex's interface and thread-safety
// annotations over std::mutex and std::condition_variable.
//
// Why not absl::Mutex: ThreadSanitizer only sees the synchronisation of code
// it instrumented, or of calls it intercepts (pthread_mutex_*,
// pthread_cond_*). Debian's Abseil is not built with -fsanitize=thread, so
// absl::Mutex locks and unlocks with its own atomics and futex calls inside
// libabsl_synchronization.so, where TSan sees nothing: every access guarded by
// an absl::Mutex is reported as a race (the ~5,000 reports of issue 10, part
// 5). std::mutex is pthread_mutex_t, which TSan intercepts, so the code that
// hands work between threads (the event loop's posted queue, the executor, the
// trace hub, the request traces, the route stats) uses these, and
// `COROUTER_SANITIZE=thread` checks what it says it checks. The annotations
// keep clang's -Wthread-safety analysis working as with absl::Mutex.
//
// Thread safety: Mutex and CondVar are thread-safe, as std::mutex and
// std::condition_variable are; a MutexLock belongs to the thread that made it.
#ifndef COROUTER_SERVER_SYNC_MUTEX_H_
#define COROUTER_SERVER_SYNC_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace corouter::sync {

class CondVar;

/// A non-recursive exclusive lock (std::mutex), annotated as a capability.
class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

/// Holds `mu` for its scope, as absl::MutexLock.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

/// A condition variable (std::condition_variable) used with a Mutex.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  /// Releases `mu`, waits for a Signal (or a spurious wake-up: re-check the
  /// condition in a loop), and holds `mu` again when it returns.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's lock, not this scope's
  }

  /// As Wait, but returns at `deadline` at the latest. Returns false if it
  /// returned because the deadline passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, const std::chrono::time_point<Clock, Duration>& deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool signalled = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }

  /// Wakes one waiter, if any.
  void Signal() { cv_.notify_one(); }
  /// Wakes every waiter.
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace corouter::sync

#endif  // COROUTER_SERVER_SYNC_MUTEX_H_
