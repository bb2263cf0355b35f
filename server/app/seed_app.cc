#include "server/app/seed_app.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "server/loop/offload.h"
#include "server/loop/sleep.h"

namespace corouter::app {
namespace {

using http::Json;
using http::JsonResponse;
using http::Response;
using loop::Task;
using routing::ParamSpec;
using routing::ParamType;

}  // namespace

App BuildSeedApp(const SeedAppOptions& options) {
  const double scale = options.time_scale;
  auto scaled = [scale](std::chrono::milliseconds d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d * scale);
  };
  using std::chrono::milliseconds;

  App app;
  // seed 001, step 1: a plain `def`.
  app.Get("/hello", "say_hello", {}, [](RequestContext&) -> Response {
    return JsonResponse({{"message", "Hello"}});
  });
  // seed 001, pitfall #2: a fast function needs no async.
  app.Get("/ping", "simple_ping", {}, [](RequestContext&) -> Response {
    return JsonResponse({{"ping", "pong"}});
  });
  // seed 000: await asyncio.sleep(2).
  app.Get("/wait", "wait_seconds", {},
          [d = scaled(milliseconds(2000))](RequestContext&) -> Task<Response> {
            co_await loop::Sleep(d);
            co_return JsonResponse({{"message", "Waited 2 seconds"}});
          });
  // seed 004: read_item(item_id: int, q: str | None = None), sleep(5).
  app.Get(
      "/slow_task/{item_id}", "read_item",
      {ParamSpec::Path("item_id", ParamType::kInt), ParamSpec::OptionalQuery("q", ParamType::kStr)},
      [d = scaled(milliseconds(5000))](RequestContext& ctx) -> Task<Response> {
        co_await loop::Sleep(d);
        co_return JsonResponse({{"item_id", ctx.Param("item_id")}, {"q", ctx.Param("q")}});
      });
  // seed 004: read_root, no await at all.
  app.Get("/fast_task/", "read_root", {}, [](RequestContext&) -> Task<Response> {
    co_return JsonResponse({{"message", "This is fast!"}});
  });
  // seed 001, step 6: run_in_executor(executor, blocking_function).
  app.Get("/sync-task", "run_sync_task", {},
          [d = scaled(milliseconds(1000))](RequestContext&) -> Task<Response> {
            Json result = co_await loop::Offload("blocking_function", [d] {
              std::this_thread::sleep_for(d);
              return Json("blocking_function done");
            });
            co_return JsonResponse({{"result", std::move(result)}});
          });
  // seed 001, step 5: items = await database.fetch_all(query).
  app.Get("/items", "read_items", {},
          [d = scaled(milliseconds(100))](RequestContext&) -> Task<Response> {
            co_await loop::Sleep(d);  // the simulated database round trip
            co_return JsonResponse(
                Json::array({{{"id", 1}, {"name", "Foo"}}, {{"id", 2}, {"name", "Bar"}}}));
          });
  // seed 001, pitfall #3: `data = async_db_call()  # missing await`. The
  // coroutine is created and dropped: nothing runs, the answer is at once.
  app.Get(
      "/missing-await", "fetch", {},
      [warned = std::make_shared<std::atomic<bool>>(false)](RequestContext& ctx) -> Task<Response> {
        ctx.DropNeverAwaited("async_db_call", warned.get());
        co_return JsonResponse({{"message", "answered at once: async_db_call() never ran"}});
      });
  // seed 004: "background tasks that need to run even after the request has
  // finished", as FastAPI's own example: the answer comes at once, then
  // write_notification (a def: on the executor) and ping_webhook (an async
  // def: on the loop) run.
  app.Route({"POST"}, "/send-notification/{email}", "send_notification",
            {ParamSpec::Path("email", ParamType::kStr)},
            [write = scaled(milliseconds(100)),
             ping = scaled(milliseconds(1000))](RequestContext& ctx) -> Task<Response> {
              ctx.AddBackgroundTask("write_notification",
                                    [write](RequestContext& c) { c.BlockingSleep(write); });
              ctx.AddBackgroundTask("ping_webhook", [ping](RequestContext&) -> Task<void> {
                co_await loop::Sleep(ping);
              });
              co_return JsonResponse({{"message", "Notification sent in the background"}});
            });
  // seed 003 request C / seed 001 pitfall #1: time.sleep(2) in an async def.
  app.Get("/blocking", "blocking_wait", {},
          [d = scaled(milliseconds(2000))](RequestContext& ctx) -> Task<Response> {
            ctx.BlockingSleep(d);
            co_return JsonResponse({{"message", "done"}});
          });
  // seed 003: the same sleep in a plain def runs on the executor.
  app.Get("/sync-wait", "sync_wait", {},
          [d = scaled(milliseconds(2000))](RequestContext& ctx) -> Response {
            ctx.BlockingSleep(d);
            return JsonResponse({{"message", "done"}});
          });
  return app;
}

}  // namespace corouter::app
