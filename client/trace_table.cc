#include "client/trace_table.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/text_cell.h"

namespace corouter::client {
namespace {

using ::corouter::v1::TraceEvent;

constexpr std::size_t kSummaryBodyWidth = 60;
constexpr absl::string_view kGutter = "  ";
constexpr absl::string_view kEmpty = "-";

std::string DetailOr(const TraceEvent& event, absl::string_view fallback) {
  return event.detail().empty() ? std::string(fallback) : event.detail();
}

std::string RunningOn(const TraceEvent& event) {
  return event.thread().empty() ? "Running" : absl::StrCat("Running on ", event.thread());
}

// "Match /slow_task/{item_id} -> read_item (item_id=1)"; parameters sorted by
// name since a proto map has no order.
std::string DescribeRoute(const corouter::v1::RouteMatch& route) {
  std::string text = absl::StrCat("Match ", route.path_template(), " -> ", route.endpoint());
  if (!route.path_params().empty()) {
    std::vector<std::pair<std::string, std::string>> params(route.path_params().begin(),
                                                            route.path_params().end());
    std::sort(params.begin(), params.end());
    absl::StrAppend(&text, " (", absl::StrJoin(params, ", ", absl::PairFormatter("=")), ")");
  }
  return text;
}

// One row from its cells. Step and Time are padded but never cut; the last
// column is neither padded nor cut here.
std::string JoinRow(absl::string_view step, absl::string_view time, absl::string_view req,
                    absl::string_view action, absl::string_view awaited, absl::string_view state,
                    absl::string_view response) {
  return absl::StrCat(PadRight(step, kStepWidth), kGutter, PadRight(time, kTimeWidth), kGutter,
                      FitCell(req, kReqWidth), kGutter, FitCell(action, kActionWidth), kGutter,
                      FitCell(awaited, kAwaitedWidth), kGutter, FitCell(state, kStateWidth),
                      kGutter, SanitizeCell(response));
}

}  // namespace

StepDescription DescribeStep(const TraceEvent& event) {
  using ::corouter::v1::Step;
  StepDescription d;
  switch (event.step()) {
    case Step::STEP_RECEIVED:
      d.action = absl::StrCat("Client sends ", DetailOr(event, "request"));
      d.state = absl::StrCat("Received on loop ", event.loop());
      break;
    case Step::STEP_ROUTE_MATCHED:
      d.action = event.has_route() ? DescribeRoute(event.route()) : DetailOr(event, "Match route");
      d.state = event.has_route() ? DetailOr(event, kEmpty) : std::string(kEmpty);
      break;
    case Step::STEP_HANDLER_STARTED:
      d.action = DetailOr(event, "Start handler");
      d.state = RunningOn(event);
      break;
    case Step::STEP_AWAIT_STARTED:
      d.action = absl::StartsWith(event.detail(), "await ") || event.detail() == "await"
                     ? event.detail()
                     : absl::StrCat("await ", DetailOr(event, "..."));
      d.awaited = true;
      d.state = "Paused, event loop free";
      break;
    case Step::STEP_AWAIT_RESUMED:
      d.action = DetailOr(event, "Await done");
      d.state = absl::StrCat("Resumed on loop ", event.loop());
      break;
    case Step::STEP_OFFLOAD_QUEUED:
      d.action = DetailOr(event, "Offload to executor");
      d.awaited = true;
      d.state = "Queued for executor, loop free";
      break;
    case Step::STEP_OFFLOAD_STARTED:
      d.action = DetailOr(event, "Executor starts work");
      d.awaited = true;
      d.state = RunningOn(event);
      break;
    case Step::STEP_OFFLOAD_FINISHED:
      d.action = DetailOr(event, "Executor work done");
      d.state = "Executor done";
      break;
    case Step::STEP_BLOCKING_CALL:
      d.action = DetailOr(event, "Blocking call");
      if (event.thread().empty()) {
        d.state = "Thread blocked";
      } else if (absl::StartsWith(event.thread(), "loop")) {
        d.state = "Loop blocked";
      } else {
        d.state = "Worker blocked, loop free";
      }
      break;
    case Step::STEP_HANDLER_RETURNED:
      d.action = DetailOr(event, "Handler returns");
      d.state = "Response ready";
      break;
    case Step::STEP_RESPONSE_SENT:
      d.action = "Send response";
      d.state = "Request complete";
      if (event.has_response())
        d.response = FormatResponseCell(event.response(), kResponseBodyWidth);
      break;
    case Step::STEP_FAILED:
      d.action = DetailOr(event, "Request failed");
      d.state = "Failed";
      break;
    case Step::STEP_CANCELLED:
      d.action = DetailOr(event, "Request cancelled");
      d.state = "Cancelled";
      break;
    case Step::STEP_BACKGROUND_STARTED:
      d.action = DetailOr(event, "Background task starts");
      d.state = "Background task, after the response";
      break;
    case Step::STEP_BACKGROUND_FINISHED:
      d.action = DetailOr(event, "Background task done");
      d.state = "Background task done";
      break;
    case Step::STEP_NEVER_AWAITED:
      d.action = DetailOr(event, "An awaitable was never awaited");
      d.state = "Never awaited: nothing ran";
      break;
    case Step::STEP_DEPENDENCY_STARTED:
      d.action = DetailOr(event, "Dependency starts");
      d.state = "Solving dependencies";
      break;
    case Step::STEP_DEPENDENCY_FINISHED:
      d.action = DetailOr(event, "Dependency done");
      d.state = "Dependency solved";
      break;
    default:
      d.action = DetailOr(event, absl::StrCat("Step ", static_cast<int>(event.step())));
      d.state = std::string(kEmpty);
      break;
  }
  return d;
}

std::string FormatSeconds(absl::Duration duration) {
  double seconds = absl::ToDoubleSeconds(duration);
  // Durations that round to zero print as "0.000s", never "-0.000s".
  if (std::abs(seconds) < 0.0005) seconds = 0.0;
  return absl::StrFormat("%.3fs", seconds);
}

std::string FormatResponseCell(const corouter::v1::HttpResponse& response, std::size_t body_width) {
  std::string body = Truncate(SanitizeCell(response.body()), body_width);
  if (body.empty()) return absl::StrCat(response.status_code());
  return absl::StrCat(response.status_code(), " ", body);
}

std::string FormatTraceSummary(absl::string_view label, const corouter::v1::HttpResponse& response,
                               absl::Duration elapsed) {
  return absl::StrCat("[", label, "] ", FormatResponseCell(response, kSummaryBodyWidth), " (",
                      FormatSeconds(elapsed), ")");
}

std::string FormatTraceFailureSummary(absl::string_view label, absl::string_view reason) {
  return absl::StrCat("[", label, "] no response (", reason, ")");
}

TraceTable::TraceTable(std::vector<std::string> labels) : labels_(std::move(labels)) {}

std::vector<std::string> TraceTable::HeaderRows() const {
  const auto rule = [](std::size_t width) { return std::string(width, '-'); };
  return {
      JoinRow("Step", "Time", "Req", "Action", "Awaited?", "State", "Response"),
      JoinRow(rule(kStepWidth), rule(kTimeWidth), rule(kReqWidth), rule(kActionWidth),
              rule(kAwaitedWidth), rule(kStateWidth), rule(absl::string_view("Response").size())),
  };
}

std::string TraceTable::AddEvent(std::size_t request_index, const TraceEvent& event) {
  const std::uint64_t step = next_step_++;
  std::string time(kEmpty);
  if (event.time_unix_nano() != 0) {
    if (!origin_unix_nanos_.has_value()) origin_unix_nanos_ = event.time_unix_nano();
    // Subtract in unsigned arithmetic and reinterpret, so events stamped
    // before the origin come out negative without overflow.
    const auto delta = static_cast<std::int64_t>(event.time_unix_nano() - *origin_unix_nanos_);
    time = FormatSeconds(absl::Nanoseconds(delta));
  }
  const absl::string_view label =
      request_index < labels_.size() ? absl::string_view(labels_[request_index]) : "?";
  StepDescription d = DescribeStep(event);
  auto or_empty = [](const std::string& s) -> absl::string_view { return s.empty() ? kEmpty : s; };
  return JoinRow(absl::StrCat(step), time, label, or_empty(d.action), d.awaited ? "Yes" : "No",
                 or_empty(d.state), or_empty(d.response));
}

}  // namespace corouter::client
