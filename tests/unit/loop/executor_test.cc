// Executor: capacity (anyio's CapacityLimiter), FIFO start order, threads on
// demand; Offload: resumes on the loop with the result or the exception.
#include "server/loop/executor.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/loop/offload.h"
#include "server/loop/spawn.h"
#include "server/loop/task.h"
#include "tests/unit/loop/loop_thread.h"

namespace corouter::loop {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

TEST(Executor, RunsAtMostItsCapacityAtOnceInArrivalOrder) {
  // Seed 003's sync sleeps with capacity 2: 5 sleeps run 2 at a time, and
  // they start in the order they were submitted (FIFO, unlike anyio 3.6).
  // Each sleeps 30 ms longer than the one before, so the moments a thread
  // frees up (and takes the next) are 30 ms apart: the order in which the
  // work records its start is the order it was taken. (With equal sleeps two
  // threads took 2 and 3 at once and recorded them either way round: a
  // loaded CI run saw 0, 1, 3, 2, 4.) Work 0 is running before the rest is
  // submitted, for the same reason.
  Executor executor(2);
  std::mutex mu;  // std, not absl: ThreadSanitizer sees it (server/sync/mutex.h)
  std::vector<int> started;
  std::atomic<int> running = 0, peak = 0;
  std::atomic<int> finished = 0;
  std::promise<void> all_done;
  std::promise<void> first_started;
  auto work = [&](int i) {
    return [&, i] {
      {
        std::lock_guard<std::mutex> lock(mu);
        started.push_back(i);
      }
      if (i == 0) first_started.set_value();
      const int now = ++running;
      int prev = peak.load();
      while (now > prev && !peak.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(milliseconds(20 + 30 * i));
      --running;
      if (++finished == 5) all_done.set_value();
    };
  };
  executor.Submit(work(0));
  auto first = first_started.get_future();
  GetWithin(first);
  for (int i = 1; i < 5; ++i) executor.Submit(work(i));
  auto future = all_done.get_future();
  GetWithin(future);
  EXPECT_EQ(peak.load(), 2);
  EXPECT_EQ(executor.max_running(), 2u);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_THAT(started, ElementsAre(0, 1, 2, 3, 4));
}

TEST(Executor, FillsItsCapacityWhenWorkArrivesInABurst) {
  Executor executor(4);
  std::atomic<int> arrived = 0;
  std::promise<void> four_running;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  for (int i = 0; i < 4; ++i) {
    executor.Submit([&, released] {
      if (++arrived == 4) four_running.set_value();
      released.wait();
    });
  }
  auto future = four_running.get_future();
  GetWithin(future);  // deadlocks (and fails) if fewer than 4 threads start
  EXPECT_EQ(executor.running(), 4u);
  release.set_value();
}

TEST(Offload, ResumesOnTheLoopWithTheResult) {
  LoopThread lt;
  Executor executor(2);
  TaskContext context{&lt.loop(), &executor, nullptr};
  std::promise<std::pair<std::string, bool>> result;
  auto task = [&]() -> Task<void> {
    std::string value = co_await Offload("work", [] { return std::string("done"); });
    result.set_value({value, lt.loop().IsInLoopThread()});
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, task()); }));
  auto future = result.get_future();
  auto [value, on_loop] = GetWithin(future);
  EXPECT_EQ(value, "done");
  EXPECT_TRUE(on_loop);
}

TEST(Offload, RethrowsTheWorkersExceptionOnTheLoop) {
  LoopThread lt;
  Executor executor(1);
  TaskContext context{&lt.loop(), &executor, nullptr};
  std::promise<std::string> caught;
  auto task = [&]() -> Task<void> {
    try {
      co_await Offload("failing", []() -> int { throw std::runtime_error("worker failed"); });
      caught.set_value("nothing");
    } catch (const std::runtime_error& e) {
      caught.set_value(e.what());
    }
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, task()); }));
  auto future = caught.get_future();
  EXPECT_EQ(GetWithin(future), "worker failed");
}

// offload.h's rule for GCC 12: a callable that owns something (here a
// shared_ptr) goes to Offload as a local, and is then destroyed exactly once.
TEST(Offload, ACallableOwningStateIsDestroyedOnceWhenPassedAsALocal) {
  LoopThread lt;
  Executor executor(1);
  TaskContext context{&lt.loop(), &executor, nullptr};
  auto owned = std::make_shared<int>(7);
  std::promise<int> result;
  auto task = [&]() -> Task<void> {
    auto read = [owned] { return *owned; };
    const int value = co_await Offload("read", std::move(read));
    result.set_value(value);
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, task()); }));
  auto future = result.get_future();
  EXPECT_EQ(GetWithin(future), 7);
  ASSERT_TRUE(lt.RunAndWait([] {}));  // the task's frame is gone
  EXPECT_EQ(owned.use_count(), 1);    // every copy released, none twice
}

}  // namespace
}  // namespace corouter::loop
