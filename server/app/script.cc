#include "server/app/script.h"

#include <cstdint>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/app/call_fault.h"
#include "server/app/duration_distribution.h"
#include "server/app/http_exception.h"
#include "server/loop/offload.h"
#include "server/loop/sleep.h"
#include "server/loop/when_all.h"

namespace corouter::app {
namespace {

std::string Format(std::chrono::nanoseconds d) { return absl::FormatDuration(absl::FromChrono(d)); }

http::Headers RenderHeaders(const HeaderTemplates& headers, const routing::ParamValues& values) {
  http::Headers out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) out.push_back({name, value.RenderText(values)});
  return out;
}

// Where a step that holds its thread runs: in the path operation itself
// (announced as BLOCKING_CALL), or in an offloaded function's body (shown by
// the OFFLOAD_* steps already).
enum class Announce { kYes, kNo };

// Runs a step that needs no await; false if it is an await.
bool RunPlainStep(const ScriptStep& step, RequestContext& ctx, Announce announce) {
  if (const auto* s = std::get_if<BlockingStep>(&step.op)) {
    if (announce == Announce::kYes) {
      ctx.BlockingSleep(s->duration);
    } else {
      std::this_thread::sleep_for(s->duration);
    }
    return true;
  }
  if (const auto* s = std::get_if<CpuStep>(&step.op)) {
    if (announce == Announce::kYes)
      ctx.AnnounceBlockingCall(absl::StrCat("cpu(", Format(s->duration), ")"));
    BusyCompute(s->duration);
    return true;
  }
  if (const auto* s = std::get_if<RaiseStep>(&step.op)) {
    int status = s->status;
    if (!s->status_param.empty()) {
      // An int parameter; a code outside int's range is no HTTP status
      // either (Python's HTTPStatus raises ValueError: a 500).
      const int64_t code = ctx.Get<int64_t>(s->status_param);
      status = code >= 0 && code < 1000 ? static_cast<int>(code) : 0;
    }
    throw HttpException(status, s->detail.Render(ctx.params()),
                        RenderHeaders(s->headers, ctx.params()));
  }
  if (const auto* s = std::get_if<FailStep>(&step.op)) throw std::runtime_error(s->message);
  if (const auto* s = std::get_if<FaultStep>(&step.op)) {
    if (s->kind == FaultStep::Kind::kAbort) throw CallFault::Abort(s->code, s->message);
    if (s->kind == FaultStep::Kind::kReset) throw CallFault::Reset();
    return false;  // hang: an await
  }
  if (const auto* s = std::get_if<NeverAwaitedStep>(&step.op)) {
    ctx.DropNeverAwaited(s->coroutine, s->warned.get());
    return true;
  }
  return false;
}

// The steps of a def, or of an offloaded function (no awaits).
void RunSteps(const ScriptSteps& steps, RequestContext& ctx, Announce announce) {
  for (const ScriptStep& step : steps) {
    if (!RunPlainStep(step, ctx, announce)) {
      throw std::logic_error("an await step in a sync script (the loader should refuse it)");
    }
  }
}

// The steps of an async def, or of one gather branch.
loop::Task<void> RunStepsAsync(const ScriptSteps& steps, RequestContext& ctx) {
  for (const ScriptStep& step : steps) {
    if (const auto* s = std::get_if<SleepStep>(&step.op)) {
      // Computed before the co_await: GCC 12 miscompiled the conditional
      // expression inside it (it called Next() for a fixed sleep, whose
      // distribution is null: a crash the cli and conformance suites
      // caught); loop/offload.h has another of its co_await bugs.
      std::chrono::nanoseconds duration = s->duration;
      if (s->distribution != nullptr) duration = s->distribution->Next();
      co_await loop::Sleep(duration);
    } else if (const auto* s = std::get_if<OffloadStep>(&step.op)) {
      co_await loop::Offload(s->name, [s, &ctx] { RunSteps(s->steps, ctx, Announce::kNo); });
    } else if (const auto* s = std::get_if<FaultStep>(&step.op);
               s != nullptr && s->kind == FaultStep::Kind::kHang) {
      // Only the call's deadline or its cancel ends it (CancelledError).
      co_await loop::Sleep(std::chrono::hours(24 * 365));
    } else if (const auto* s = std::get_if<GatherStep>(&step.op)) {
      std::vector<loop::Task<void>> branches;
      branches.reserve(s->branches.size());
      for (const ScriptSteps& branch : s->branches) branches.push_back(RunStepsAsync(branch, ctx));
      co_await loop::WhenAll(std::move(branches));
    } else {
      RunPlainStep(step, ctx, Announce::kYes);
    }
  }
}

// `background_tasks.add_task(...)` for each of the script's tasks. They
// share the Script, which every request of the route holds.
void AddBackgroundTasks(const std::shared_ptr<const Script>& script, RequestContext& ctx) {
  for (size_t i = 0; i < script->background.size(); ++i) {
    const ScriptBackgroundTask& task = script->background[i];
    if (task.is_async) {
      ctx.AddBackgroundTask(task.name, [script, i](RequestContext& c) {
        return RunStepsAsync(script->background[i].steps, c);
      });
    } else {
      ctx.AddBackgroundTask(task.name, [script, i](RequestContext& c) {
        RunSteps(script->background[i].steps, c, Announce::kYes);
      });
    }
  }
}

http::Response Respond(const Script& script, const RequestContext& ctx) {
  if (!script.respond.has_value()) return http::JsonResponse(nullptr);  // `return None`
  const RespondStep& respond = *script.respond;
  http::Response response = http::JsonResponse(respond.body.Render(ctx.params()), respond.status);
  // FastAPI appends the headers set on the injected Response after its own.
  for (http::Header& h : RenderHeaders(respond.headers, ctx.params())) {
    response.headers.push_back(std::move(h));
  }
  return response;
}

loop::Task<http::Response> RunAsync(std::shared_ptr<const Script> script, RequestContext& ctx) {
  if (script->fail_rate.has_value() && script->fail_rate->NextFails()) {
    co_await RunStepsAsync(script->fail_rate->fault, ctx);
  }
  const Script* body = &script->Body();
  co_await RunStepsAsync(body->steps, ctx);
  AddBackgroundTasks(script, ctx);
  co_return Respond(*body, ctx);
}

}  // namespace

const Script& Script::Body() const {
  if (sequence.empty()) return *this;
  const uint64_t k = calls->fetch_add(1, std::memory_order_relaxed);
  return *sequence[std::min<uint64_t>(k, sequence.size() - 1)];
}

bool FailRate::NextFails() const {
  const uint64_t i = draws->fetch_add(1, std::memory_order_relaxed);
  // A uniform in [0, 1) from (seed, stream, i): independent draws, so that
  // the failures over N calls are binomial, as a real fault rate's are.
  const uint64_t z = MixBits(MixBits(seed) ^ MixBits(stream * 0x2545F4914F6CDD1DULL + 2) ^
                             (i * 0xD1B54A32D192ED03ULL));
  return static_cast<double>(z >> 11) * 0x1.0p-53 < rate;
}

void BusyCompute(std::chrono::nanoseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  volatile uint64_t sink = 0;
  do {
    for (int i = 0; i < 4096; ++i) {  // xorshift64: real work between clock reads
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    sink = sink + x;
  } while (std::chrono::steady_clock::now() < until);
}

namespace {

loop::Task<http::Json> RunDependencyAsync(std::shared_ptr<const DependencyScript> script,
                                          RequestContext& ctx) {
  co_await RunStepsAsync(script->steps, ctx);
  co_return script->value.Render(ctx.params());
}

}  // namespace

void SetDependencyScript(std::shared_ptr<const DependencyScript> script, bool is_async,
                         Dependency* dependency) {
  const bool yields = script->teardown.has_value();
  if (is_async) {
    dependency->async_handler = [script](RequestContext& ctx) {
      return RunDependencyAsync(script, ctx);
    };
    if (yields) {
      dependency->async_teardown = [script](RequestContext& ctx) {
        return RunStepsAsync(*script->teardown, ctx);
      };
    }
  } else {
    dependency->sync_handler = [script](RequestContext& ctx) {
      RunSteps(script->steps, ctx, Announce::kYes);
      return script->value.Render(ctx.params());
    };
    if (yields) {
      dependency->sync_teardown = [script](RequestContext& ctx) {
        RunSteps(*script->teardown, ctx, Announce::kYes);
      };
    }
  }
}

AsyncHandler MakeAsyncHandler(std::shared_ptr<const Script> script) {
  return [script = std::move(script)](RequestContext& ctx) { return RunAsync(script, ctx); };
}

SyncHandler MakeSyncHandler(std::shared_ptr<const Script> script) {
  return [script = std::move(script)](RequestContext& ctx) {
    if (script->fail_rate.has_value() && script->fail_rate->NextFails()) {
      RunSteps(script->fail_rate->fault, ctx, Announce::kYes);
    }
    const Script& body = script->Body();
    RunSteps(body.steps, ctx, Announce::kYes);
    AddBackgroundTasks(script, ctx);
    return Respond(body, ctx);
  };
}

}  // namespace corouter::app
