// server/grpc/served_app.h
//
// ServedApp: one version of the app a server serves: the App, the Engine
// that runs its requests, and its per-loop route counters. AppSlot holds the
// version being served now and replaces it atomically (AdminService.LoadApp,
// corouter-server --watch).
//
// A request takes the current version when it is admitted and keeps it (a
// shared_ptr held by its call object, background tasks included) until it
// is done, so requests already running finish on the app they started on
// while new ones see the new app: the same guarantee a rolling restart of
// uvicorn workers gives, without the restart. A version is freed once the
// last request on it is done.
//
// Route counters (GetStats' routes, Prometheus' per-route series) belong to
// a version: after a replacement they count from zero, for the new routes.
// A request that started on the old version is counted there.
//
// Thread safety: a ServedApp is immutable after construction but for its
// route counters, which are thread-safe (stats/route_stats.h). AppSlot's
// methods are thread-safe.
#ifndef COROUTER_SERVER_GRPC_SERVED_APP_H_
#define COROUTER_SERVER_GRPC_SERVED_APP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/app/app.h"
#include "server/app/engine.h"
#include "server/stats/route_stats.h"
#include "server/sync/mutex.h"

namespace corouter::grpc_front {

/// Where a version came from, as AppVersion reports it.
struct AppSource {
  /// "--app routes.yaml", "--watch routes.yaml", "LoadApp", "the seed app".
  std::string source{};
  /// The route file's text; empty for an app built in C++.
  std::string route_file{};
};

class ServedApp {
 public:
  /// `app` must have an OK status; `loops` route counters are made, one per
  /// event loop.
  ServedApp(std::shared_ptr<const app::App> app, const app::EngineOptions& engine_options,
            size_t loops, uint64_t version, AppSource source);

  const app::App& app() const { return *app_; }
  const app::Engine& engine() const { return engine_; }
  /// Loop `loop`'s counters of this version's routes (loop < loops).
  stats::RouteStats& route_stats(size_t loop) const { return *route_stats_[loop]; }
  size_t loops() const { return route_stats_.size(); }

  /// 1 for the app the server started with, one more per replacement.
  uint64_t version() const { return version_; }
  const AppSource& source() const { return source_; }
  absl::Time loaded() const { return loaded_; }

 private:
  const std::shared_ptr<const app::App> app_;
  const app::Engine engine_;
  const std::vector<std::unique_ptr<stats::RouteStats>> route_stats_;
  const uint64_t version_;
  const AppSource source_;
  const absl::Time loaded_;
};

class AppSlot {
 public:
  /// Empty until the first Replace. Every version gets `loops` route
  /// counters and an Engine with `engine_options`.
  AppSlot(app::EngineOptions engine_options, size_t loops)
      : engine_options_(std::move(engine_options)), loops_(loops) {}

  /// The version served now; null before the first Replace. Lock-free for
  /// readers in effect (std::atomic<std::shared_ptr>: a short spin).
  std::shared_ptr<const ServedApp> current() const { return current_.load(); }

  /// Serves `app` from now on, as the next version (1 for the first), and
  /// returns that version. Errors: FAILED_PRECONDITION when `app`'s status
  /// is not OK (a registration error); the served version is then
  /// unchanged. Serialised with other Replace calls.
  absl::StatusOr<std::shared_ptr<const ServedApp>> Replace(std::shared_ptr<const app::App> app,
                                                           AppSource source);

 private:
  const app::EngineOptions engine_options_;
  const size_t loops_;
  sync::Mutex replace_mu_;  // one Replace at a time: versions in order
  uint64_t last_version_ ABSL_GUARDED_BY(replace_mu_) = 0;
  std::atomic<std::shared_ptr<const ServedApp>> current_;
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_SERVED_APP_H_
