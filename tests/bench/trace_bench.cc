// tests/bench/trace_bench.cc
//
// Micro benchmarks of emitting one trace event (trace::RequestTrace::Emit):
// with tracing off (rpc Execute: no sink) and with a sink that drops the
// event (rpc ExecuteTraced, without the cost of sending it). Two details:
//  - "literal": pieces already at hand, as RECEIVED's `GET /fast_task/`;
//  - "duration": a duration formatted by the caller, as Sleep's
//    AWAIT_STARTED `sleep(2s)`. The caller evaluates absl::FormatDuration
//    before Emit can look at the sink, so with tracing off this variant shows
//    what formatting a detail that nobody reads costs.
#include <chrono>
#include <string>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "server/trace/request_trace.h"
#include "server/trace/step.h"
#include "server/trace/trace_event.h"

namespace corouter::trace {
namespace {

class NoopSink : public TraceSink {
 public:
  void OnEvent(TraceEvent event) override { benchmark::DoNotOptimize(event.sequence); }
};

// Arg 0: tracing off; 1: a no-op sink.
void BM_TraceEmitLiteral(benchmark::State& state) {
  NoopSink sink;
  RequestTrace trace(0, state.range(0) != 0 ? &sink : nullptr);
  const std::string method = "GET";
  const std::string target = "/fast_task/";
  for (auto _ : state) trace.Emit(Step::kReceived, method, " ", target);
  state.SetLabel(state.range(0) != 0 ? "no-op sink" : "tracing off");
}
BENCHMARK(BM_TraceEmitLiteral)->Arg(0)->Arg(1);

void BM_TraceEmitDuration(benchmark::State& state) {
  NoopSink sink;
  RequestTrace trace(0, state.range(0) != 0 ? &sink : nullptr);
  const std::chrono::nanoseconds duration = std::chrono::seconds(2);
  for (auto _ : state) {
    trace.Emit(Step::kAwaitStarted, "sleep(", absl::FormatDuration(absl::FromChrono(duration)),
               ")");
  }
  state.SetLabel(state.range(0) != 0 ? "no-op sink" : "tracing off");
}
BENCHMARK(BM_TraceEmitDuration)->Arg(0)->Arg(1);

}  // namespace
}  // namespace corouter::trace
