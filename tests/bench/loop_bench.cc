// tests/bench/loop_bench.cc
//
// Micro benchmarks of the loop room: a Task's frame created, run, resumed and
// destroyed; a Sleep(0) round trip through a running EventLoop; an Offload
// round trip through the Executor and back to the loop.
//
// The round trips run on a real loop thread over a grpc::CompletionQueue (as
// tests/unit/loop/loop_thread.h does). One benchmark iteration is a batch of
// round trips awaited one after another by a single coroutine, so the cost of
// posting the batch to the loop and waiting for it is spread over the batch;
// items_per_second is round trips per second, and the time per iteration
// divided by the batch size is one round trip.
//
// The two completion-queue benchmarks at the end isolate what the round trips
// wait on: polling an empty queue with "now" as the deadline (EventLoop::Run
// does so when work is scheduled) and an alarm set to "now" (EventLoop::Post's
// doorbell), against the same with gpr_inf_past.
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "grpc/support/time.h"
#include "grpcpp/alarm.h"
#include "grpcpp/completion_queue.h"
#include "server/loop/event_loop.h"
#include "server/loop/executor.h"
#include "server/loop/offload.h"
#include "server/loop/sleep.h"
#include "server/loop/spawn.h"
#include "server/loop/task.h"
#include "server/loop/task_context.h"
#include "server/trace/request_trace.h"
#include "server/trace/trace_event.h"

namespace corouter::loop {
namespace {

// A sink that drops every event: the cost of producing events, not of
// sending them.
class NoopSink : public trace::TraceSink {
 public:
  void OnEvent(trace::TraceEvent event) override { benchmark::DoNotOptimize(event.sequence); }
};

// An EventLoop running on its own thread over a plain completion queue.
class BenchLoop {
 public:
  BenchLoop() : loop_(&cq_, 0), thread_([this] { loop_.Run(); }) {}
  ~BenchLoop() {
    loop_.Shutdown();
    thread_.join();
  }

  EventLoop& loop() { return loop_; }

  // Spawns the Task that `make` returns on the loop thread, with `context`,
  // and waits for `done` to be set by it.
  template <typename Make>
  void RunOnLoop(TaskContext* context, Make make) {
    std::promise<void> done;
    std::future<void> finished = done.get_future();
    loop_.Post([context, &make, &done] { Spawn(context, make(&done)); });
    finished.wait();
  }

 private:
  grpc::CompletionQueue cq_;
  EventLoop loop_;
  std::thread thread_;
};

// Parks the awaiting coroutine: its handle goes to `*slot`, to be resumed by
// the benchmark.
struct Park {
  std::coroutine_handle<>* slot;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> handle) noexcept { *slot = handle; }
  void await_resume() const noexcept {}
};

Task<int> ReturnsOne() { co_return 1; }

Task<void> Noop() { co_return; }

Task<void> AwaitsChild(int* out) { *out = co_await ReturnsOne(); }

Task<void> Parked(std::coroutine_handle<>* slot) { co_await Park{slot}; }

// A Task created and destroyed without running: one frame allocated and freed.
void BM_TaskCreateDestroy(benchmark::State& state) {
  for (auto _ : state) {
    Task<int> task = ReturnsOne();
    benchmark::DoNotOptimize(task);
  }
}
BENCHMARK(BM_TaskCreateDestroy);

// Spawn a Task that returns at once: the root and the Task frame created,
// run to the end and destroyed.
void BM_TaskSpawnRunToEnd(benchmark::State& state) {
  TaskContext context;
  for (auto _ : state) Spawn(&context, Noop());
}
BENCHMARK(BM_TaskSpawnRunToEnd);

// A parent awaiting a child that completes inline (no suspension).
void BM_TaskAwaitInlineChild(benchmark::State& state) {
  TaskContext context;
  int out = 0;
  for (auto _ : state) {
    Spawn(&context, AwaitsChild(&out));
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TaskAwaitInlineChild);

// Create, run to its first suspension, resume, finish, destroy: the life of
// a handler that awaits once.
void BM_TaskSuspendResume(benchmark::State& state) {
  TaskContext context;
  std::coroutine_handle<> slot;
  for (auto _ : state) {
    Spawn(&context, Parked(&slot));
    slot.resume();
  }
}
BENCHMARK(BM_TaskSuspendResume);

constexpr int kSleepBatch = 1000;

Task<void> SleepZeroTimes(int n, std::promise<void>* done) {
  for (int i = 0; i < n; ++i) co_await Sleep(std::chrono::nanoseconds(0));
  done->set_value();
}

// Runs `batch` round trips per iteration on a running loop, with tracing off
// (arg 0: rpc Execute) or a no-op sink attached (arg 1: rpc ExecuteTraced).
void RunRoundTrips(benchmark::State& state, int batch,
                   Task<void> (*round_trips)(int n, std::promise<void>* done)) {
  BenchLoop bench;
  Executor executor;
  NoopSink sink;
  trace::RequestTrace trace(0, state.range(0) != 0 ? &sink : nullptr);
  TaskContext context(&bench.loop(), &executor, &trace);
  for (auto _ : state) {
    bench.RunOnLoop(&context, [&](std::promise<void>* done) { return round_trips(batch, done); });
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(absl::StrCat(state.range(0) != 0 ? "traced" : "untraced", ", batch ", batch));
}

// `await asyncio.sleep(0)`: suspend, go to the back of the loop's ready
// queue, resume. Arg 0: tracing off (rpc Execute); 1: a no-op sink attached
// (rpc ExecuteTraced: two events per sleep).
void BM_Sleep0RoundTrip(benchmark::State& state) {
  RunRoundTrips(state, kSleepBatch, SleepZeroTimes);
}
BENCHMARK(BM_Sleep0RoundTrip)->Arg(0)->Arg(1)->UseRealTime();

constexpr int kOffloadBatch = 100;

Task<void> OffloadTimes(int n, std::promise<void>* done) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await Offload("bench", [] { return 1; });
  benchmark::DoNotOptimize(sum);
  done->set_value();
}

// `await loop.run_in_executor(None, fn)` with a trivial fn: queued on the
// executor, run on an executor thread, posted back and resumed on the loop
// (two cross-thread wake-ups). Arg as BM_Sleep0RoundTrip.
void BM_OffloadRoundTrip(benchmark::State& state) {
  RunRoundTrips(state, kOffloadBatch, OffloadTimes);
}
BENCHMARK(BM_OffloadRoundTrip)->Arg(0)->Arg(1)->UseRealTime();

gpr_timespec NowOrPast(int64_t arg) {
  return arg == 0 ? gpr_now(GPR_CLOCK_MONOTONIC) : gpr_inf_past(GPR_CLOCK_MONOTONIC);
}

void DrainAndShutdown(grpc::CompletionQueue& cq) {
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

// AsyncNext on an empty completion queue. Arg 0: deadline gpr_now(); 1:
// gpr_inf_past.
void BM_CompletionQueuePollEmpty(benchmark::State& state) {
  grpc::CompletionQueue cq;
  void* tag = nullptr;
  bool ok = false;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cq.AsyncNext(&tag, &ok, NowOrPast(state.range(0))));
  }
  state.SetLabel(state.range(0) == 0 ? "deadline now" : "deadline inf_past");
  DrainAndShutdown(cq);
}
BENCHMARK(BM_CompletionQueuePollEmpty)->Arg(0)->Arg(1)->UseRealTime();

// A grpc::Alarm set to fire at once, until its completion is taken from the
// queue. Arg as BM_CompletionQueuePollEmpty.
void BM_AlarmImmediate(benchmark::State& state) {
  grpc::CompletionQueue cq;
  grpc::Alarm alarm;
  int marker = 0;
  void* tag = nullptr;
  bool ok = false;
  for (auto _ : state) {
    alarm.Set(&cq, NowOrPast(state.range(0)), &marker);
    cq.Next(&tag, &ok);
  }
  state.SetLabel(state.range(0) == 0 ? "deadline now" : "deadline inf_past");
  DrainAndShutdown(cq);
}
BENCHMARK(BM_AlarmImmediate)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace corouter::loop
