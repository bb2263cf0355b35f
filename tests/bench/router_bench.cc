// tests/bench/router_bench.cc
//
// Router::Match at 10, 100 and 1,000 routes (issue 3 section 2): the cost of
// finding the route should depend on the path, not on the table. Each table
// looks like an API: routes over distinct resources, the one looked up is
// registered LAST (the worst case for Starlette's scan):
//   Static  /api/res{i}/list                        GET /api/res{N-1}/list
//   Param   /api/res{i}/{item_id:int}               GET /api/res{N-1}/42
//   Deep    /api/v1/res{i}/{org}/items/{id:int}/tags/{tag}
//                                                   GET /api/v1/res{N-1}/acme/items/7/tags/red
//   Miss    the Param table, a path no route has    GET /nope/42 (404 after redirect_slashes)
// The Linear* variants run the same lookups as Starlette does (every
// template's full match in registration order) for comparison.
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "server/routing/path_template.h"
#include "server/routing/router.h"

namespace corouter::routing {
namespace {

enum class Shape { kStatic, kParam, kDeep };

// The template of route `i`, or (`concrete`) a path that only it matches.
std::string RoutePath(Shape shape, int i, bool concrete) {
  const std::string resource = "res" + std::to_string(i);
  switch (shape) {
    case Shape::kStatic:
      return "/api/" + resource + "/list";
    case Shape::kParam:
      return "/api/" + resource + (concrete ? "/42" : "/{item_id:int}");
    case Shape::kDeep:
      return "/api/v1/" + resource +
             (concrete ? "/acme/items/7/tags/red" : "/{org}/items/{id:int}/tags/{tag}");
  }
  return "/";
}

std::string LastPath(Shape shape, int n) { return RoutePath(shape, n - 1, /*concrete=*/true); }

std::vector<PathTemplate> Templates(Shape shape, int n) {
  std::vector<PathTemplate> out;
  for (int i = 0; i < n; ++i)
    out.push_back(*PathTemplate::Compile(RoutePath(shape, i, /*concrete=*/false)));
  return out;
}

Router BuildRouter(Shape shape, int n) {
  Router router;
  for (PathTemplate& t : Templates(shape, n)) router.Add({"GET"}, std::move(t));
  return router;
}

void RunRouter(benchmark::State& state, Shape shape, const std::string& path) {
  const int n = static_cast<int>(state.range(0));
  const Router router = BuildRouter(shape, n);
  const std::string target = path.empty() ? LastPath(shape, n) : path;
  if (router.Match("GET", target).kind != RouteResult::Kind::kMatched && path.empty()) {
    state.SkipWithError("the benchmark path does not match");
  }
  for (auto _ : state) {
    RouteResult result = router.Match("GET", target);
    benchmark::DoNotOptimize(result);
  }
  state.counters["routes"] = n;
}

void BM_RouterStatic(benchmark::State& state) { RunRouter(state, Shape::kStatic, ""); }
void BM_RouterParam(benchmark::State& state) { RunRouter(state, Shape::kParam, ""); }
void BM_RouterDeep(benchmark::State& state) { RunRouter(state, Shape::kDeep, ""); }
void BM_RouterMiss(benchmark::State& state) { RunRouter(state, Shape::kParam, "/nope/42"); }

// Starlette's Router.__call__: try every route's pattern in order.
void RunLinear(benchmark::State& state, Shape shape) {
  const int n = static_cast<int>(state.range(0));
  const std::vector<PathTemplate> templates = Templates(shape, n);
  const std::string target = LastPath(shape, n);
  for (auto _ : state) {
    PathParams params;
    size_t found = templates.size();
    for (size_t i = 0; i < templates.size(); ++i) {
      if (templates[i].Match(target, &params)) {
        found = i;
        break;
      }
    }
    benchmark::DoNotOptimize(found);
    benchmark::DoNotOptimize(params);
  }
  state.counters["routes"] = n;
}

void BM_LinearStatic(benchmark::State& state) { RunLinear(state, Shape::kStatic); }
void BM_LinearParam(benchmark::State& state) { RunLinear(state, Shape::kParam); }
void BM_LinearDeep(benchmark::State& state) { RunLinear(state, Shape::kDeep); }

BENCHMARK(BM_RouterStatic)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_RouterParam)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_RouterDeep)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_RouterMiss)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_LinearStatic)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_LinearParam)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_LinearDeep)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace corouter::routing
