#include "client/watch_command.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "client/chrome_trace.h"
#include "client/exit_code.h"
#include "client/rpc_error.h"
#include "client/trace_recording.h"
#include "client/watch_view.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"

// Last: curses defines macros (OK, ERR, timeout...) that gRPC's headers use as names.
#include <curses.h>
#undef OK

namespace corouter::client {
namespace v1 = corouter::v1;
namespace {

// Waits for SIGINT/SIGTERM (blocked in every thread) until `done`; on one,
// sets `stopped` and calls `cancel` (which cancels the streams).
class StopSignals {
 public:
  /// Call before any thread starts (gRPC starts its own when a channel is
  /// made): threads inherit the mask, so none of them takes the signal.
  static void Block() {
    sigset_t set = Set();
    // A shell starts background jobs with SIGINT ignored, and an ignored
    // signal is discarded, never pending: restore the default so that
    // sigtimedwait receives it.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

  explicit StopSignals(std::function<void()> cancel) : set_(Set()) {
    thread_ = std::thread([this, cancel = std::move(cancel)] {
      const timespec tick{0, 50'000'000};
      while (!done_.load()) {
        if (sigtimedwait(&set_, nullptr, &tick) > 0) {
          stopped_.store(true);
          cancel();
          return;
        }
      }
    });
  }
  ~StopSignals() {
    done_.store(true);
    thread_.join();
  }
  bool stopped() const { return stopped_.load(); }
  static sigset_t Set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
  }
  void Stop() { stopped_.store(true); }

 private:
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

// The drop and loss reports of `response` as lines of their own; `label`
// (several servers) names the server they come from.
void PrintReports(const v1::WatchTracesResponse& response, WatchDisplay display,
                  const std::string& label, std::ostream& out) {
  // {"droppedEvents":"3"} as {"server":"A","droppedEvents":"3"} when labelled.
  auto json_line = [&label](const std::string& members) {
    if (label.empty()) return absl::StrCat("{", members, "}");
    return absl::StrCat(
        "{\"server\":",
        nlohmann::json(label).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), ",",
        members, "}");
  };
  const std::string prefix = label.empty() ? "# " : absl::StrCat("# ", label, ": ");
  if (response.dropped_events() > 0) {
    out << (display == WatchDisplay::kJson
                ? json_line(absl::StrCat("\"droppedEvents\":\"", response.dropped_events(), "\""))
                : absl::StrCat(prefix, "dropped ", response.dropped_events(),
                               " events: this subscriber's queue was full"))
        << '\n';
  }
  if (response.has_lost()) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(response.lost(), &json);
    out << (display == WatchDisplay::kJson
                ? json_line(absl::StrCat("\"lost\":", json))
                : absl::StrCat(prefix, "lost ", response.lost().traces(), " traces",
                               response.lost().earlier_run() ? " (the server restarted)" : "",
                               " before the resume cursor's"))
        << '\n';
  }
}

// Defined below: runs the watch, recording the events when asked to.
int WatchUntilEnd(const WatchOptions& options, std::ostream& out, std::ostream& err,
                  TraceRecording& recording);

}  // namespace

int RunWatch(const WatchOptions& options, std::ostream& out, std::ostream& err) {
  TraceRecording recording;
  const int code = WatchUntilEnd(options, out, err, recording);
  if (options.record_path.empty()) return code;
  const Timeline timeline = recording.Build(absl::Now());
  std::vector<std::string> names;
  for (const ConnectionOptions& server : options.servers) names.push_back(server.server);
  const absl::Status written =
      WriteChromeTrace(timeline, absl::StrJoin(names, ", "), options.record_path);
  if (!written.ok()) {
    err << "corouter watch: --record: " << written.message() << std::endl;
    return kExitRpcFailure;
  }
  err << "corouter watch: --record: wrote the trace of " << timeline.requests.size()
      << (timeline.requests.size() == 1 ? " request" : " requests") << " (" << recording.events()
      << " events";
  if (recording.dropped_events() > 0) {
    err << "; " << recording.dropped_events() << " more were not kept, over the bound of "
        << TraceRecording::kDefaultMaxEvents;
  }
  err << ") to " << options.record_path << std::endl;
  return code;
}

namespace {

// One server's subscription.
struct Subscription {
  const ConnectionOptions* connection = nullptr;
  // "" when there is one server; else the server, which labels its output.
  std::string label;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::ExecutionService::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::WatchTracesResponse>> reader;
  std::atomic<bool> ended{false};
};

// Says on `err` why `channel` (which did not connect in time) cannot be
// used: a TLS mismatch when a fail-fast call shows one, else "cannot reach".
void SayUnreachable(const ConnectionOptions& connection,
                    const std::shared_ptr<grpc::Channel>& channel, std::ostream& err) {
  // A handshake that fails (TLS on one side only, a certificate refused)
  // leaves the channel in TRANSIENT_FAILURE: a fail-fast call says why.
  if (channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
    grpc::ClientContext probe;
    SetDeadline(probe, absl::Seconds(1));
    v1::GetStatsResponse stats;
    const grpc::Status status =
        v1::ExecutionService::NewStub(channel)->GetStats(&probe, v1::GetStatsRequest(), &stats);
    if (std::optional<std::string> tls = ExplainTlsFailure(status, connection.security)) {
      err << "corouter watch: cannot connect to " << connection.server << ": " << *tls << std::endl;
      return;
    }
  }
  err << "corouter watch: cannot reach the server at " << connection.server
      << " (no connection within " << absl::FormatDuration(connection.timeout) << ")" << std::endl;
}

// Why a subscription's stream ended, as the stderr line says it; empty when
// the user stopped the watch.
std::string EndMessage(const ConnectionOptions& connection, const grpc::Status& status) {
  if (status.ok()) {
    return absl::StrCat("corouter watch: the server at ", connection.server,
                        " ended the stream (it is shutting down)");
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::CANCELLED) {
    return absl::StrCat("corouter watch: the server at ", connection.server, " went away (",
                        status.error_message(), ")");
  }
  return absl::StrCat("corouter watch: ", FormatRpcError(connection, "WatchTraces", status));
}

// The watch itself; RunWatch writes the recording once it returns.
int WatchUntilEnd(const WatchOptions& options, std::ostream& out, std::ostream& err,
                  TraceRecording& recording) {
  WatchDisplay display = options.display;
  if (display == WatchDisplay::kScreen && isatty(STDOUT_FILENO) == 0)
    display = WatchDisplay::kPlain;
  StopSignals::Block();
  const bool several = options.servers.size() > 1;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  for (const ConnectionOptions& connection : options.servers) {
    auto subscription = std::make_unique<Subscription>();
    subscription->connection = &connection;
    if (several) subscription->label = connection.server;
    subscription->channel = CreateChannel(connection);
    subscription->channel->GetState(/*try_to_connect=*/true);  // all connect at once
    subscriptions.push_back(std::move(subscription));
  }
  for (const auto& s : subscriptions) {
    if (!s->channel->WaitForConnected(std::chrono::system_clock::now() +
                                      absl::ToChronoNanoseconds(s->connection->timeout))) {
      SayUnreachable(*s->connection, s->channel, err);
      return kExitRpcFailure;
    }
  }
  StopSignals signals([&subscriptions] {
    for (const auto& s : subscriptions) s->context.TryCancel();
  });
  for (const auto& s : subscriptions) {
    s->stub = v1::ExecutionService::NewStub(s->channel);
    s->reader = s->stub->WatchTraces(&s->context, options.request);
  }

  std::mutex mu;  // guards view, recording, out and end_messages
  std::vector<std::string> names;
  for (const ConnectionOptions& server : options.servers) names.push_back(server.server);
  WatchView view(absl::StrJoin(names, ", "));
  std::vector<std::string> end_messages;
  std::atomic<size_t> streams_left{subscriptions.size()};
  std::thread screen;
  if (display == WatchDisplay::kScreen) {
    screen = std::thread([&] {
      initscr();
      cbreak();
      noecho();
      curs_set(0);
      timeout(200);  // getch waits at most 200 ms: the redraw period
      absl::Time next_stats = absl::InfinitePast();
      while (streams_left.load() > 0 && !signals.stopped()) {
        if (absl::Now() >= next_stats) {
          next_stats = absl::Now() + absl::Seconds(1);
          for (const auto& s : subscriptions) {
            if (s->ended.load()) continue;
            grpc::ClientContext stats_context;
            SetDeadline(stats_context, std::min(s->connection->timeout, absl::Seconds(1)));
            v1::GetStatsResponse stats;
            if (s->stub->GetStats(&stats_context, v1::GetStatsRequest(), &stats).ok()) {
              std::lock_guard<std::mutex> lock(mu);
              if (several) {
                view.SetStats(s->label, stats);
              } else {
                view.SetStats(stats);
              }
            }
          }
        }
        std::vector<std::string> lines;
        {
          std::lock_guard<std::mutex> lock(mu);
          lines = view.Render(absl::Now(), static_cast<size_t>(COLS), static_cast<size_t>(LINES));
        }
        erase();
        for (size_t i = 0; i < lines.size(); ++i)
          mvaddstr(static_cast<int>(i), 0, lines[i].c_str());
        refresh();
        const int key = getch();
        if (key == 'q' || key == 'Q') {
          signals.Stop();
          for (const auto& s : subscriptions) s->context.TryCancel();
        }
      }
      endwin();
    });
  }

  // Each stream is read on a thread of its own; what they show is
  // serialised by `mu`, in arrival order.
  auto read = [&](Subscription& s) {
    v1::WatchTracesResponse response;
    while (s.reader->Read(&response)) {
      // The view and the recording key requests by id, which is per server:
      // with several they get copies labelled "SERVER/ID". The lines name
      // the server themselves and keep the server's own ids.
      v1::WatchTracesResponse labelled;
      if (several && (display == WatchDisplay::kScreen || !options.record_path.empty())) {
        labelled = response;
        for (v1::TraceEvent& event : *labelled.mutable_events()) {
          event = LabelEvent(event, s.label);
        }
      }
      const v1::WatchTracesResponse& keyed = several ? labelled : response;
      std::lock_guard<std::mutex> lock(mu);
      if (!options.record_path.empty()) {
        for (const v1::TraceEvent& event : keyed.events()) recording.Add(event);
      }
      if (display == WatchDisplay::kScreen) {
        view.Apply(keyed);
        continue;
      }
      for (const v1::TraceEvent& event : response.events()) {
        out << (display == WatchDisplay::kJson ? JsonLine(event, s.label)
                                               : PlainLine(event, s.label))
            << '\n';
      }
      PrintReports(response, display, s.label, out);
      out.flush();
    }
    const grpc::Status status = s.reader->Finish();
    s.ended.store(true);
    std::lock_guard<std::mutex> lock(mu);
    if (!signals.stopped()) {
      std::string message = EndMessage(*s.connection, status);
      if (several) {
        absl::StrAppend(&message, "; ", streams_left.load() - 1, " of ", subscriptions.size(),
                        " servers still watched");
      }
      if (display == WatchDisplay::kScreen) {
        end_messages.push_back(std::move(message));  // said once the screen is gone
      } else {
        err << message << std::endl;
      }
    }
    streams_left.fetch_sub(1);
  };
  std::vector<std::thread> readers;
  for (size_t i = 1; i < subscriptions.size(); ++i) {
    readers.emplace_back(read, std::ref(*subscriptions[i]));
  }
  read(*subscriptions[0]);
  for (std::thread& reader : readers) reader.join();
  if (screen.joinable()) screen.join();
  for (const std::string& message : end_messages) err << message << std::endl;
  return signals.stopped() ? kExitOk : kExitRpcFailure;
}

}  // namespace
}  // namespace corouter::client
