// tests/unit/loop/loop_thread.h
//
// LoopThread: an EventLoop running on its own thread over a plain
// grpc::CompletionQueue, for tests. RunAndWait runs a function on the loop
// and waits for it, with a deadline.
#ifndef COROUTER_TESTS_UNIT_LOOP_LOOP_THREAD_H_
#define COROUTER_TESTS_UNIT_LOOP_LOOP_THREAD_H_

#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <utility>

#include "grpcpp/completion_queue.h"
#include "gtest/gtest.h"
#include "server/loop/event_loop.h"

namespace corouter::loop {

class LoopThread {
 public:
  LoopThread() : loop_(&cq_, 0), thread_([this] { loop_.Run(); }) {}
  ~LoopThread() {
    loop_.Shutdown();
    thread_.join();
  }

  EventLoop& loop() { return loop_; }

  /// Runs `fn` on the loop thread; false if it did not run within `deadline`.
  template <typename Fn>
  bool RunAndWait(Fn fn, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> future = done->get_future();
    loop_.Post([fn = std::move(fn), done]() mutable {
      fn();
      done->set_value();
    });
    return future.wait_for(deadline) == std::future_status::ready;
  }

 private:
  grpc::CompletionQueue cq_;
  EventLoop loop_;
  std::thread thread_;
};

/// Waits for `future` up to `deadline` (default 10 s); fails the test if late.
template <typename T>
T GetWithin(std::future<T>& future, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  if (future.wait_for(deadline) != std::future_status::ready) {
    ADD_FAILURE() << "timed out after " << deadline.count() << "ms";
    std::abort();  // nothing sane to return; the test cannot go on
  }
  return future.get();
}

}  // namespace corouter::loop

#endif  // COROUTER_TESTS_UNIT_LOOP_LOOP_THREAD_H_
