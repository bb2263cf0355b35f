// inventory-server: a program of its own, outside corouter's tree, that
// serves its own C++ path operations with corouter-server's command line
// (corouter::Serve). Built against the installed package (CMakeLists.txt).
#include <chrono>
#include <cstdint>
#include <string>

#include "server/app/app.h"
#include "server/app/http_exception.h"
#include "server/http/response.h"
#include "server/loop/offload.h"
#include "server/loop/sleep.h"
#include "server/serve.h"

namespace {

using corouter::app::App;
using corouter::app::RequestContext;
using corouter::http::JsonResponse;
using corouter::http::Response;
using corouter::loop::Task;
using corouter::routing::ParamSpec;
using corouter::routing::ParamType;

App InventoryApp(double time_scale) {
  App app({.title = "inventory"});
  // async def read_item(item_id: int, q: str | None = None): awaits, then answers.
  app.Get(
      "/items/{item_id}", "read_item",
      {ParamSpec::Path("item_id", ParamType::kInt), ParamSpec::OptionalQuery("q", ParamType::kStr)},
      [time_scale](RequestContext& ctx) -> Task<Response> {
        const int64_t id = ctx.Get<int64_t>("item_id");
        if (id > 1000) throw corouter::app::HttpException(404, "Item not found");
        co_await corouter::loop::Sleep(std::chrono::duration<double, std::milli>(50 * time_scale));
        co_return JsonResponse({{"item_id", id}, {"q", ctx.Param("q")}, {"in_stock", true}});
      });
  // def count_items(): a sync path operation, on the executor.
  app.Get("/count", "count_items", {}, [](RequestContext&) {
    return JsonResponse({{"count", 1000}});
  });
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  return corouter::Serve(
      argc, argv,
      {.program = "inventory-server",
       .description = "inventory-server: an app of its own, served by corouter",
       .app = [](double time_scale) -> absl::StatusOr<App> { return InventoryApp(time_scale); },
       .app_name = "inventory app"});
}
