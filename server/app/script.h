// server/app/script.h
//
// Script: the body of a path operation declared in a route file
// (server/app/route_file.h), as data: a list of steps that the interpreter
// runs the way the equivalent Python would run.
//
//   step       async def (on the loop)                def (on a worker thread)
//   sleep      await asyncio.sleep(d)                 (not allowed: an await)
//   blocking   time.sleep(d): holds the loop          time.sleep(d): holds the worker
//   cpu        busy computation for d: holds the loop busy computation: holds the worker
//   offload    await run_in_executor(None, steps)     (not allowed: an await)
//   gather     await asyncio.gather(*branches)        (not allowed: an await)
//   raise      raise HTTPException(status, detail, headers)
//   fail       raise RuntimeError(message): a 500
//   respond    return the JSON body, with the status and headers given
//   abort      end the gRPC call with a status (call_fault.h): UNAVAILABLE...
//   reset      cancel the call's stream (the client sees CANCELLED)
//   hang       wait until the call's deadline or cancel (async only)
//   an await step with `await: false`: the coroutine is created and never
//              awaited (seed 001 pitfall #3): it runs nothing, takes no time
//              and is traced as NEVER_AWAITED
// and, after the response, the route's background tasks (BackgroundTasks),
// each an async or a sync function of such steps.
//
// Trace: `sleep` is AWAIT_STARTED / AWAIT_RESUMED (loop::Sleep); `blocking`
// and `cpu` are one BLOCKING_CALL each ("blocking call sleep(2s) holds loop
// 0", "blocking call cpu(100ms) on executor-3; the loop stays free"), except
// inside `offload`, where they are the offloaded function's own body, which
// OFFLOAD_STARTED and OFFLOAD_FINISHED already show (as the embedded seed
// app's blocking_function shows no BLOCKING_CALL); `offload` is
// loop::Offload's OFFLOAD_QUEUED / STARTED / FINISHED / AWAIT_RESUMED;
// `gather` runs its branches with loop::WhenAll, their steps interleaved.
//
// Which steps may appear where (an await in a def, `respond` anywhere but
// last) is the loader's check; the interpreter trusts the Script it is given.
//
// Thread safety: a Script is immutable and shared by every request of its
// path operation; the handlers it makes may run on any loop or worker.
#ifndef COROUTER_SERVER_APP_SCRIPT_H_
#define COROUTER_SERVER_APP_SCRIPT_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "server/app/app.h"
#include "server/app/dependency.h"
#include "server/app/duration_distribution.h"
#include "server/app/json_template.h"

namespace corouter::app {

struct ScriptStep;
using ScriptSteps = std::vector<ScriptStep>;

/// `await asyncio.sleep(d)`: d is `duration`, or drawn from `distribution`
/// for each run of the step when that is set (`sleep: {lognormal: ...}`).
struct SleepStep {
  std::chrono::nanoseconds duration;
  std::shared_ptr<const DurationDistribution> distribution = nullptr;
};
/// `time.sleep(d)` on whatever thread runs the step.
struct BlockingStep {
  std::chrono::nanoseconds duration;
};
/// Busy computation for `duration` (real work, not a sleep).
struct CpuStep {
  std::chrono::nanoseconds duration;
};
/// `await loop.run_in_executor(None, fn)` where fn runs `steps`; `name` is
/// fn's name in the trace.
struct OffloadStep {
  std::string name;
  ScriptSteps steps;
};
/// `await asyncio.gather(*branches)`, each branch a coroutine of steps.
struct GatherStep {
  std::vector<ScriptSteps> branches;
};
/// Header fields with templated values; names lowercased.
using HeaderTemplates = std::vector<std::pair<std::string, JsonTemplate>>;
/// `raise HTTPException(status, detail, headers)` (a null detail is the
/// status's reason phrase). The status is `status`, or the value of the int
/// parameter `status_param` when that is set (`HTTPException(code)`).
struct RaiseStep {
  int status = 500;
  std::string status_param;
  JsonTemplate detail;
  HeaderTemplates headers;
};
/// An unhandled error: `raise RuntimeError(message)`.
struct FailStep {
  std::string message;
};
/// `return body` from a path operation declared with `status_code=status`,
/// plus `response.headers[name] = value` for each header.
struct RespondStep {
  int status = 200;
  HeaderTemplates headers;
  JsonTemplate body;
};

/// `data = async_db_call()  # missing await`: the awaitable `coroutine`
/// (the step's name: "sleep", the offloaded function's, "gather") is created
/// and dropped. `warned` makes the log line once per step, as Python's
/// default warning filter shows a warning once per location.
struct NeverAwaitedStep {
  std::string coroutine;
  std::shared_ptr<std::atomic<bool>> warned = std::make_shared<std::atomic<bool>>(false);
};

/// A fault (call_fault.h): `abort` ends the gRPC call with `code` and
/// `message`, `reset` cancels its stream, `hang` waits for its deadline or
/// cancel.
struct FaultStep {
  enum class Kind { kAbort, kReset, kHang };
  Kind kind = Kind::kAbort;
  int code = 14;  // UNAVAILABLE
  std::string message;
};

struct ScriptStep {
  std::variant<SleepStep, BlockingStep, CpuStep, OffloadStep, GatherStep, RaiseStep, FailStep,
               NeverAwaitedStep, FaultStep>
      op;
};

/// A route's `fail_rate` with its `fault`: each request draws whether it
/// runs `fault` instead of its steps; draw i is a pure function of the
/// seed, the route's stream and i, so a seed repeats which requests fail.
struct FailRate {
  double rate = 0;    // in (0, 1]
  ScriptSteps fault;  // one step, run instead of the route's steps
  uint64_t seed = 0;
  uint64_t stream = 0;
  std::shared_ptr<std::atomic<uint64_t>> draws = std::make_shared<std::atomic<uint64_t>>(0);

  /// Whether the next request fails (thread-safe).
  bool NextFails() const;
};

/// `background_tasks.add_task(name)`: a function of steps run after the
/// response, as an `async def` (awaits allowed) or a `def` (on the executor).
struct ScriptBackgroundTask {
  std::string name;
  bool is_async = true;
  ScriptSteps steps;
};

/// A path operation's body: its steps, then its response (`respond`, or
/// FastAPI's `null` when the function returns nothing), and the background
/// tasks it adds (run only when it returns normally).
struct Script {
  std::optional<FailRate> fail_rate;
  ScriptSteps steps;
  std::optional<RespondStep> respond;
  std::vector<ScriptBackgroundTask> background;
  /// `sequence:`, instead of `steps`: the route's k-th request (from 0) runs
  /// sequence[min(k, n - 1)]'s steps and respond, so each runs once and the
  /// last one repeats (WireMock's and Prism's "stateful" stubs). `calls`
  /// counts the requests (thread-safe); fail_rate and background stay this
  /// Script's.
  std::vector<std::shared_ptr<const Script>> sequence;
  std::shared_ptr<std::atomic<uint64_t>> calls = std::make_shared<std::atomic<uint64_t>>(0);

  /// The Script whose steps and respond this request runs: this one, or the
  /// sequence's next (counting the request).
  const Script& Body() const;
};

/// A dependency's body (server/app/dependency.h): its steps, the value it
/// returns (or yields), and for a yield dependency the steps after the
/// `yield` (its `finally:`).
struct DependencyScript {
  ScriptSteps steps;
  JsonTemplate value;
  std::optional<ScriptSteps> teardown;
};

/// Sets `dependency`'s handler (and teardown, for a yield dependency) to run
/// `script` as an `async def` or a `def`. A sync script must hold no sleep,
/// offload or gather step.
void SetDependencyScript(std::shared_ptr<const DependencyScript> script, bool is_async,
                         Dependency* dependency);

/// A handler running `script` as an `async def`.
AsyncHandler MakeAsyncHandler(std::shared_ptr<const Script> script);

/// A handler running `script` as a `def` (the engine runs it on the
/// executor). `script` must hold no sleep, offload or gather step.
SyncHandler MakeSyncHandler(std::shared_ptr<const Script> script);

/// Keeps the calling thread busy computing for `duration` (xorshift rounds
/// until the time has passed): a CPU-bound call, not a sleep.
void BusyCompute(std::chrono::nanoseconds duration);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_SCRIPT_H_
