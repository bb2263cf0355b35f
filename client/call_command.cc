#include "client/call_command.h"

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/chrome_trace.h"
#include "client/event_orderer.h"
#include "client/exit_code.h"
#include "client/response_printer.h"
#include "client/rpc_error.h"
#include "client/timeline_picture.h"
#include "client/trace_recording.h"
#include "client/trace_table.h"
#include "client/variable_tracker.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace corouter::client {
namespace {

using ::corouter::v1::ExecutionService;

// What became of one request.
struct Outcome {
  // Set when an HTTP response arrived.
  std::optional<corouter::v1::HttpResponse> response;
  // Server time from STEP_RECEIVED to STEP_RESPONSE_SENT (traced calls only).
  absl::Duration elapsed;
  // Set when the call failed (even after a response arrived: a stream that
  // breaks after STEP_RESPONSE_SENT still counts as a failed RPC).
  bool failed = false;
  // Short cause of the failure, for the trace summary: "DEADLINE_EXCEEDED".
  std::string failure_reason;
};

// One invocation of the call command: the shared channel, the output streams
// and the lock that serializes everything written to them.
class CallRun {
 public:
  CallRun(std::shared_ptr<grpc::Channel> channel, const CallOptions& options, std::ostream& out,
          std::ostream& err)
      : channel_(std::move(channel)),
        stub_(ExecutionService::NewStub(channel_)),
        options_(options),
        out_(out),
        err_(err),
        table_(Labels(options.requests)),
        orderer_(options.reorder_window),
        outcomes_(options.requests.size()),
        sent_(options.requests.size(), false),
        tracker_(options.trace && options.tracker
                     ? std::make_unique<VariableTracker>(TrackedRequests(options.requests))
                     : nullptr),
        recording_(options.trace &&
                           (!options.record_path.empty() || !options.timeline_paths.empty())
                       ? std::make_unique<TraceRecording>()
                       : nullptr) {}

  int Run() {
    if (options_.trace) {
      std::lock_guard<std::mutex> lock(mu_);
      for (const std::string& row : table_.HeaderRows()) out_ << row << '\n';
      out_.flush();
    }
    std::jthread printer;
    if (options_.trace) printer = std::jthread([this] { PrintRows(); });
    {
      const bool stagger =
          std::any_of(options_.stagger.begin(), options_.stagger.end(),
                      [](absl::Duration gap) { return gap > absl::ZeroDuration(); });
      if (stagger) AwaitConnected();
      std::vector<std::jthread> threads;
      threads.reserve(options_.requests.size());
      for (std::size_t i = 0; i < options_.requests.size(); ++i) {
        threads.emplace_back([this, i] { RunOne(i); });
        if (stagger && i + 1 < options_.requests.size()) {
          absl::Time sent_at;
          {
            std::unique_lock<std::mutex> lock(mu_);
            sent_cv_.wait(lock, [&] { return sent_[i]; });
            sent_at = absl::Now();
          }
          // The stagger itself: the gap the user asked for, not a wait for
          // anything to happen.
          const absl::Duration gap = options_.stagger[std::min(i, options_.stagger.size() - 1)];
          absl::SleepFor(sent_at + gap - absl::Now());
        }
      }
    }  // Joins every request thread.
    {
      std::lock_guard<std::mutex> lock(mu_);
      streams_done_ = true;
    }
    rows_cv_.notify_all();
    if (printer.joinable()) printer.join();
    bool all_ok = true;
    for (const Outcome& outcome : outcomes_) {
      all_ok = all_ok && outcome.response.has_value() && !outcome.failed;
    }
    if (tracker_ != nullptr) PrintTracker();
    if (options_.trace) PrintSummaries();
    if (!WriteRecording()) all_ok = false;
    return all_ok ? kExitOk : kExitRpcFailure;
  }

 private:
  static std::vector<std::string> Labels(const std::vector<RequestSpec>& requests) {
    std::vector<std::string> labels;
    for (const RequestSpec& spec : requests) labels.push_back(spec.label);
    return labels;
  }

  static std::vector<VariableTracker::Request> TrackedRequests(
      const std::vector<RequestSpec>& requests) {
    std::vector<VariableTracker::Request> tracked;
    for (const RequestSpec& spec : requests) {
      tracked.push_back(
          {spec.label, absl::StrCat(spec.request.method(), " ", spec.request.target())});
    }
    return tracked;
  }

  // With --stagger: connects the channel before the first request, so that
  // "sent" means on the wire, not queued behind the connection. Gives up
  // (and lets the requests report the failure) once the channel fails or
  // the timeout passes.
  void AwaitConnected() {
    const absl::Time deadline = absl::Now() + options_.connection.timeout;
    grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
    while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE &&
           state != GRPC_CHANNEL_SHUTDOWN) {
      if (!channel_->WaitForStateChange(state, absl::ToChronoTime(deadline))) return;
      state = channel_->GetState(/*try_to_connect=*/true);
    }
  }

  // Records that request `index` was sent (or will never be), releasing the
  // next one under --stagger.
  void MarkSent(std::size_t index) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (sent_[index]) return;
      sent_[index] = true;
    }
    sent_cv_.notify_all();
  }

  void RunOne(std::size_t index) {
    // However the request ends, the next one must not wait for it forever.
    struct SentOnExit {
      CallRun* run;
      std::size_t index;
      ~SentOnExit() { run->MarkSent(index); }
    } sent_on_exit{this, index};
    try {
      if (options_.trace) {
        RunTraced(index);
      } else {
        RunUntraced(index);
      }
    } catch (const std::exception& e) {
      Fail(index, "internal error", absl::StrCat("internal error: ", e.what()));
    } catch (...) {
      Fail(index, "internal error", "internal error");
    }
  }

  void RunUntraced(std::size_t index) {
    const RequestSpec& spec = options_.requests[index];
    grpc::ClientContext context;
    corouter::v1::ExecuteRequest request;
    *request.mutable_request() = spec.request;
    corouter::v1::ExecuteResponse reply;
    SetDeadline(context, options_.connection.timeout);
    // A unary call gives no word when its request is written; on the
    // connected channel it goes out as the call starts.
    MarkSent(index);
    const grpc::Status status = stub_->Execute(&context, request, &reply);
    if (!status.ok()) return FailRpc(index, status, /*got_messages=*/false);
    if (!reply.has_response()) {
      return Fail(index, "no response", "the server replied without an HTTP response");
    }
    std::lock_guard<std::mutex> lock(mu_);
    outcomes_[index].response = reply.response();
    if (options_.requests.size() > 1) {
      if (blocks_printed_ > 0) out_ << '\n';
      out_ << FormatRequestLabel(spec.label, spec.request) << '\n';
    }
    out_ << FormatResponse(reply.response());
    out_.flush();
    ++blocks_printed_;
  }

  void RunTraced(std::size_t index) {
    const RequestSpec& spec = options_.requests[index];
    grpc::ClientContext context;
    corouter::v1::ExecuteTracedRequest request;
    *request.mutable_request() = spec.request;
    SetDeadline(context, options_.connection.timeout);
    std::unique_ptr<grpc::ClientReader<corouter::v1::ExecuteTracedResponse>> reader =
        stub_->ExecuteTraced(&context, request);
    // The reader's constructor returns once the request message was written.
    MarkSent(index);
    corouter::v1::ExecuteTracedResponse message;
    bool got_messages = false;
    while (reader->Read(&message)) {
      got_messages = true;
      std::lock_guard<std::mutex> lock(mu_);
      const absl::Time now = absl::Now();
      for (const corouter::v1::TraceEvent& event : message.events()) {
        if (event.step() == corouter::v1::STEP_RESPONSE_SENT && event.has_response()) {
          outcomes_[index].response = event.response();
          outcomes_[index].elapsed = absl::Nanoseconds(event.elapsed_nanos());
        }
        orderer_.Push(index, event, now);
        if (recording_ != nullptr) recording_->Add(event, spec.label, static_cast<int64_t>(index));
      }
      rows_cv_.notify_all();
    }
    const grpc::Status status = reader->Finish();
    if (!status.ok()) return FailRpc(index, status, got_messages);
    std::lock_guard<std::mutex> lock(mu_);
    if (!outcomes_[index].response.has_value()) {
      FailLocked(index, "trace ended early", "the trace ended without an HTTP response");
    }
  }

  // Prints the table's rows as the orderer releases them, until every stream
  // ended; then whatever is still held.
  void PrintRows() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!streams_done_) {
      // Wake often enough that a row is late by little more than the window.
      rows_cv_.wait_for(lock, std::chrono::milliseconds(5));
      PrintLocked(orderer_.PopReady(absl::Now()));
    }
    PrintLocked(orderer_.PopAll());
  }

  void PrintLocked(const std::vector<EventOrderer::Entry>& entries) {
    for (const auto& [index, event] : entries) {
      out_ << table_.AddEvent(index, event) << '\n';
      if (tracker_ != nullptr) tracker_->AddEvent(index, event);
    }
    if (!entries.empty()) out_.flush();
  }

  // Reports a failed RPC. A deadline that expired before the channel ever
  // connected (a server that drops packets) is reported as unreachable.
  void FailRpc(std::size_t index, grpc::Status status, bool got_messages) {
    status = ReclassifyDeadline(
        status, got_messages || channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY,
        options_.connection.timeout);
    const RequestSpec& spec = options_.requests[index];
    std::lock_guard<std::mutex> lock(mu_);
    outcomes_[index].failed = true;
    outcomes_[index].failure_reason = StatusCodeName(status.error_code());
    if (IsUnreachable(status)) {
      if (reported_unreachable_) return;
      reported_unreachable_ = true;
    }
    err_ << FormatRpcError(options_.connection, FormatRequestLabel(spec.label, spec.request),
                           status)
         << '\n';
    err_.flush();
  }

  void Fail(std::size_t index, absl::string_view reason, absl::string_view message) {
    std::lock_guard<std::mutex> lock(mu_);
    FailLocked(index, reason, message);
  }

  void FailLocked(std::size_t index, absl::string_view reason, absl::string_view message) {
    const RequestSpec& spec = options_.requests[index];
    outcomes_[index].failed = true;
    outcomes_[index].failure_reason = std::string(reason);
    err_ << "corouter: " << FormatRequestLabel(spec.label, spec.request) << ": " << message << '\n';
    err_.flush();
  }

  // Writes the --record and --timeline files, if asked for. Returns false
  // (having said why) when one could not be written.
  bool WriteRecording() {
    if (recording_ == nullptr) return true;
    const Timeline timeline = recording_->Build(absl::Now());
    bool ok = true;
    const auto report = [&](absl::string_view flag, const std::string& path,
                            const absl::Status& status, absl::string_view what,
                            absl::string_view suffix) {
      std::lock_guard<std::mutex> lock(mu_);
      if (status.ok()) {
        err_ << "corouter: " << flag << ": wrote " << what << " of " << timeline.requests.size()
             << (timeline.requests.size() == 1 ? " request" : " requests") << " to " << path
             << suffix << '\n';
      } else {
        err_ << "corouter: " << flag << ": " << status.message() << '\n';
        ok = false;
      }
      err_.flush();
    };
    if (!options_.record_path.empty()) {
      report("--record", options_.record_path,
             WriteChromeTrace(timeline, options_.connection.server, options_.record_path),
             "the trace", " (open it in ui.perfetto.dev)");
    }
    for (const std::string& path : options_.timeline_paths) {
      absl::StatusOr<PictureFormat> format = PictureFormatForPath(path);
      TimelinePictureOptions picture;
      picture.title = absl::StrCat("corouter call --trace: ", timeline.requests.size(),
                                   " requests on ", options_.connection.server);
      report("--timeline", path,
             format.ok() ? WriteTimelinePicture(timeline, path, *format, picture) : format.status(),
             "the timeline", "");
    }
    return ok;
  }

  // The Variable Tracker of every row printed, after the table.
  void PrintTracker() {
    std::lock_guard<std::mutex> lock(mu_);
    out_ << "\nVariable Tracker\n";
    for (const std::string& line : tracker_->Render()) out_ << line << '\n';
    out_.flush();
  }

  void PrintSummaries() {
    std::lock_guard<std::mutex> lock(mu_);
    out_ << '\n';
    for (std::size_t i = 0; i < outcomes_.size(); ++i) {
      const Outcome& outcome = outcomes_[i];
      const std::string& label = options_.requests[i].label;
      out_ << (outcome.response.has_value()
                   ? FormatTraceSummary(label, *outcome.response, outcome.elapsed)
                   : FormatTraceFailureSummary(label, outcome.failure_reason))
           << '\n';
    }
    out_.flush();
  }

  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<ExecutionService::Stub> stub_;
  const CallOptions& options_;

  std::mutex mu_;
  std::ostream& out_;                  // Guarded by mu_.
  std::ostream& err_;                  // Guarded by mu_.
  std::condition_variable rows_cv_;    // Signals new events and the end.
  std::condition_variable sent_cv_;    // Signals a change of sent_.
  TraceTable table_;                   // Guarded by mu_.
  EventOrderer orderer_;               // Guarded by mu_.
  bool streams_done_ = false;          // Guarded by mu_.
  std::vector<Outcome> outcomes_;      // Guarded by mu_ while threads run.
  std::size_t blocks_printed_ = 0;     // Guarded by mu_.
  bool reported_unreachable_ = false;  // Guarded by mu_.
  std::vector<bool> sent_;             // Per request. Guarded by mu_.
  // Set with --tracker. Guarded by mu_.
  const std::unique_ptr<VariableTracker> tracker_;
  // Set with --record or --timeline (thread-safe itself).
  const std::unique_ptr<TraceRecording> recording_;
};

}  // namespace

int RunCall(const CallOptions& options, std::ostream& out, std::ostream& err) {
  return RunCall(CreateChannel(options.connection), options, out, err);
}

int RunCall(const std::shared_ptr<grpc::Channel>& channel, const CallOptions& options,
            std::ostream& out, std::ostream& err) {
  return CallRun(channel, options, out, err).Run();
}

}  // namespace corouter::client
