#include "server/grpc/served_app.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace corouter::grpc_front {
namespace {

std::vector<std::unique_ptr<stats::RouteStats>> MakeRouteStats(const app::App& app, size_t loops) {
  std::vector<std::unique_ptr<stats::RouteStats>> route_stats;
  for (size_t i = 0; i < loops; ++i) {
    route_stats.push_back(std::make_unique<stats::RouteStats>(app.operations().size()));
  }
  return route_stats;
}

}  // namespace

ServedApp::ServedApp(std::shared_ptr<const app::App> app, const app::EngineOptions& engine_options,
                     size_t loops, uint64_t version, AppSource source)
    : app_(std::move(app)),
      engine_(*app_, engine_options),
      route_stats_(MakeRouteStats(*app_, loops)),
      version_(version),
      source_(std::move(source)),
      loaded_(absl::Now()) {}

absl::StatusOr<std::shared_ptr<const ServedApp>> AppSlot::Replace(
    std::shared_ptr<const app::App> app, AppSource source) {
  if (!app->status().ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the app has a registration error: ", app->status().message()));
  }
  sync::MutexLock lock(&replace_mu_);
  auto served = std::make_shared<const ServedApp>(std::move(app), engine_options_, loops_,
                                                  last_version_ + 1, std::move(source));
  ++last_version_;
  current_.store(served);
  return served;
}

}  // namespace corouter::grpc_front
