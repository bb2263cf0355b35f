// The execution trace table: renders the TraceEvents that ExecuteTraced
// streams as rows of a fixed-width table shaped like the seeds' execution
// tables (Step, Time, Req, Action, Awaited?, State, Response).
//
// One TraceTable serves one `corouter call --trace` invocation, which may run
// several requests at once (labelled A, B, C... in argument order). Rows are
// numbered by a global step counter across all requests, in the order events
// are handed to AddEvent (arrival order). Times are seconds since the first
// event seen, from the events' wall-clock time_unix_nano.
//
// Rendering is pure: TraceTable returns strings and does no I/O; the caller
// prints them. Every row is one line with no trailing newline.
#ifndef COROUTER_CLIENT_TRACE_TABLE_H_
#define COROUTER_CLIENT_TRACE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

// Column widths of the trace table, in display columns (see text_cell.h). The
// Step and Time columns are padded but never truncated; Action, State and Req
// cells longer than their width end in "…". The Response column is last and
// not padded; it holds "<status> <body>" with the body cut to
// kResponseBodyWidth columns.
inline constexpr std::size_t kStepWidth = 4;
inline constexpr std::size_t kTimeWidth = 8;
inline constexpr std::size_t kReqWidth = 3;
inline constexpr std::size_t kActionWidth = 52;
inline constexpr std::size_t kAwaitedWidth = 8;
inline constexpr std::size_t kStateWidth = 36;
inline constexpr std::size_t kResponseBodyWidth = 40;

// One execution step in the words of the table, before layout.
struct StepDescription {
  // What happened: "Client sends GET /wait", "await sleep(2s)".
  std::string action;
  // Whether the request is waiting on something that is not the event loop
  // (an await or executor work): the "Awaited?" column.
  bool awaited = false;
  // Where the request stands: "Paused, event loop free", "Running on loop-0".
  std::string state;
  // "<status> <body>" on STEP_RESPONSE_SENT with a response; "" otherwise.
  // The body is made one line and cut to kResponseBodyWidth columns.
  std::string response;
};

// Describes `event` (see the mapping in trace_table.cc). Unknown steps are
// described by their detail text with state "-". Pure; thread-safe.
StepDescription DescribeStep(const corouter::v1::TraceEvent& event);

// Formats a duration as seconds rounded to milliseconds: "0.000s", "5.004s",
// "-0.001s"; anything that rounds to zero is "0.000s". Pure; thread-safe.
std::string FormatSeconds(absl::Duration duration);

// Formats a response for a summary or the Response column: "<status> <body>",
// the body made one line (see SanitizeCell) and cut to `body_width` columns.
// Pure; thread-safe.
std::string FormatResponseCell(const corouter::v1::HttpResponse& response, std::size_t body_width);

// The summary line after the table for a request that got a response:
// `[A] 200 {"item_id":1,"q":"test"} (5.004s)`, where `elapsed` is the
// server's time from receiving the request to sending the response. The body
// is cut to 60 columns. Pure; thread-safe.
std::string FormatTraceSummary(absl::string_view label, const corouter::v1::HttpResponse& response,
                               absl::Duration elapsed);

// The summary line after the table for a request that got no response:
// "[B] no response (DEADLINE_EXCEEDED)". `reason` is a short cause, usually a
// gRPC status code name. Pure; thread-safe.
std::string FormatTraceFailureSummary(absl::string_view label, absl::string_view reason);

// Renders the rows of one invocation's trace table.
//
// Not thread-safe: AddEvent changes the step counter and the time origin, so
// callers that receive events on several threads must serialize calls (and
// print each row under the same lock so rows appear in step order).
class TraceTable {
 public:
  // `labels[i]` is the Req cell of request i: "A", "B"...
  explicit TraceTable(std::vector<std::string> labels);

  // The header row, then a rule of dashes under each column.
  std::vector<std::string> HeaderRows() const;

  // Renders `event` of request `request_index` as the next row and advances
  // the step counter. The first event with a nonzero time_unix_nano sets the
  // time origin (Time "0.000s"); an event without a time shows "-". An event
  // stamped before the origin (requests on different streams can arrive out
  // of stamp order) shows a negative time when that rounds to a millisecond
  // or more, else "0.000s". A `request_index` out of
  // range shows Req "?".
  std::string AddEvent(std::size_t request_index, const corouter::v1::TraceEvent& event);

 private:
  std::vector<std::string> labels_;
  std::uint64_t next_step_ = 1;
  std::optional<std::uint64_t> origin_unix_nanos_;
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_TRACE_TABLE_H_
