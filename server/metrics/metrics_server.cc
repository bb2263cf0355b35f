#include "server/metrics/metrics_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/metrics/prometheus_text.h"

namespace corouter::metrics {

MetricsServer::MetricsServer(Snapshot snapshot) : snapshot_(std::move(snapshot)) {}

MetricsServer::~MetricsServer() { Stop(); }

namespace {

struct ListenAddress {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  ListenAddress out;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &out.port) || out.port < 0 || out.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", address, "\" is not HOST:PORT (such as 127.0.0.1:9464)"));
  }
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

}  // namespace

absl::Status MetricsServer::CheckAddress(const std::string& address) {
  return ParseListenAddress(address).status();
}

absl::StatusOr<int> MetricsServer::Start(const std::string& address) {
  absl::StatusOr<ListenAddress> parsed = ParseListenAddress(address);
  if (!parsed.ok()) return parsed.status();
  const std::string& host = parsed->host;
  const int port = parsed->port;
  server_ = std::make_unique<httplib::Server>();
  // Two threads: scrapes are rare and quick (httplib's default is 8+).
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  // httplib's default socket options add SO_REUSEPORT, which would let a
  // second server bind this port and silently share its scrapes: only
  // SO_REUSEADDR. Short keep-alive: Stop() joins threads waiting on one.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->set_keep_alive_timeout(1);
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(RenderMetrics(snapshot_()), std::string(kPrometheusContentType));
  });
  server_->set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (response.status == 404 && request.path == "/metrics") response.status = 405;
    response.set_content(response.status == 405 ? "only GET /metrics is served\n"
                                                : "not found: metrics are at GET /metrics\n",
                         "text/plain; charset=utf-8");
  });
  int bound = -1;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
  } else if (server_->bind_to_port(host, port)) {
    bound = port;
  }
  if (bound <= 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, " for metrics"));
  }
  thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  // httplib's stop() only stops a server already listening: wait for that,
  // so that Stop() right after Start() cannot miss it. The socket is bound,
  // so this is the thread starting, not the network.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void MetricsServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace corouter::metrics
