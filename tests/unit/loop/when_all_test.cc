// WhenAll: children run concurrently on the loop (asyncio.gather), results
// come back in order, the first exception in time is rethrown once all have
// finished, and cancelling the parent wakes every sleeping child.
#include "server/loop/when_all.h"

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/loop/sleep.h"
#include "server/loop/spawn.h"
#include "server/loop/task.h"
#include "tests/unit/loop/loop_thread.h"
#include "tests/unit/loop/peek_context.h"

namespace corouter::loop {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::ElementsAre;

Task<int> Immediate(int value) { co_return value; }

Task<int> SleepThenReturn(milliseconds d, int value, std::vector<int>* finished) {
  co_await Sleep(d);
  finished->push_back(value);
  co_return value;
}

Task<void> SleepThenThrow(milliseconds d, std::string what, std::vector<int>* finished) {
  co_await Sleep(d);
  finished->push_back(-1);
  throw std::runtime_error(what);
}

TEST(WhenAll, ChildrenThatFinishInlineGiveTheirResultsWithoutSuspending) {
  TaskContext context;
  std::vector<int> results;
  auto parent = [&]() -> Task<void> {
    std::vector<Task<int>> children;
    for (int i = 1; i <= 3; ++i) children.push_back(Immediate(i * 10));
    results = co_await WhenAll(std::move(children));
  };
  Spawn(&context, parent());  // no loop: it must complete inside Spawn
  EXPECT_THAT(results, ElementsAre(10, 20, 30));
}

TEST(WhenAll, AnEmptyListCompletesAtOnce) {
  TaskContext context;
  bool done = false;
  auto parent = [&]() -> Task<void> {
    co_await WhenAll(std::vector<Task<void>>{});
    done = true;
  };
  Spawn(&context, parent());
  EXPECT_TRUE(done);
}

TEST(WhenAll, SleepingChildrenOverlapLikeAsyncioGather) {
  LoopThread lt;
  TaskContext context{&lt.loop(), nullptr, nullptr};
  std::promise<std::vector<int>> results;
  std::vector<int> finished;
  const auto start = steady_clock::now();
  auto parent = [&]() -> Task<void> {
    std::vector<Task<int>> children;
    children.push_back(SleepThenReturn(milliseconds(300), 1, &finished));
    children.push_back(SleepThenReturn(milliseconds(100), 2, &finished));
    children.push_back(SleepThenReturn(milliseconds(200), 3, &finished));
    results.set_value(co_await WhenAll(std::move(children)));
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, parent()); }));
  auto future = results.get_future();
  // Results in the order given; completions in the order of the sleeps.
  EXPECT_THAT(GetWithin(future), ElementsAre(1, 2, 3));
  const auto took = steady_clock::now() - start;
  EXPECT_THAT(finished, ElementsAre(2, 3, 1));
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(580));  // in series it would take 600 ms
}

TEST(WhenAll, RethrowsTheFirstExceptionInTimeOnceEveryChildFinished) {
  LoopThread lt;
  TaskContext context{&lt.loop(), nullptr, nullptr};
  std::promise<std::string> error;
  std::vector<int> finished;
  auto parent = [&]() -> Task<void> {
    std::vector<Task<void>> children;
    children.push_back(SleepThenThrow(milliseconds(60), "second", &finished));
    children.push_back(SleepThenThrow(milliseconds(20), "first", &finished));
    children.push_back([](std::vector<int>* f) -> Task<void> {
      co_await Sleep(milliseconds(100));
      f->push_back(3);
    }(&finished));
    try {
      co_await WhenAll(std::move(children));
      error.set_value("no exception");
    } catch (const std::runtime_error& e) {
      error.set_value(e.what());
    }
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, parent()); }));
  auto future = error.get_future();
  EXPECT_EQ(GetWithin(future), "first");
  // The parent resumed only after the slowest child was done.
  EXPECT_THAT(finished, ElementsAre(-1, -1, 3));
}

TEST(WhenAll, CancellingTheParentWakesEverySleepingChild) {
  LoopThread lt;
  TaskContext context{&lt.loop(), nullptr, nullptr};
  std::promise<std::string> outcome;
  std::vector<int> finished;
  const auto start = steady_clock::now();
  auto parent = [&]() -> Task<void> {
    std::vector<Task<int>> children;
    children.push_back(SleepThenReturn(std::chrono::seconds(5), 1, &finished));
    children.push_back(SleepThenReturn(std::chrono::seconds(5), 2, &finished));
    try {
      co_await WhenAll(std::move(children));
      outcome.set_value("finished");
    } catch (const CancelledError& e) {
      outcome.set_value(e.what());
    }
  };
  ASSERT_TRUE(lt.RunAndWait([&] {
    Spawn(&context, parent());
    lt.loop().AddTimer(EventLoop::Clock::now() + milliseconds(30),
                       [&] { context.Cancel("route timeout 30ms"); });
  }));
  auto future = outcome.get_future();
  EXPECT_EQ(GetWithin(future), "route timeout 30ms");
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(finished.empty());
}

TEST(WhenAll, ChildrenOfACancelledParentStartCancelled) {
  TaskContext context;
  context.Cancel("already gone");
  std::string error;
  auto parent = [&]() -> Task<void> {
    std::vector<Task<void>> children;
    children.push_back([]() -> Task<void> { co_await Sleep(std::chrono::seconds(5)); }());
    try {
      co_await WhenAll(std::move(children));
    } catch (const CancelledError& e) {
      error = e.what();
    }
  };
  Spawn(&context, parent());  // Sleep throws without suspending: all inline
  EXPECT_EQ(error, "already gone");
}

TEST(WhenAll, EachChildHasItsOwnContextWithTheParentsLoopAndTrace) {
  trace::RequestTrace trace(0, nullptr);
  TaskContext context(nullptr, nullptr, &trace);
  // What each child saw: its context's address (the contexts are gone once
  // WhenAll returns) and that context's trace.
  std::vector<std::pair<const void*, trace::RequestTrace*>> seen;
  auto child = []() -> Task<std::pair<const void*, trace::RequestTrace*>> {
    TaskContext* mine = co_await PeekContext{};
    co_return std::make_pair(static_cast<const void*>(mine), mine->trace);
  };
  auto parent = [&]() -> Task<void> {
    std::vector<Task<std::pair<const void*, trace::RequestTrace*>>> children;
    children.push_back(child());
    children.push_back(child());
    seen = co_await WhenAll(std::move(children));
  };
  Spawn(&context, parent());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0].first, seen[1].first);
  EXPECT_NE(seen[0].first, &context);
  EXPECT_EQ(seen[0].second, &trace);
  EXPECT_EQ(seen[1].second, &trace);
}

// The last child resumes the parent inside the loop slice the child's
// wake-up started; the parent then frees the children's contexts and goes on
// tracing in that slice, which must be the parent's (ASan checks it).
TEST(WhenAll, TheSliceIsTheParentsOnceItResumes) {
  struct Steps : trace::TraceSink {
    void OnEvent(trace::TraceEvent event) override { steps.push_back(event.step); }
    std::vector<trace::Step> steps;
  } sink;
  LoopThread lt;
  trace::RequestTrace trace(0, &sink);
  TaskContext context{&lt.loop(), nullptr, &trace};
  std::promise<void> done;
  auto parent = [&]() -> Task<void> {
    std::vector<Task<void>> children;
    children.push_back([]() -> Task<void> { co_await Sleep(milliseconds(5)); }());
    children.push_back([]() -> Task<void> { co_await Sleep(milliseconds(10)); }());
    co_await WhenAll(std::move(children));
    trace.Emit(trace::Step::kHandlerReturned, "after the children");
    done.set_value();
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, parent()); }));
  auto future = done.get_future();
  GetWithin(future);
  EXPECT_EQ(sink.steps.back(), trace::Step::kHandlerReturned);
}

TEST(WhenAll, Nests) {
  LoopThread lt;
  TaskContext context{&lt.loop(), nullptr, nullptr};
  std::promise<std::vector<int>> results;
  std::vector<int> finished;
  auto inner = [](std::vector<int>* f) -> Task<int> {
    std::vector<Task<int>> children;
    children.push_back(SleepThenReturn(milliseconds(20), 1, f));
    children.push_back(SleepThenReturn(milliseconds(10), 2, f));
    std::vector<int> r = co_await WhenAll(std::move(children));
    co_return r[0] + r[1];
  };
  auto parent = [&, inner]() -> Task<void> {
    std::vector<Task<int>> children;
    children.push_back(inner(&finished));
    children.push_back(SleepThenReturn(milliseconds(5), 4, &finished));
    results.set_value(co_await WhenAll(std::move(children)));
  };
  ASSERT_TRUE(lt.RunAndWait([&] { Spawn(&context, parent()); }));
  auto future = results.get_future();
  EXPECT_THAT(GetWithin(future), ElementsAre(3, 4));
  EXPECT_THAT(finished, ElementsAre(4, 2, 1));
}

}  // namespace
}  // namespace corouter::loop
