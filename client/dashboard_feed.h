// client/dashboard_feed.h
//
// One server's live trace feed for `corouter dashboard`: a WatchTraces
// subscription (LIVE mode) that survives the server. When the server cannot
// be reached, or the stream ends or fails, the feed reports it, waits (with
// exponential backoff) and subscribes again with the last cursor it
// received as resume_cursor, so that nothing that completed meanwhile is
// missed (the server says in `lost` what it no longer keeps).
//
// Thread safety: the feed runs on a thread of its own and calls its
// callbacks there, one at a time, never with a lock of the feed held. Stop()
// and the destructor may be called from any other thread.
#ifndef COROUTER_CLIENT_DASHBOARD_FEED_H_
#define COROUTER_CLIENT_DASHBOARD_FEED_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/connection.h"
#include "corouter/v1/execution.pb.h"
#include "grpcpp/client_context.h"

namespace corouter::client {

/// Where a feed is.
enum class FeedState {
  /// Trying to reach the server (the first time, or again after kGone).
  kConnecting,
  /// Subscribed: events arrive as they happen.
  kLive,
  /// Unreachable, or the stream ended or failed; a retry is due.
  kGone,
};

/// "connecting", "live", "gone": the page's names.
const char* FeedStateName(FeedState state);

/// The waits between attempts: `initial` after the first failure, doubled
/// after each further one, at most `max`; back to `initial` once a stream
/// was live.
struct FeedBackoff {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds max{5000};
};

/// The wait after one that lasted `previous` (zero: none yet). Pure.
std::chrono::milliseconds NextBackoff(std::chrono::milliseconds previous,
                                      const FeedBackoff& backoff);

class DashboardFeed {
 public:
  struct Options {
    /// gRPC target, "HOST:PORT".
    std::string server;
    /// TLS and the bearer token (connection.h); plaintext by default.
    ChannelSecurity security{};
    /// The first subscription asks for this many completed traces first
    /// (WatchTracesRequest.replay); later ones resume from the cursor.
    uint32_t replay = 0;
    /// How long one attempt waits for a connection before it counts as gone.
    std::chrono::milliseconds connect_timeout{2000};
    FeedBackoff backoff;
  };
  struct Callbacks {
    /// Every change of state; `error` says why for kGone (and, while
    /// kConnecting again, what the previous attempt saw).
    std::function<void(FeedState state, const std::string& error)> on_state;
    /// Every response of the stream, in order.
    std::function<void(const corouter::v1::WatchTracesResponse& response)> on_response;
  };

  /// Starts the feed's thread (it calls on_state(kConnecting) first).
  DashboardFeed(Options options, Callbacks callbacks);
  /// Stop()s and joins the thread.
  ~DashboardFeed();
  DashboardFeed(const DashboardFeed&) = delete;
  DashboardFeed& operator=(const DashboardFeed&) = delete;

  /// Cancels the stream or the wait; no callback runs once the thread has
  /// been joined (the destructor). Idempotent.
  void Stop();

 private:
  void Run();
  // Waits up to `d`; false when stopped.
  bool WaitFor(std::chrono::milliseconds d);

  const Options options_;
  const Callbacks callbacks_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                   // guarded by mu_
  grpc::ClientContext* context_ = nullptr;  // the live call's; guarded by mu_
  std::thread thread_;
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_DASHBOARD_FEED_H_
