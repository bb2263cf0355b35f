#include "server/app/dependency_solver.h"

#include <algorithm>
#include <exception>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "server/loop/offload.h"

namespace corouter::app {
namespace {

const http::Json* Cached(const std::vector<std::pair<const Dependency*, http::Json>>& cache,
                         const Dependency* dependency) {
  for (const auto& [key, value] : cache) {
    if (key == dependency) return &value;
  }
  return nullptr;
}

}  // namespace

std::string DescribeCall(std::string_view function, const routing::ParamValues& values) {
  // Built in place: it runs for every traced call (the history records all).
  std::string out(function);
  out.reserve(out.size() + 2 + 24 * values.size());
  out.push_back('(');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    absl::StrAppend(&out, values[i].first, "=", values[i].second.dump());
  }
  out.push_back(')');
  return out;
}

loop::Task<Solved> DependencySolver::Solve(const std::vector<Depends>& uses,
                                           const std::vector<routing::ParamSpec>& params) {
  Solved out;
  for (const Depends& use : uses) {
    const Dependency& dependency = *use.dependency;
    Solved sub = co_await Solve(dependency.dependencies, dependency.params);
    if (!sub.errors.empty()) {
      // `if sub_errors: errors.extend(sub_errors); continue`: not called.
      out.errors.insert(out.errors.end(), sub.errors.begin(), sub.errors.end());
      continue;
    }
    http::Json value;
    if (const http::Json* cached = use.use_cache ? Cached(cache_, &dependency) : nullptr) {
      value = *cached;
    } else {
      value = co_await Call(use.dependency, std::move(sub.values));
    }
    if (!use.name.empty()) out.values.emplace_back(use.name, value);
    if (Cached(cache_, &dependency) == nullptr) cache_.emplace_back(&dependency, std::move(value));
  }
  routing::BindResult bound = routing::BindParameters(params, parts_);
  out.errors.insert(out.errors.end(), bound.errors.begin(), bound.errors.end());
  for (auto& value : bound.values) out.values.push_back(std::move(value));
  co_return out;
}

loop::Task<http::Json> DependencySolver::Call(const std::shared_ptr<const Dependency>& dependency,
                                              routing::ParamValues values) {
  const Dependency& dep = *dependency;
  RequestContext ctx(request_, std::move(values), trace_, app_);
  const std::string call = trace_.enabled() ? DescribeCall(dep.name, ctx.params()) : std::string();
  http::Json value;
  if (dep.is_async()) {
    trace_.Emit(trace::Step::kDependencyStarted, "async def ", call);
    value = co_await dep.async_handler(ctx);
  } else {
    // run_in_threadpool(call, **sub_values): only the call is on the worker.
    auto run = [&] {
      trace_.Emit(trace::Step::kDependencyStarted, "def ", call);
      return dep.sync_handler(ctx);
    };
    value = co_await loop::Offload(absl::StrCat("def ", dep.name), run);
  }
  trace_.Emit(trace::Step::kDependencyFinished, dep.name,
              dep.has_teardown() ? " yielded" : " returned");
  if (dep.has_teardown()) teardowns_.push_back({dependency, ctx.params()});
  co_return value;
}

loop::Task<void> RunTeardowns(std::vector<PendingTeardown> teardowns, const Request& request,
                              trace::RequestTrace& trace, const App* app) {
  std::reverse(teardowns.begin(), teardowns.end());
  for (PendingTeardown& pending : teardowns) {
    const Dependency& dep = *pending.dependency;
    RequestContext ctx(request, std::move(pending.values), trace, app);
    std::string failure;
    try {
      if (dep.async_teardown) {
        trace.Emit(trace::Step::kDependencyStarted, "teardown of ", dep.name);
        co_await dep.async_teardown(ctx);
      } else {
        auto run = [&] {
          trace.Emit(trace::Step::kDependencyStarted, "teardown of ", dep.name);
          dep.sync_teardown(ctx);
        };
        co_await loop::Offload(absl::StrCat("def ", dep.name), run);
      }
      trace.Emit(trace::Step::kDependencyFinished, dep.name, " teardown done");
      continue;
    } catch (const loop::CancelledError& e) {
      failure = absl::StrCat("cancelled: ", e.what());
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    std::cerr << "corouter: teardown of dependency " << dep.name << " failed (" << request.method
              << " " << request.target << "): " << failure << std::endl;
    trace.Emit(trace::Step::kDependencyFinished, dep.name, " teardown failed: ", failure);
  }
}

}  // namespace corouter::app
