// Tests of client/dashboard_feed.h against an in-process fake
// ExecutionService on a loopback port: the first subscription's replay, a
// stream that ends and is resumed with its cursor, an unreachable server,
// and the backoff.
#include "client/dashboard_feed.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "corouter/v1/execution.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(20);

// The first WatchTraces call gets one response (cursor "c1") and ends OK;
// later calls get nothing and last until cancelled.
class FakeWatchService final : public v1::ExecutionService::Service {
 public:
  grpc::Status WatchTraces(grpc::ServerContext* context, const v1::WatchTracesRequest* request,
                           grpc::ServerWriter<v1::WatchTracesResponse>* writer) override {
    size_t call;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(*request);
      call = requests_.size();
      changed_.notify_all();
    }
    if (call == 1) {
      v1::WatchTracesResponse response;
      v1::TraceEvent* e = response.add_events();
      e->set_request_id("0-1");
      e->set_sequence(1);
      e->set_step(v1::STEP_RECEIVED);
      response.set_cursor("c1");
      writer->Write(response);
      return grpc::Status::OK;
    }
    while (!context->IsCancelled()) std::this_thread::sleep_for(milliseconds(5));
    return grpc::Status::CANCELLED;
  }

  // Waits (bounded) until `n` calls came; returns their requests.
  std::vector<v1::WatchTracesRequest> AwaitCalls(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, kDeadline, [&] { return requests_.size() >= n; });
    return requests_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<v1::WatchTracesRequest> requests_;
};

// What a feed reported, for the test thread to wait on.
class Recorder {
 public:
  DashboardFeed::Callbacks Callbacks() {
    return {.on_state =
                [this](FeedState state, const std::string& error) {
                  std::lock_guard<std::mutex> lock(mu_);
                  states_.push_back(state);
                  errors_.push_back(error);
                  changed_.notify_all();
                },
            .on_response =
                [this](const v1::WatchTracesResponse& response) {
                  std::lock_guard<std::mutex> lock(mu_);
                  cursors_.push_back(response.cursor());
                  changed_.notify_all();
                }};
  }
  // Waits (bounded) until `n` states were reported.
  bool AwaitStates(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kDeadline, [&] { return states_.size() >= n; });
  }
  std::vector<FeedState> states() {
    std::lock_guard<std::mutex> lock(mu_);
    return states_;
  }
  std::vector<std::string> errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }
  std::vector<std::string> cursors() {
    std::lock_guard<std::mutex> lock(mu_);
    return cursors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<FeedState> states_;
  std::vector<std::string> errors_;
  std::vector<std::string> cursors_;
};

TEST(DashboardFeedTest, AnEndedStreamIsResumedWithItsCursor) {
  FakeWatchService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(port, 0);

  Recorder recorder;
  {
    DashboardFeed feed({.server = "127.0.0.1:" + std::to_string(port),
                        .replay = 7,
                        .connect_timeout = milliseconds(5000),
                        .backoff = {milliseconds(10), milliseconds(50)}},
                       recorder.Callbacks());
    std::vector<v1::WatchTracesRequest> calls = service.AwaitCalls(2);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].mode(), v1::WATCH_MODE_LIVE);
    EXPECT_EQ(calls[0].replay(), 7u);
    EXPECT_EQ(calls[0].resume_cursor(), "");
    EXPECT_EQ(calls[1].mode(), v1::WATCH_MODE_LIVE);
    EXPECT_EQ(calls[1].resume_cursor(), "c1");
    ASSERT_TRUE(recorder.AwaitStates(5));
  }  // Stop(): cancels the second call, which would otherwise last forever.
  EXPECT_THAT(recorder.states(),
              ElementsAre(FeedState::kConnecting, FeedState::kLive, FeedState::kGone,
                          FeedState::kConnecting, FeedState::kLive));
  EXPECT_THAT(recorder.errors()[2], HasSubstr("ended the stream"));
  EXPECT_THAT(recorder.errors()[2], HasSubstr("retrying in 10ms"));
  EXPECT_THAT(recorder.cursors(), ElementsAre("c1"));
  server->Shutdown();
}

TEST(DashboardFeedTest, AnUnreachableServerIsGoneWithTheReasonAndRetried) {
  Recorder recorder;
  // Port 1 on loopback: nothing listens there (connection refused).
  DashboardFeed feed({.server = "127.0.0.1:1",
                      .connect_timeout = milliseconds(200),
                      .backoff = {milliseconds(10), milliseconds(20)}},
                     recorder.Callbacks());
  ASSERT_TRUE(recorder.AwaitStates(3));
  std::vector<FeedState> states = recorder.states();
  EXPECT_EQ(states[0], FeedState::kConnecting);
  EXPECT_EQ(states[1], FeedState::kGone);
  EXPECT_EQ(states[2], FeedState::kConnecting);
  EXPECT_THAT(recorder.errors()[1], HasSubstr("cannot reach the server"));
  // The retry says what the previous attempt saw.
  EXPECT_THAT(recorder.errors()[2], HasSubstr("cannot reach the server"));
}

TEST(DashboardFeedTest, BackoffDoublesUpToItsMaximum) {
  const FeedBackoff b{milliseconds(250), milliseconds(1000)};
  EXPECT_EQ(NextBackoff(milliseconds(0), b), milliseconds(250));
  EXPECT_EQ(NextBackoff(milliseconds(250), b), milliseconds(500));
  EXPECT_EQ(NextBackoff(milliseconds(500), b), milliseconds(1000));
  EXPECT_EQ(NextBackoff(milliseconds(1000), b), milliseconds(1000));
}

TEST(DashboardFeedTest, StateNames) {
  EXPECT_STREQ(FeedStateName(FeedState::kConnecting), "connecting");
  EXPECT_STREQ(FeedStateName(FeedState::kLive), "live");
  EXPECT_STREQ(FeedStateName(FeedState::kGone), "gone");
}

}  // namespace
}  // namespace corouter::client
