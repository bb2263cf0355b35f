// Task<T>: laziness, results, exceptions, context propagation, and bounded
// stack use for synchronously completing awaits (the -O0 symmetric-transfer
// hazard named in shared/design/architecture.md, decision 5).
#include "server/loop/task.h"

#include <pthread.h>

#include <stdexcept>
#include <string>

#include "gtest/gtest.h"
#include "server/loop/spawn.h"
#include "server/loop/task_context.h"
#include "tests/unit/loop/peek_context.h"

namespace corouter::loop {
namespace {

Task<int> Immediate(int value) { co_return value; }

Task<int> Throws() {
  throw std::runtime_error("boom");
  co_return 0;
}

Task<void> Record(bool* ran) {
  *ran = true;
  co_return;
}

TEST(Task, DoesNotRunUntilAwaited) {
  bool ran = false;
  TaskContext context;
  {
    Task<void> task = Record(&ran);
    EXPECT_FALSE(ran);
    Spawn(&context, std::move(task));
  }
  EXPECT_TRUE(ran);
}

TEST(Task, AwaitReturnsTheValueAndRethrowsTheException) {
  TaskContext context;
  int value = 0;
  std::string error;
  auto body = [&]() -> Task<void> {
    value = co_await Immediate(41) + 1;
    try {
      co_await Throws();
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
  };
  Spawn(&context, body());
  EXPECT_EQ(value, 42);
  EXPECT_EQ(error, "boom");
}

Task<TaskContext*> ContextSeenByChild() { co_return co_await PeekContext{}; }

TEST(Task, PassesItsContextToTheTasksItAwaits) {
  TaskContext context;
  TaskContext* seen = nullptr;
  auto parent = [&]() -> Task<void> { seen = co_await ContextSeenByChild(); };
  Spawn(&context, parent());
  EXPECT_EQ(seen, &context);
}

// Runs `fn` on a thread with a deliberately small stack.
void RunWithSmallStack(void (*fn)(void*), void* arg, size_t stack_bytes) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  struct Thunk {
    void (*fn)(void*);
    void* arg;
  } thunk{fn, arg};
  ASSERT_EQ(pthread_create(
                &thread, &attr,
                [](void* p) -> void* {
                  auto* t = static_cast<Thunk*>(p);
                  t->fn(t->arg);
                  return nullptr;
                },
                &thunk),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(Task, HundredThousandSynchronousAwaitsDoNotGrowTheStack) {
  // 100 000 awaits of tasks that complete without suspending. If each await
  // nested a frame (no tail call at -O0), 256 KiB of stack would overflow
  // within a few thousand iterations and the process would crash.
  struct State {
    long long sum = 0;
  } state;
  RunWithSmallStack(
      [](void* p) {
        auto* s = static_cast<State*>(p);
        TaskContext context;
        auto loop = [s]() -> Task<void> {
          for (int i = 0; i < 100000; ++i) s->sum += co_await Immediate(i);
        };
        Spawn(&context, loop());
      },
      &state, 256 * 1024);
  EXPECT_EQ(state.sum, 100000LL * 99999 / 2);
}

}  // namespace
}  // namespace corouter::loop
