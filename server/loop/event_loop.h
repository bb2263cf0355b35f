// server/loop/event_loop.h
//
// EventLoop: one thread, one gRPC completion queue, one timer heap. The loop
// thread calls `CompletionQueue::AsyncNext` with the earliest timer as its
// deadline, so gRPC events (calls arriving, writes done), timers and work
// posted from other threads are all handled on this one thread, the way
// asyncio's loop runs every coroutine on MainThread (shared/design/
// architecture.md, decisions 1 and 2).
//
//  - Timers (`AddTimer`) live in a min-heap owned by the loop; `Sleep` uses
//    them, so a sleep costs no gRPC Alarm.
//  - Work from other threads (`Post`) goes into a mutex-guarded queue; one
//    reused immediate `grpc::Alarm`, the doorbell, wakes AsyncNext. A Post
//    made on the loop thread itself needs no wake-up and no gRPC round trip:
//    it drains what other threads posted, then schedules locally.
//  - Work from the loop thread itself (`Schedule`) goes into a local FIFO.
//
// Slices and blocking detection. Every callback the loop runs (a gRPC
// completion, a timer, scheduled or posted work) is one slice: the time until
// it returns to the loop. A coroutine resumed through Resume() attributes the
// slice to its request. A slice longer than the slow-callback threshold
// (default 100 ms, asyncio's `loop.slow_callback_duration` in debug mode) held
// the loop: every other request waited. It is counted in stats(), and the
// request that held the loop gets a BLOCKING_CALL trace event at its next
// step (unless the handler already announced the blocking call itself, as
// RequestContext::BlockingSleep does), whatever the handler did to block:
// `std::this_thread::sleep_for` is caught like `time.sleep` in asyncio.
//
// Lifecycle: construct, call Run() on the thread that will own the loop; from
// another thread call Shutdown() after the gRPC server's Shutdown() returned;
// Run() returns once the completion queue is drained.
//
// Thread safety: Post(), Shutdown(), index() and IsInLoopThread() are
// thread-safe. Everything else must be called on the loop thread. The
// cross-thread state is guarded by a sync::Mutex (std::mutex), not an
// absl::Mutex, so that ThreadSanitizer sees the hand-off (server/sync/mutex.h);
// the doorbell's tag carries a TSan happens-before edge (loop/operation.h).
#ifndef COROUTER_SERVER_LOOP_EVENT_LOOP_H_
#define COROUTER_SERVER_LOOP_EVENT_LOOP_H_

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "grpcpp/alarm.h"
#include "grpcpp/completion_queue.h"
#include "server/loop/operation.h"
#include "server/stats/bucket_histogram.h"
#include "server/sync/mutex.h"
#include "server/trace/emit_hook.h"

namespace corouter::loop {

struct TaskContext;

/// Counters of one loop; a consistent-enough snapshot read from any thread.
struct LoopStats {
  /// Time spent running slices (not waiting in AsyncNext).
  std::chrono::nanoseconds busy{0};
  /// Time since Run() started.
  std::chrono::nanoseconds running{0};
  /// The longest slice so far.
  std::chrono::nanoseconds longest_slice{0};
  uint64_t slices = 0;
  /// Slices over the slow-callback threshold.
  uint64_t slow_slices = 0;
  /// Loop lag: how late ready work ran. One sample per due timer (its
  /// deadline to the start of its slice) and per round of scheduled work
  /// (when the round's first item became ready, by Schedule or by Post, to
  /// the start of its slice): what Node's monitorEventLoopDelay measures, and
  /// what a blocking call drives up for every request waiting behind it.
  stats::BucketHistogram lag{stats::LoopLagBounds()};
};

class EventLoop final : public trace::EmitHook {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = absl::AnyInvocable<void()>;
  using TimerId = uint64_t;

  /// `cq` must outlive the loop; the loop does not own it. `index` names the
  /// loop in traces ("loop 0").
  EventLoop(grpc::CompletionQueue* cq, uint32_t index);
  ~EventLoop();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Runs the loop on the calling thread until Shutdown() and the completion
  /// queue is drained. Names the thread "loop-<index>".
  void Run();

  /// Shuts the completion queue down (thread-safe, idempotent). Work posted
  /// afterwards is dropped. Call after grpc::Server::Shutdown returned.
  void Shutdown();

  /// Runs `fn` on the loop thread, after the work already posted (FIFO).
  /// Thread-safe; a no-op after Shutdown(). On the loop thread it rings no
  /// doorbell: a wake-up that only this thread's next AsyncNext could pick up
  /// is one more thing that can come late (the live trace feed posts its
  /// wake-ups from the loop that emitted the event).
  void Post(Callback fn);

  /// Loop thread only: runs `fn` on this loop soon, after already scheduled
  /// work, without a trip through the completion queue.
  void Schedule(Callback fn);

  /// Loop thread only: runs `fn` on the loop once `deadline` has passed.
  /// Timers with equal deadlines fire in the order they were added.
  TimerId AddTimer(Clock::time_point deadline, Callback fn);

  /// Loop thread only: a timer that has not fired will not fire. Returns
  /// whether it was still pending.
  bool CancelTimer(TimerId id);

  /// Loop thread only: resumes `handle`, the coroutine of `context`'s
  /// request, attributing the current slice to that request.
  void Resume(TaskContext* context, std::coroutine_handle<> handle);

  /// Loop thread only: attributes the current slice to `context`'s request
  /// (Spawn does this for a request's first slice).
  void AttributeSlice(TaskContext* context) { slice_context_ = context; }

  /// A slice longer than this held the loop. Set before Run().
  void set_slow_callback_threshold(Clock::duration threshold) { slow_threshold_ = threshold; }
  Clock::duration slow_callback_threshold() const { return slow_threshold_; }

  /// Thread-safe.
  LoopStats stats() const;

  /// Index given at construction.
  uint32_t index() const { return index_; }

  /// The completion queue this loop drives.
  grpc::CompletionQueue* cq() const { return cq_; }

  /// True on the thread running Run().
  bool IsInLoopThread() const { return std::this_thread::get_id() == thread_id_.load(); }

  /// The loop running on the calling thread, or nullptr.
  static EventLoop* Current();

  /// Number of timers pending (loop thread only; for tests and stats).
  size_t pending_timers() const { return pending_.size(); }

 private:
  struct Timer {
    Clock::time_point deadline;
    TimerId id;  // also the tie-breaker: earlier ids fire first
    Callback fn;
  };
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.deadline != b.deadline ? a.deadline > b.deadline : a.id > b.id;
    }
  };

  void OnDoorbell(bool ok);
  template <typename Fn>
  void RunSlice(Fn&& fn);
  void BeforeEmit(trace::RequestTrace& trace, trace::Step step) override;
  void RunScheduled();
  void RecordLag(Clock::duration lag);
  void FireDueTimers();
  Clock::time_point NextWake() const;

  grpc::CompletionQueue* const cq_;
  const uint32_t index_;
  std::atomic<std::thread::id> thread_id_{};

  // Loop-thread state.
  std::vector<Timer> timers_;             // a heap under Later
  absl::flat_hash_set<TimerId> pending_;  // ids in timers_ not cancelled
  TimerId next_timer_id_ = 1;
  std::deque<Callback> scheduled_;
  // Items of the current RunScheduled round still queued (0 outside it), and
  // when the first item after them became ready.
  size_t round_ = 0;
  Clock::time_point scheduled_since_;
  Clock::duration slow_threshold_ = std::chrono::milliseconds(100);
  Clock::time_point slice_start_;
  TaskContext* slice_context_ = nullptr;
  bool slice_reported_ = false;

  // Stats, written by the loop thread, read by any.
  std::atomic<Clock::time_point> run_start_{};
  std::atomic<int64_t> busy_nanos_{0};
  std::atomic<int64_t> longest_slice_nanos_{0};
  std::atomic<uint64_t> slices_{0};
  std::atomic<uint64_t> slow_slices_{0};
  mutable sync::Mutex lag_mu_;
  stats::BucketHistogram lag_ ABSL_GUARDED_BY(lag_mu_){stats::LoopLagBounds()};

  // Cross-thread state.
  sync::Mutex mu_;
  std::vector<Callback> posted_ ABSL_GUARDED_BY(mu_);
  bool doorbell_armed_ ABSL_GUARDED_BY(mu_) = false;
  Clock::time_point posted_since_ ABSL_GUARDED_BY(mu_);  // when the doorbell was armed
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Alarm doorbell_;
  MemberOperation<EventLoop, &EventLoop::OnDoorbell> doorbell_op_{this};
};

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_EVENT_LOOP_H_
