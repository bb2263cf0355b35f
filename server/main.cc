// corouter-server: serves the embedded seed app, or a route file (--app), over
// gRPC (corouter.v1.ExecutionService). The command line is corouter::Serve's
// (server/serve.h), which other programs use to serve an App of their own.
#include "server/app/seed_app.h"
#include "server/serve.h"

int main(int argc, char** argv) {
  return corouter::Serve(argc, argv,
                         {.app = [](double time_scale) -> absl::StatusOr<corouter::app::App> {
                            return corouter::app::BuildSeedApp({.time_scale = time_scale});
                          },
                          .app_name = "seed app"});
}
