// server/metrics/metrics_server.h
//
// MetricsServer: serves GET /metrics (prometheus_text.h) over HTTP/1.1 for
// Prometheus to scrape, with Debian's cpp-httplib on threads of its own: a
// scrape never runs on an event loop thread, and reads the counters the way
// GetStats does (atomics and short per-slot locks), so it never delays a
// request. Any other path is 404; a method other than GET or HEAD, 405.
//
// Thread safety: Start and Stop are called from one controlling thread; the
// snapshot function is called from the server's threads, concurrently with
// everything else, and must be thread-safe.
#ifndef COROUTER_SERVER_METRICS_METRICS_SERVER_H_
#define COROUTER_SERVER_METRICS_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "corouter/v1/execution.pb.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace corouter::metrics {

class MetricsServer {
 public:
  using Snapshot = std::function<corouter::v1::GetStatsResponse()>;

  explicit MetricsServer(Snapshot snapshot);
  /// Stops if running.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Binds `address` ("HOST:PORT"; port 0 lets the OS pick) and serves.
  /// Returns the bound port.
  /// Errors: INVALID_ARGUMENT when `address` is not HOST:PORT; UNAVAILABLE
  /// when it cannot be bound.
  absl::StatusOr<int> Start(const std::string& address);

  /// Checks a listen address: "HOST:PORT" with a port in 0..65535.
  /// Errors: INVALID_ARGUMENT naming what is wrong.
  static absl::Status CheckAddress(const std::string& address);

  /// Stops serving and joins the threads. Idempotent.
  void Stop();

 private:
  Snapshot snapshot_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace corouter::metrics

#endif  // COROUTER_SERVER_METRICS_METRICS_SERVER_H_
