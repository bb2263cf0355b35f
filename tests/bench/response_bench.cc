// tests/bench/response_bench.cc
//
// Micro benchmarks of building a JSON response (http::JsonResponse) as the
// seed app's handlers do: the JSON value built from an initializer list,
// serialised byte for byte like FastAPI's JSONResponse, and the
// content-length / content-type headers added.
#include <cstdint>

#include "benchmark/benchmark.h"
#include "server/http/response.h"

namespace corouter::http {
namespace {

// read_root: {"message":"This is fast!"}.
void BM_JsonResponseFastTask(benchmark::State& state) {
  for (auto _ : state) {
    Response response = JsonResponse({{"message", "This is fast!"}});
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_JsonResponseFastTask);

// read_item: {"item_id":1,"q":"test"}, from the bound values.
void BM_JsonResponseReadItem(benchmark::State& state) {
  const Json item_id = int64_t{1};
  const Json q = "test";
  for (auto _ : state) {
    Response response = JsonResponse({{"item_id", item_id}, {"q", q}});
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_JsonResponseReadItem);

// read_items: a list of two objects.
void BM_JsonResponseItems(benchmark::State& state) {
  for (auto _ : state) {
    Response response =
        JsonResponse(Json::array({{{"id", 1}, {"name", "Foo"}}, {{"id", 2}, {"name", "Bar"}}}));
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_JsonResponseItems);

}  // namespace
}  // namespace corouter::http
