#include "client/variable_tracker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "client/aligned_table.h"
#include "client/text_cell.h"
#include "client/trace_timeline.h"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;

bool OnLoop(const v1::TraceEvent& event) {
  return event.thread().empty() || IsLoopThread(event.thread());
}

// "sleep(2s)" from "await sleep(2s)" or "sleep(2s)".
std::string Awaited(const v1::TraceEvent& event) {
  absl::string_view detail = event.detail();
  absl::ConsumePrefix(&detail, "await ");
  return detail.empty() ? std::string("...") : std::string(detail);
}

// "sleep(2s)" from "blocking call sleep(2s) holds loop 0" or
// "blocking call sleep(2s) on executor-1"; the whole detail otherwise.
std::string BlockingWhat(const v1::TraceEvent& event) {
  absl::string_view detail = event.detail();
  if (!absl::ConsumePrefix(&detail, "blocking call ")) {
    return detail.empty() ? std::string("blocking call") : std::string(detail);
  }
  for (absl::string_view marker : {" holds loop ", " on "}) {
    const std::size_t at = detail.rfind(marker);
    if (at != absl::string_view::npos) return std::string(detail.substr(0, at));
  }
  return std::string(detail);
}

// "sleep" from "coroutine 'sleep' was never awaited"; the detail otherwise.
std::string NeverAwaitedName(const v1::TraceEvent& event) {
  absl::string_view detail = event.detail();
  if (absl::ConsumePrefix(&detail, "coroutine '")) {
    const std::size_t end = detail.find('\'');
    if (end != absl::string_view::npos) return std::string(detail.substr(0, end));
  }
  return detail.empty() ? std::string("an awaitable") : std::string(detail);
}

// "send_email" from "background task send_email (async def, on the loop)";
// the detail otherwise ("task" when there is none).
std::string BackgroundTaskName(const v1::TraceEvent& event) {
  absl::string_view detail = event.detail();
  if (absl::ConsumePrefix(&detail, "background task ")) {
    const std::size_t paren = detail.find(" (");
    if (paren != absl::string_view::npos) detail = detail.substr(0, paren);
  }
  return detail.empty() ? std::string("task") : std::string(detail);
}

// "A", "A and B", "A, B and C".
std::string Names(const std::vector<std::string>& labels) {
  if (labels.size() <= 1) return labels.empty() ? "" : labels.front();
  return absl::StrCat(
      absl::StrJoin(std::vector<std::string>(labels.begin(), labels.end() - 1), ", "), " and ",
      labels.back());
}

// "Request A", "Requests A and B".
std::string RequestsNamed(const std::vector<std::string>& labels) {
  return absl::StrCat(labels.size() == 1 ? "Request " : "Requests ", Names(labels));
}

std::string Cell(absl::string_view text) { return Truncate(SanitizeCell(text), kTrackerCellWidth); }

}  // namespace

VariableTracker::VariableTracker(std::vector<Request> requests)
    : requests_(std::move(requests)), states_(requests_.size()) {
  columns_.push_back(Snapshot());
}

void VariableTracker::ApplyPhase(RequestState& request, const v1::TraceEvent& event) {
  const Phase where = OnLoop(event) ? Phase::kHandling : Phase::kOnExecutor;
  switch (event.step()) {
    case v1::STEP_RECEIVED:
    case v1::STEP_ROUTE_MATCHED:
      request.phase = Phase::kHandling;
      break;
    case v1::STEP_HANDLER_STARTED:
    case v1::STEP_AWAIT_RESUMED:
    case v1::STEP_HANDLER_RETURNED:
    case v1::STEP_FAILED:
    case v1::STEP_NEVER_AWAITED:
    case v1::STEP_BACKGROUND_STARTED:
      request.phase = where;
      break;
    case v1::STEP_AWAIT_STARTED:
    case v1::STEP_OFFLOAD_QUEUED:
    case v1::STEP_OFFLOAD_FINISHED:
      request.phase = Phase::kPaused;
      break;
    case v1::STEP_OFFLOAD_STARTED:
      request.phase = Phase::kOnExecutor;
      break;
    case v1::STEP_BLOCKING_CALL:
      // The loop's after-the-fact detection changes nothing: the slice it
      // reports is over.
      if (IsDetectedBlockingCall(event.detail())) break;
      request.phase = where == Phase::kHandling ? Phase::kBlocking : Phase::kOnExecutor;
      break;
    case v1::STEP_RESPONSE_SENT:
    case v1::STEP_CANCELLED:
    case v1::STEP_BACKGROUND_FINISHED:
      request.phase = Phase::kDone;
      break;
    default:
      break;
  }
}

void VariableTracker::Apply(RequestState& request, const v1::TraceEvent& event) {
  ApplyPhase(request, event);
  const std::string running =
      OnLoop(event) ? std::string("Running") : absl::StrCat("Running on ", event.thread());
  if (request.responded) {
    // After the response: only background tasks run (Starlette runs them
    // once the response is sent, one after another). Each state names the
    // task: "send_email paused at await sleep(1s)".
    std::string& state = request.background;
    const std::string& task = request.background_task;
    switch (event.step()) {
      case v1::STEP_BACKGROUND_STARTED:
        request.has_background = true;
        request.background_task = BackgroundTaskName(event);
        request.pending_await.clear();
        state = absl::StrCat(task, " running");
        break;
      case v1::STEP_AWAIT_STARTED:
        request.pending_await = Awaited(event);
        state = absl::StrCat(task, " paused at await ", request.pending_await);
        break;
      case v1::STEP_AWAIT_RESUMED:
        // After an offload (a sync task) the task ran already.
        if (!request.pending_await.empty()) {
          state = absl::StrCat(task, " resumed after ", request.pending_await);
        }
        break;
      case v1::STEP_OFFLOAD_QUEUED:
        request.pending_await.clear();
        state = absl::StrCat(task, " queued for the executor");
        break;
      case v1::STEP_OFFLOAD_STARTED:
        state = absl::StrCat(task, " running on ", event.thread());
        break;
      case v1::STEP_BLOCKING_CALL:
        if (IsDetectedBlockingCall(event.detail())) break;
        state = OnLoop(event)
                    ? absl::StrCat(task, " blocking the loop: ", BlockingWhat(event))
                    : absl::StrCat(task, " blocking ", event.thread(), ": ", BlockingWhat(event));
        break;
      case v1::STEP_NEVER_AWAITED:
        state = absl::StrCat(task, " running; ", NeverAwaitedName(event), " never awaited");
        break;
      case v1::STEP_BACKGROUND_FINISHED:
        state =
            absl::StrCat(task, absl::StartsWith(event.detail(), "failed") ? " failed" : " done");
        break;
      case v1::STEP_FAILED:
        state = event.detail().empty() ? absl::StrCat(task, " failed")
                                       : absl::StrCat(task, " failed: ", event.detail());
        break;
      case v1::STEP_CANCELLED:
        state = absl::StrCat(task, " cancelled");
        break;
      default:
        break;
    }
    return;
  }
  std::string& state = request.coroutine;
  switch (event.step()) {
    case v1::STEP_ROUTE_MATCHED:
      if (event.has_route()) request.endpoint = event.route().endpoint();
      request.is_def = absl::StartsWith(event.detail(), "calling def ");
      break;
    case v1::STEP_HANDLER_STARTED:
      request.started = true;
      state = running;
      break;
    case v1::STEP_AWAIT_STARTED:
      request.pending_await = Awaited(event);
      state = absl::StrCat("Paused at await ", request.pending_await);
      break;
    case v1::STEP_AWAIT_RESUMED:
      // A `def` comes back to its loop with its result: it already ran.
      if (!request.started || request.is_def) break;
      state = absl::StrCat("Resumed after ", request.pending_await.empty() ? std::string("await")
                                                                           : request.pending_await);
      break;
    case v1::STEP_OFFLOAD_QUEUED:
      if (request.started) {
        request.pending_await = "offload";
        state = "Paused, offload queued";
      } else {
        state = "Queued for the executor";
      }
      break;
    case v1::STEP_OFFLOAD_STARTED:
      state = request.started ? absl::StrCat("Paused, offload on ", event.thread()) : running;
      break;
    case v1::STEP_OFFLOAD_FINISHED:
      if (request.started && absl::StartsWith(state, "Paused")) state = "Paused, offload done";
      break;
    case v1::STEP_BLOCKING_CALL:
      if (IsDetectedBlockingCall(event.detail())) break;
      state = OnLoop(event) ? absl::StrCat("Blocking the loop: ", BlockingWhat(event))
                            : absl::StrCat("Blocking ", event.thread(), ": ", BlockingWhat(event));
      break;
    case v1::STEP_NEVER_AWAITED:
      state = absl::StrCat("Running; ", NeverAwaitedName(event), " never awaited");
      break;
    case v1::STEP_HANDLER_RETURNED: {
      const std::size_t at = event.detail().rfind(" returned ");
      state = at == std::string::npos
                  ? std::string("Returned")
                  : absl::StrCat("Returned ", event.detail().substr(at + sizeof(" returned ") - 1));
      break;
    }
    case v1::STEP_FAILED:
      state = event.detail().empty() ? "Failed" : absl::StrCat("Failed: ", event.detail());
      break;
    case v1::STEP_CANCELLED:
      request.responded = true;
      state = "Cancelled";
      break;
    case v1::STEP_RESPONSE_SENT:
      request.responded = true;
      if (!request.started && state == "Not started") {
        state = event.has_response()
                    ? absl::StrCat("No handler ran (", event.response().status_code(), ")")
                    : "No handler ran";
      }
      break;
    default:
      break;
  }
}

void VariableTracker::AddEvent(std::size_t request_index, const v1::TraceEvent& event) {
  ++steps_;
  if (request_index != last_request_) ++runs_;
  last_request_ = request_index;
  if (request_index < states_.size()) {
    const auto active = [](const RequestState& r) {
      return r.phase != Phase::kNotReceived && r.phase != Phase::kDone;
    };
    const bool was_free = std::none_of(states_.begin(), states_.end(), active);
    RequestState& request = states_[request_index];
    const bool was_done = request.phase == Phase::kDone;
    Apply(request, event);
    if (was_free && active(request)) done_since_free_.clear();
    if (!was_done && request.phase == Phase::kDone &&
        std::find(done_since_free_.begin(), done_since_free_.end(), request_index) ==
            done_since_free_.end()) {
      done_since_free_.push_back(request_index);
    }
  }
  Column column = Snapshot();
  const Column& previous = columns_.back();
  if (column == previous) return;
  column.step = steps_;
  column.run = runs_;
  column.server_only =
      column.coroutine == previous.coroutine && column.background == previous.background;
  columns_.push_back(std::move(column));
}

std::string VariableTracker::ServerState() const {
  std::vector<std::string> handling, paused, executor, blocking;
  bool background = false;
  bool received = false;
  for (std::size_t i = 0; i < states_.size(); ++i) {
    const RequestState& r = states_[i];
    const std::string& label = requests_[i].label;
    switch (r.phase) {
      case Phase::kNotReceived:
        break;
      case Phase::kHandling:
        handling.push_back(label);
        background = background || r.responded;
        break;
      case Phase::kPaused:
        paused.push_back(label);
        break;
      case Phase::kOnExecutor:
        executor.push_back(label);
        break;
      case Phase::kBlocking:
        blocking.push_back(label);
        break;
      case Phase::kDone:
        break;
    }
    received = received || r.phase != Phase::kNotReceived;
  }
  if (!blocking.empty()) return absl::StrCat("Server blocked by ", RequestsNamed(blocking));
  std::vector<std::string> others;
  if (!paused.empty()) others.push_back(absl::StrCat(Names(paused), " paused"));
  if (!executor.empty()) others.push_back(absl::StrCat(Names(executor), " on executor"));
  if (!handling.empty()) {
    std::string text = background && handling.size() == 1
                           ? absl::StrCat("Handling ", handling.front(), "'s background task")
                           : absl::StrCat("Handling ", RequestsNamed(handling));
    for (const std::string& other : others) absl::StrAppend(&text, ", ", other);
    return text;
  }
  if (!others.empty()) {
    // "Requests A and B paused, server free"; "Request A paused, B on the
    // executor, server free".
    std::string first = paused.empty() ? absl::StrCat(RequestsNamed(executor), " on executor")
                                       : absl::StrCat(RequestsNamed(paused), " paused");
    if (others.size() > 1) absl::StrAppend(&first, ", ", others[1]);
    return absl::StrCat(first, ", server free");
  }
  if (!received) return "Idle";
  std::vector<std::string> done;
  std::vector<std::size_t> ended = done_since_free_;
  std::sort(ended.begin(), ended.end());
  for (std::size_t i : ended) done.push_back(requests_[i].label);
  if (done.empty()) return "Server free";
  return absl::StrCat(RequestsNamed(done), " done, server free");
}

VariableTracker::Column VariableTracker::Snapshot() const {
  Column column;
  for (const RequestState& r : states_) {
    column.coroutine.push_back(r.coroutine);
    column.background.push_back(r.background);
  }
  // One request: no Server state row, so its changes make no column.
  if (requests_.size() > 1) column.server = ServerState();
  return column;
}

std::vector<std::string> VariableTracker::Render(std::size_t max_width) const {
  const bool several = requests_.size() > 1;
  // The table's columns, each as its cells top to bottom; cells[0] is the
  // header.
  std::vector<std::vector<std::string>> columns;
  std::vector<std::string> names = {"Variable"};
  for (std::size_t i = 0; i < requests_.size(); ++i) {
    const RequestState& r = states_[i];
    const std::string prefix = several ? absl::StrCat(requests_[i].label, ": ") : "";
    const std::string what = !r.endpoint.empty()
                                 ? absl::StrCat(r.endpoint, r.is_def ? " function" : " coroutine")
                                 : (requests_[i].request_line.empty() ? std::string("request")
                                                                      : requests_[i].request_line);
    names.push_back(Cell(absl::StrCat(prefix, what)));
    if (r.has_background) names.push_back(Cell(absl::StrCat(prefix, "background tasks")));
  }
  if (several) names.push_back("Server state");
  columns.push_back(std::move(names));
  // The columns shown: a change merged into the next one of the same run
  // when either changed only the Server state (see the header).
  // A Server-only change gives way to the next change of its run, else it
  // takes in the previous one.
  const std::size_t n = columns_.size();
  std::vector<bool> merged(n, false);
  for (std::size_t c = 1; c < n; ++c) {
    if (!columns_[c].server_only) continue;
    if (c + 1 < n && columns_[c + 1].run == columns_[c].run) {
      merged[c] = true;
    } else if (c > 1 && columns_[c - 1].run == columns_[c].run && !columns_[c - 1].server_only &&
               !merged[c - 1]) {
      merged[c - 1] = true;
    }
  }
  std::vector<const Column*> shown;
  for (std::size_t c = 0; c < n; ++c) {
    if (!merged[c]) shown.push_back(&columns_[c]);
  }
  for (std::size_t c = 0; c < shown.size(); ++c) {
    const Column& column = *shown[c];
    std::vector<std::string> cells;
    if (c == 0) {
      cells.push_back("Start");
    } else if (c + 1 == shown.size()) {
      cells.push_back("Final");
    } else {
      cells.push_back(absl::StrCat("After Step ", column.step));
    }
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      cells.push_back(Cell(column.coroutine[i]));
      if (states_[i].has_background) cells.push_back(Cell(column.background[i]));
    }
    if (several) cells.push_back(Cell(column.server));
    columns.push_back(std::move(cells));
  }
  // Nothing changed: Start is also the end.
  if (shown.size() == 1) {
    std::vector<std::string> final_column = columns.back();
    final_column[0] = "Final";
    columns.push_back(std::move(final_column));
  }

  std::vector<std::size_t> widths;
  for (const auto& column : columns) {
    std::size_t width = 0;
    for (const std::string& cell : column) width = std::max(width, DisplayWidth(cell));
    widths.push_back(width);
  }
  // Blocks of columns that fit, each led by the Variable column.
  std::vector<std::string> lines;
  std::size_t next = 1;
  while (next < columns.size()) {
    std::size_t width = widths[0];
    std::size_t end = next;
    while (end < columns.size() && (end == next || width + 2 + widths[end] <= max_width)) {
      width += 2 + widths[end];
      ++end;
    }
    std::vector<std::vector<std::string>> rows(columns[0].size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      rows[r].push_back(columns[0][r]);
      for (std::size_t c = next; c < end; ++c) rows[r].push_back(columns[c][r]);
    }
    if (!lines.empty()) lines.push_back("");
    for (std::string& line : RenderAlignedTable(rows)) lines.push_back(std::move(line));
    next = end;
  }
  return lines;
}

}  // namespace corouter::client
