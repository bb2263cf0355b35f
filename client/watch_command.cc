#include "client/watch_command.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/chrome_trace.h"
#include "client/exit_code.h"
#include "client/rpc_error.h"
#include "client/trace_recording.h"
#include "client/watch_view.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"

// Last: curses defines macros (OK, ERR, timeout...) that gRPC's headers use as names.
#include <curses.h>
#undef OK

namespace corouter::client {
namespace v1 = corouter::v1;
namespace {

// Waits for SIGINT/SIGTERM (blocked in every thread) until `done`; on one,
// sets `stopped` and cancels the stream.
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

  explicit StopSignals(grpc::ClientContext* context) : set_(Set()) {
    thread_ = std::thread([this, context] {
      const timespec tick{0, 50'000'000};
      while (!done_.load()) {
        if (sigtimedwait(&set_, nullptr, &tick) > 0) {
          stopped_.store(true);
          context->TryCancel();
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

void PrintReports(const v1::WatchTracesResponse& response, WatchDisplay display,
                  std::ostream& out) {
  if (response.dropped_events() > 0) {
    out << (display == WatchDisplay::kJson
                ? absl::StrCat("{\"droppedEvents\":\"", response.dropped_events(), "\"}")
                : absl::StrCat("# dropped ", response.dropped_events(),
                               " events: this subscriber's queue was full"))
        << '\n';
  }
  if (response.has_lost()) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(response.lost(), &json);
    out << (display == WatchDisplay::kJson
                ? absl::StrCat("{\"lost\":", json, "}")
                : absl::StrCat("# lost ", response.lost().traces(), " traces",
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
  const absl::Status written =
      WriteChromeTrace(timeline, options.connection.server, options.record_path);
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

// The watch itself; RunWatch writes the recording once it returns.
int WatchUntilEnd(const WatchOptions& options, std::ostream& out, std::ostream& err,
                  TraceRecording& recording) {
  WatchDisplay display = options.display;
  if (display == WatchDisplay::kScreen && isatty(STDOUT_FILENO) == 0)
    display = WatchDisplay::kPlain;
  StopSignals::Block();
  std::shared_ptr<grpc::Channel> channel = CreateChannel(options.connection);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 absl::ToChronoNanoseconds(options.connection.timeout))) {
    // A handshake that fails (TLS on one side only, a certificate refused)
    // leaves the channel in TRANSIENT_FAILURE: a fail-fast call says why.
    if (channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_TRANSIENT_FAILURE) {
      grpc::ClientContext probe;
      SetDeadline(probe, absl::Seconds(1));
      v1::GetStatsResponse stats;
      const grpc::Status status =
          v1::ExecutionService::NewStub(channel)->GetStats(&probe, v1::GetStatsRequest(), &stats);
      if (std::optional<std::string> tls = ExplainTlsFailure(status, options.connection.security)) {
        err << "corouter watch: cannot connect to " << options.connection.server << ": " << *tls
            << std::endl;
        return kExitRpcFailure;
      }
    }
    err << "corouter watch: cannot reach the server at " << options.connection.server
        << " (no connection within " << absl::FormatDuration(options.connection.timeout) << ")"
        << std::endl;
    return kExitRpcFailure;
  }
  auto stub = v1::ExecutionService::NewStub(channel);
  grpc::ClientContext context;
  StopSignals signals(&context);
  std::unique_ptr<grpc::ClientReader<v1::WatchTracesResponse>> reader =
      stub->WatchTraces(&context, options.request);

  std::mutex mu;
  WatchView view(options.connection.server);
  std::atomic<bool> stream_ended{false};
  std::thread screen;
  if (display == WatchDisplay::kScreen) {
    screen = std::thread([&] {
      initscr();
      cbreak();
      noecho();
      curs_set(0);
      timeout(200);  // getch waits at most 200 ms: the redraw period
      absl::Time next_stats = absl::InfinitePast();
      while (!stream_ended.load() && !signals.stopped()) {
        if (absl::Now() >= next_stats) {
          next_stats = absl::Now() + absl::Seconds(1);
          grpc::ClientContext stats_context;
          SetDeadline(stats_context, options.connection.timeout);
          v1::GetStatsResponse stats;
          if (stub->GetStats(&stats_context, v1::GetStatsRequest(), &stats).ok()) {
            std::lock_guard<std::mutex> lock(mu);
            view.SetStats(stats);
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
          context.TryCancel();
        }
      }
      endwin();
    });
  }

  v1::WatchTracesResponse response;
  while (reader->Read(&response)) {
    if (!options.record_path.empty()) {
      for (const v1::TraceEvent& event : response.events()) recording.Add(event);
    }
    if (display == WatchDisplay::kScreen) {
      std::lock_guard<std::mutex> lock(mu);
      view.Apply(response);
      continue;
    }
    for (const v1::TraceEvent& event : response.events()) {
      out << (display == WatchDisplay::kJson ? JsonLine(event) : PlainLine(event)) << '\n';
    }
    PrintReports(response, display, out);
    out.flush();
  }
  const grpc::Status status = reader->Finish();
  stream_ended.store(true);
  if (screen.joinable()) screen.join();
  if (signals.stopped()) return kExitOk;
  if (status.ok()) {
    err << "corouter watch: the server at " << options.connection.server
        << " ended the stream (it is shutting down)" << std::endl;
    return kExitRpcFailure;
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::CANCELLED) {
    err << "corouter watch: the server at " << options.connection.server << " went away ("
        << status.error_message() << ")" << std::endl;
    return kExitRpcFailure;
  }
  err << "corouter watch: " << FormatRpcError(options.connection, "WatchTraces", status)
      << std::endl;
  return kExitRpcFailure;
}

}  // namespace
}  // namespace corouter::client
