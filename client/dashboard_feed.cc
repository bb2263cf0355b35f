#include "client/dashboard_feed.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/rpc_error.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace corouter::client {
namespace v1 = corouter::v1;

const char* FeedStateName(FeedState state) {
  switch (state) {
    case FeedState::kConnecting:
      return "connecting";
    case FeedState::kLive:
      return "live";
    case FeedState::kGone:
      return "gone";
  }
  return "gone";
}

std::chrono::milliseconds NextBackoff(std::chrono::milliseconds previous,
                                      const FeedBackoff& backoff) {
  if (previous <= std::chrono::milliseconds::zero()) return std::min(backoff.initial, backoff.max);
  return std::min(previous * 2, backoff.max);
}

DashboardFeed::DashboardFeed(Options options, Callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  thread_ = std::thread([this] { Run(); });
}

DashboardFeed::~DashboardFeed() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void DashboardFeed::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (context_ != nullptr) context_->TryCancel();
  wake_.notify_all();
}

bool DashboardFeed::WaitFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !wake_.wait_for(lock, d, [&] { return stopping_; });
}

namespace {

std::string Describe(const grpc::Status& status) {
  if (status.ok()) return "the server ended the stream (it is shutting down)";
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::StrCat("the server went away (", status.error_message(), ")");
  }
  return absl::StrCat("WatchTraces failed: ", StatusCodeName(status.error_code()), ": ",
                      status.error_message());
}

}  // namespace

void DashboardFeed::Run() {
  // gRPC's own reconnect backoff would otherwise grow to two minutes while a
  // server is down; keep it close to ours so a server that comes back is
  // seen soon.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(options_.backoff.initial.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
              static_cast<int>(options_.backoff.initial.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options_.backoff.max.count()));
  std::shared_ptr<grpc::Channel> channel = CreateChannel(options_.server, options_.security, args);
  auto stub = v1::ExecutionService::NewStub(channel);

  std::string cursor;
  bool first = true;
  std::chrono::milliseconds backoff{0};
  std::string error;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    callbacks_.on_state(FeedState::kConnecting, error);
    // Wait for a connection in short slices, so that Stop() is prompt.
    const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
    bool connected = false;
    while (!connected && std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      connected = channel->WaitForConnected(std::chrono::system_clock::now() +
                                            std::chrono::milliseconds(100));
    }
    if (connected) {
      grpc::ClientContext context;
      v1::WatchTracesRequest request;
      request.set_mode(v1::WATCH_MODE_LIVE);
      if (!cursor.empty()) {
        request.set_resume_cursor(cursor);
      } else if (first) {
        request.set_replay(options_.replay);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        context_ = &context;
      }
      auto reader = stub->WatchTraces(&context, request);
      first = false;
      callbacks_.on_state(FeedState::kLive, "");
      backoff = std::chrono::milliseconds::zero();
      v1::WatchTracesResponse response;
      while (reader->Read(&response)) {
        if (!response.cursor().empty()) cursor = response.cursor();
        callbacks_.on_response(response);
      }
      const grpc::Status status = reader->Finish();
      {
        std::lock_guard<std::mutex> lock(mu_);
        context_ = nullptr;
        if (stopping_) return;
      }
      error = Describe(status);
    } else {
      error = absl::StrCat("cannot reach the server (no connection within ",
                           options_.connect_timeout.count(), "ms)");
    }
    backoff = NextBackoff(backoff, options_.backoff);
    callbacks_.on_state(FeedState::kGone,
                        absl::StrCat(error, "; retrying in ", backoff.count(), "ms"));
    if (!WaitFor(backoff)) return;
  }
}

}  // namespace corouter::client
