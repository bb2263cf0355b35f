// Tests of client/dashboard_server.h over real sockets: the page and its
// files, the event stream's snapshot and live frames from an in-process
// fake server, a tab that stops reading while another keeps up (the slow one
// drops and is told; the other gets every frame), and --max-tabs.
#include "client/dashboard_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "corouter/v1/execution.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(20);

// WatchTraces writes Send(n)'s responses, one request (one RECEIVED event
// with a 16 KiB detail) per response, until the call is cancelled.
class FakeFeedService final : public v1::ExecutionService::Service {
 public:
  grpc::Status WatchTraces(grpc::ServerContext* context, const v1::WatchTracesRequest*,
                           grpc::ServerWriter<v1::WatchTracesResponse>* writer) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++subscribers_;
    changed_.notify_all();
    while (!context->IsCancelled()) {
      changed_.wait_for(lock, milliseconds(10), [&] { return pending_ > 0; });
      while (pending_ > 0) {
        --pending_;
        v1::WatchTracesResponse response;
        v1::TraceEvent* e = response.add_events();
        e->set_request_id("f-" + std::to_string(++sent_));
        e->set_sequence(1);
        e->set_step(v1::STEP_RECEIVED);
        e->set_thread("loop-0");
        e->set_detail(std::string(16 * 1024, 'x'));
        lock.unlock();
        writer->Write(response);
        lock.lock();
      }
    }
    return grpc::Status::CANCELLED;
  }
  void Send(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ += n;
    changed_.notify_all();
  }
  bool AwaitSubscriber() {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kDeadline, [&] { return subscribers_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int subscribers_ = 0;
  int pending_ = 0;
  int sent_ = 0;
};

// A raw HTTP/1.1 client on 127.0.0.1:port; reads are bounded by `timeout`.
class RawClient {
 public:
  RawClient(int port, const std::string& path, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    timeval tv{0, 200'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    connected_ = connected_ && send(fd_, request.data(), request.size(), 0) ==
                                   static_cast<ssize_t>(request.size());
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }

  // Reads until `text` has been received since the last ReadUntil (or the
  // deadline, or the connection's end); true if it was.
  bool ReadUntil(const std::string& text,
                 std::chrono::steady_clock::duration deadline = kDeadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (true) {
      const size_t at = received_.find(text, scanned_);
      if (at != std::string::npos) {
        scanned_ = at + text.size();
        return true;
      }
      if (std::chrono::steady_clock::now() >= end) return false;
      char buffer[65536];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) return false;
      if (n > 0) received_.append(buffer, static_cast<size_t>(n));
    }
  }
  // Reads until the server closes the connection (or the deadline); true if
  // it did.
  bool ReadToEnd(std::chrono::steady_clock::duration deadline = kDeadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      char buffer[65536];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) return true;
      if (n > 0) received_.append(buffer, static_cast<size_t>(n));
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
    }
    return false;
  }
  // Occurrences of `text` received so far.
  size_t Count(const std::string& text) const {
    size_t count = 0;
    for (size_t at = received_.find(text); at != std::string::npos;
         at = received_.find(text, at + text.size())) {
      ++count;
    }
    return count;
  }
  const std::string& received() const { return received_; }
  // Drops what was received (keeps memory small while flooding).
  void Forget() {
    received_.clear();
    scanned_ = 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
  size_t scanned_ = 0;
};

class DashboardServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port_);
    builder.RegisterService(&service_);
    grpc_ = builder.BuildAndStart();
    ASSERT_NE(grpc_port_, 0);
  }
  void TearDown() override {
    if (dashboard_) dashboard_->Stop();
    grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  int StartDashboard(size_t tab_buffer, size_t max_tabs) {
    DashboardOptions options;
    options.servers = {"127.0.0.1:" + std::to_string(grpc_port_)};
    options.listen_port = 0;
    options.tab_buffer = tab_buffer;
    options.max_tabs = max_tabs;
    options.tab_write_timeout = std::chrono::seconds(60);
    dashboard_ = std::make_unique<DashboardServer>(options);
    absl::StatusOr<int> port = dashboard_->Start();
    EXPECT_TRUE(port.ok()) << port.status();
    return port.ok() ? *port : 0;
  }

  FakeFeedService service_;
  int grpc_port_ = 0;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<DashboardServer> dashboard_;
};

TEST_F(DashboardServerTest, ServesThePageAndItsFilesFromTheBinary) {
  const int port = StartDashboard(64, 4);
  RawClient page(port, "/");
  ASSERT_TRUE(page.connected());
  ASSERT_TRUE(page.ReadUntil("</html>"));
  EXPECT_THAT(page.received(), HasSubstr("Content-Type: text/html; charset=utf-8"));
  EXPECT_THAT(page.received(), HasSubstr("<title>corouter dashboard</title>"));
  RawClient script(port, "/app.js");
  ASSERT_TRUE(script.ReadUntil("window.corouterDashboard"));
  EXPECT_THAT(script.received(), HasSubstr("Content-Type: text/javascript"));
  RawClient style(port, "/style.css");
  ASSERT_TRUE(style.ReadUntil("--blocked"));
  RawClient missing(port, "/nope");
  ASSERT_TRUE(missing.ReadUntil("HTTP/1.1 404"));
}

TEST_F(DashboardServerTest, ASlowTabDropsAndIsToldWhileTheOtherGetsEveryFrame) {
  const int port = StartDashboard(16, 4);
  ASSERT_TRUE(service_.AwaitSubscriber());
  {
    // The feed says it is live (in a tab's snapshot, or just after it).
    RawClient probe(port, "/events");
    ASSERT_TRUE(probe.ReadUntil("\"state\":\"live\""));
  }
  // The slow tab's socket buffer is tiny, and it reads nothing after its
  // snapshot, so the dashboard's writes to it soon wait.
  RawClient slow(port, "/events", 4096);
  RawClient fast(port, "/events");
  ASSERT_TRUE(slow.ReadUntil("event: synced"));
  ASSERT_TRUE(fast.ReadUntil("event: synced"));
  EXPECT_THAT(fast.received(), HasSubstr("Content-Type: text/event-stream"));

  // 1,000 frames of 16 KiB (16 MB: more than the kernel buffers hold for
  // the slow tab), 8 at a time: the fast tab reads each round before the
  // next, so its queue (16) never fills and it gets them all in order.
  constexpr int kRounds = 125;
  for (int round = 1; round <= kRounds; ++round) {
    service_.Send(8);
    for (int i = 1; i <= 8; ++i) {
      const std::string id = "\"requestId\":\"f-" + std::to_string((round - 1) * 8 + i) + "\"";
      ASSERT_TRUE(fast.ReadUntil(id)) << "round " << round << ": no " << id;
    }
    ASSERT_EQ(fast.Count("event: dropped"), 0u) << "round " << round;
    fast.Forget();
  }

  // The slow tab now reads: its queue overflowed, and it is told by how much.
  ASSERT_TRUE(slow.ReadUntil("event: dropped\ndata: {\"count\":"));
  ASSERT_TRUE(slow.ReadUntil("}"));
  const std::string& text = slow.received();
  const size_t at = text.find("event: dropped\ndata: {\"count\":");
  const int dropped =
      std::stoi(text.substr(at + std::string("event: dropped\ndata: {\"count\":").size()));
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, 1000);
}

TEST_F(DashboardServerTest, MoreTabsThanMaxTabsGet503) {
  const int port = StartDashboard(64, 1);
  RawClient first(port, "/events");
  ASSERT_TRUE(first.ReadUntil("event: synced"));
  RawClient second(port, "/events");
  ASSERT_TRUE(second.ReadUntil("HTTP/1.1 503"));
  EXPECT_TRUE(second.ReadUntil("--max-tabs"));
}

TEST_F(DashboardServerTest, StopEndsOpenEventStreams) {
  const int port = StartDashboard(64, 4);
  RawClient tab(port, "/events");
  ASSERT_TRUE(tab.ReadUntil("event: synced"));
  const auto start = std::chrono::steady_clock::now();
  dashboard_->Stop();
  // A stream waiting for frames is woken, not left to its idle tick.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The stream has ended: the last chunk, or the connection closed under it.
  EXPECT_TRUE(tab.ReadToEnd());
}

TEST(DashboardServerBindTest, AnAddressInUseIsAnError) {
  DashboardOptions options;
  options.servers = {"127.0.0.1:1"};
  options.listen_port = 0;
  DashboardServer first(options);
  absl::StatusOr<int> port = first.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  options.listen_port = *port;
  DashboardServer second(options);
  absl::StatusOr<int> again = second.Start();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("cannot listen on 127.0.0.1:"));
}

}  // namespace
}  // namespace corouter::client
