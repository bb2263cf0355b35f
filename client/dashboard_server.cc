#include "client/dashboard_server.h"

#include <sys/socket.h>

#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/dashboard/dashboard_page.h"
#include "httplib.h"

namespace corouter::client {

DashboardServer::DashboardServer(DashboardOptions options)
    : options_(std::move(options)),
      state_(options_.servers, DashboardState::Options{}),
      fanout_(options_.tab_buffer),
      http_(std::make_unique<httplib::Server>()) {}

DashboardServer::~DashboardServer() { Stop(); }

void DashboardServer::OnState(size_t server, FeedState state, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  fanout_.Publish(state_.SetFeedState(server, state, error, absl::Now()));
}

void DashboardServer::OnResponse(size_t server, const corouter::v1::WatchTracesResponse& response) {
  std::lock_guard<std::mutex> lock(mu_);
  for (SseFramePtr& frame : state_.ApplyResponse(server, response, absl::Now())) {
    fanout_.Publish(std::move(frame));
  }
}

absl::StatusOr<int> DashboardServer::Start() {
  httplib::Server& http = *http_;
  // Each event stream holds a thread for as long as its tab is open; the
  // rest serve the page.
  const size_t threads = options_.max_tabs + 8;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_write_timeout(options_.tab_write_timeout.count(), 0);
  // Stop() joins the HTTP threads; one waiting on a kept-alive connection
  // for its next request holds the join for the keep-alive timeout (5 s by
  // default, which a test of Stop() hit under load).
  http.set_keep_alive_timeout(1);
  // httplib's default sets SO_REUSEPORT, which lets a second dashboard bind
  // the same port and silently share its connections: only SO_REUSEADDR (a
  // restart may bind at once over connections in TIME_WAIT).
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  auto serve = [&http](const char* path, std::string_view body, const char* type) {
    http.Get(path, [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(body.data(), body.size(), type);
    });
  };
  serve("/", kDashboardIndexHtml, "text/html; charset=utf-8");
  serve("/app.js", kDashboardAppJs, "text/javascript; charset=utf-8");
  serve("/style.css", kDashboardStyleCss, "text/css; charset=utf-8");
  http.Get("/events", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<SseFanout::Client> client;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fanout_.clients() >= options_.max_tabs) {
        res.status = 503;
        res.set_content(
            absl::StrCat("at most ", options_.max_tabs, " event streams (--max-tabs)\n"),
            "text/plain");
        return;
      }
      client = fanout_.Subscribe(state_.Snapshot(absl::Now()));
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream", [client](size_t, httplib::DataSink& sink) {
          SseFanout::Batch batch = client->Next(std::chrono::seconds(1));
          if (batch.closed) {
            sink.done();
            return true;
          }
          std::string chunk;
          if (batch.dropped > 0) {
            chunk += *DashboardState::DroppedFrame(batch.dropped, client->total_dropped());
          }
          for (const SseFramePtr& frame : batch.frames) chunk += *frame;
          if (chunk.empty()) chunk = *DashboardState::TickFrame(absl::Now());
          return sink.write(chunk.data(), chunk.size());
        });
  });

  int port = options_.listen_port;
  if (port == 0) {
    port = http.bind_to_any_port(options_.listen_host);
  } else if (!http.bind_to_port(options_.listen_host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen_host, ":", options_.listen_port));
  }

  for (size_t i = 0; i < options_.servers.size(); ++i) {
    DashboardFeed::Options feed_options;
    feed_options.server = options_.servers[i];
    feed_options.replay = options_.replay;
    feed_options.backoff = options_.backoff;
    feed_options.security = options_.security;
    DashboardFeed::Callbacks callbacks;
    callbacks.on_state = [this, i](FeedState state, const std::string& error) {
      OnState(i, state, error);
    };
    callbacks.on_response = [this, i](const corouter::v1::WatchTracesResponse& response) {
      OnResponse(i, response);
    };
    feeds_.push_back(std::make_unique<DashboardFeed>(feed_options, std::move(callbacks)));
  }
  listener_ = std::thread([this] {
    http_->listen_after_bind();
    listener_done_.store(true);
  });
  return port;
}

void DashboardServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  fanout_.Close();  // every event stream ends, so the HTTP threads can be joined
  if (listener_.joinable()) {
    // stop() is a no-op before the listener runs: Stop() may come that early.
    while (!http_->is_running() && !listener_done_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    http_->stop();
    listener_.join();
  }
  feeds_.clear();  // stops and joins them: no callback runs after this
}

}  // namespace corouter::client
