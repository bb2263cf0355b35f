// client/dashboard_server.h
//
// The serving side of `corouter dashboard`: one DashboardFeed per server,
// merged into one DashboardState, fanned out (SseFanout) to every browser
// tab over HTTP (cpp-httplib):
//
//   GET /            the page (client/dashboard/index.html, compiled in)
//   GET /app.js      its script
//   GET /style.css   its style
//   GET /events      text/event-stream: a snapshot, then the live frames
//                    (dashboard_state.h); a tick each idle second; 503 when
//                    --max-tabs streams are open
//
// Each event stream holds one HTTP thread while its tab is open. A tab that
// reads too slowly fills its own bounded queue and loses frames (it is told
// how many); a tab that takes nothing for `tab_write_timeout` is
// disconnected (its EventSource reconnects and starts from a snapshot).
// Neither slows another tab or the gRPC readers.
//
// Thread safety: Start and Stop are called from one thread; everything else
// runs on the server's own threads.
#ifndef COROUTER_CLIENT_DASHBOARD_SERVER_H_
#define COROUTER_CLIENT_DASHBOARD_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "client/dashboard_feed.h"
#include "client/dashboard_state.h"
#include "client/sse_fanout.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace corouter::client {

/// Validated settings of the dashboard (ToDashboardOptions makes them from
/// the flags).
struct DashboardOptions {
  /// The servers watched, as gRPC targets "HOST:PORT"; their labels on the page.
  std::vector<std::string> servers;
  /// Where the page is served; port 0 lets the OS pick.
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  /// Written with the bound port once listening (RunDashboard); empty: none.
  std::string port_file;
  /// Frames queued per tab before it drops.
  size_t tab_buffer = 4096;
  /// Event streams served at once.
  size_t max_tabs = 32;
  /// Completed traces each server is asked to send first.
  uint32_t replay = 50;
  /// How long a write to a tab may wait for it to take data.
  std::chrono::seconds tab_write_timeout{5};
  /// The feeds' reconnect backoff.
  FeedBackoff backoff;
  /// TLS and the bearer token, the same for every server (--tls, --ca,
  /// --cert, --key, --token-file, COROUTER_TOKEN).
  ChannelSecurity security{};
};

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions options);
  /// Stop()s.
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  /// Binds the listening address, starts the feeds, and serves on threads of
  /// its own. Returns the bound port. Errors: Unavailable when the address
  /// cannot be bound (then nothing runs). Call once.
  absl::StatusOr<int> Start();
  /// Ends every event stream, stops serving and stops the feeds; returns
  /// when all of the server's threads are done. Idempotent.
  void Stop();

 private:
  void OnState(size_t server, FeedState state, const std::string& error);
  void OnResponse(size_t server, const corouter::v1::WatchTracesResponse& response);

  const DashboardOptions options_;
  std::mutex mu_;  // serialises state_ and the order of published frames
  DashboardState state_;
  SseFanout fanout_;
  std::vector<std::unique_ptr<DashboardFeed>> feeds_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> listener_done_{false};
  bool stopped_ = false;
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_DASHBOARD_SERVER_H_
