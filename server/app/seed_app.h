// server/app/seed_app.h
//
// The embedded seed app: every path operation the seeds show
// (shared/seeds/000-004), with their bodies and durations.
//
//   GET /hello              def        {"message":"Hello"}                seed 001
//   GET /ping               def        {"ping":"pong"}                    seed 001
//   GET /wait               async def  await sleep(2s)                    seed 000
//   GET /slow_task/{item_id} async def item_id: int, q: str|None = None;
//                                      await sleep(5s)                    seed 004
//   GET /fast_task/         async def  {"message":"This is fast!"}        seed 004
//   GET /sync-task          async def  await offload(blocking_function),
//                                      which blocks 1s                    seed 001 step 6
//   GET /items              async def  await a 100ms database fetch       seed 001 step 5
//   GET /blocking           async def  blocks the loop 2s (time.sleep)   seed 003 C
//   GET /sync-wait          def        blocks an executor thread 2s       seed 003
//
// Every duration is multiplied by `time_scale` (tests run at 0.01 or so).
// examples/seed_app.yaml declares the same app as a route file
// (server/app/route_file.h); tests/integration/route_file_test.cc checks that
// both answer and trace every route alike. Like every App, it starts with
// FastAPI's built-in /openapi.json route.
//
// Thread safety: the returned App is read-only once built.
#ifndef COROUTER_SERVER_APP_SEED_APP_H_
#define COROUTER_SERVER_APP_SEED_APP_H_

#include "server/app/app.h"

namespace corouter::app {

struct SeedAppOptions {
  /// Multiplies every sleep and blocking duration; must be >= 0.
  double time_scale = 1.0;
};

/// Builds the seed app. The App is returned with an OK status.
App BuildSeedApp(const SeedAppOptions& options = {});

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_SEED_APP_H_
