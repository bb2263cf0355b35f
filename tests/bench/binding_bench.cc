// tests/bench/binding_bench.cc
//
// Micro benchmarks of parameter binding and validation
// (routing::BindParameters): seed 004's read_item(item_id: int,
// q: str | None = None) bound from a path and a query string, and the same
// with an item_id that is not an integer, which ends in FastAPI's 422 body.
#include <vector>

#include "benchmark/benchmark.h"
#include "server/http/headers.h"
#include "server/http/query_string.h"
#include "server/routing/parameters.h"
#include "server/routing/path_template.h"

namespace corouter::routing {
namespace {

std::vector<ParamSpec> ReadItemSpecs() {
  return {ParamSpec::Path("item_id", ParamType::kInt),
          ParamSpec::OptionalQuery("q", ParamType::kStr)};
}

// GET /slow_task/1?q=test: both parameters bind.
void BM_BindParameters(benchmark::State& state) {
  const std::vector<ParamSpec> specs = ReadItemSpecs();
  const PathParams path_params = {{"item_id", "1"}};
  const http::QueryParams query = http::QueryParams::Parse("q=test");
  const http::Headers headers = {{"user-agent", "h2load"}, {"accept", "*/*"}};
  for (auto _ : state) {
    BindResult result = BindParameters(specs, path_params, query, headers);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_BindParameters);

// GET /slow_task/abc: item_id fails, and the 422 response is built.
void BM_BindParametersInvalid422(benchmark::State& state) {
  const std::vector<ParamSpec> specs = ReadItemSpecs();
  const PathParams path_params = {{"item_id", "abc"}};
  const http::QueryParams query;
  const http::Headers headers;
  for (auto _ : state) {
    BindResult result = BindParameters(specs, path_params, query, headers);
    http::Response response = ValidationErrorResponse(result.errors);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_BindParametersInvalid422);

// No declared parameters (GET /fast_task/): the floor of binding.
void BM_BindNoParameters(benchmark::State& state) {
  const std::vector<ParamSpec> specs;
  const PathParams path_params;
  const http::QueryParams query;
  const http::Headers headers;
  for (auto _ : state) {
    BindResult result = BindParameters(specs, path_params, query, headers);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_BindNoParameters);

}  // namespace
}  // namespace corouter::routing
