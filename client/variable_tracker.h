// client/variable_tracker.h
//
// The "Variable Tracker" of the seeds (shared/seeds/000, 002, 003), built
// from trace events: after the execution table, `corouter call --trace
// --tracker` prints how each request's path operation and, with several
// requests, the server itself changed state, one column per step where
// something changed:
//
//   Variable                  Start        After Step 3  After Step 4                Final
//   ------------------------  -----------  ------------  --------------------------  ------------
//   wait_seconds coroutine    Not started  Running       Paused at await sleep(2s)   ...
//
// Rows, in this order:
//   - one per request: "<endpoint> coroutine" for an `async def`,
//     "<endpoint> function" for a `def` (the endpoint from ROUTE_MATCHED; the
//     request line, "GET /nope", when no route matched), prefixed with the
//     request's label ("A: wait_seconds coroutine") when there are several.
//     Its states, in the seeds' words: Not started, Running (an `async def`
//     on its loop), Running on executor-N (a `def`), Queued for the executor,
//     Paused at await sleep(2s), Resumed after sleep(2s), Blocking the loop:
//     sleep(2s), Returned 200, Failed: <detail>, Cancelled, No handler ran
//     (404) for a request answered without running one;
//   - "<label>: background tasks" right after it when the request ran any
//     (BACKGROUND_STARTED/FINISHED, after RESPONSE_SENT), each state naming
//     the task: Not started, send_email running, send_email paused at await
//     sleep(1s), write_log running on executor-1, send_email done,
//     write_log failed;
//   - with several requests, "Server state": the event loop as seed 003 words
//     it: Idle; Handling Request A (running on the loop, with the requests
//     paused meanwhile: "Handling Request B, A paused"; "Handling A's
//     background task"); Request A paused,
//     server free; Server blocked by Request C (an announced BLOCKING_CALL
//     on a loop thread, until that request's next step); Requests A and B
//     done, server free (the requests that ended since the server was last
//     free).
//
// Columns: "Variable", "Start" (before the first event), "After Step N" for
// each step N where some row changed (N is the execution table's step
// number: the position of the event among those added), and "Final" (after
// the last event; it replaces the column of the last change). Where two
// changes come from one request's consecutive steps (no other request's row
// between them) and one of them changed only the Server state (a request
// received, or answered), only the later one gets a column: "Handling
// Request A" at RECEIVED gives way to A's Running at HANDLER_STARTED, and
// A's "Returned 200" is shown with the Server state after its response.
// Each Server-only change merges with one neighbour: the next change of its
// run, else the previous one. A table wider
// than `max_width` is wrapped: its columns are printed in blocks, each
// repeating the Variable column, separated by a blank line; every cell is
// cut to kTrackerCellWidth columns.
//
// Not thread-safe: AddEvent must be serialized (call_command feeds it under
// the lock that prints the rows). Render is pure.
#ifndef COROUTER_CLIENT_VARIABLE_TRACKER_H_
#define COROUTER_CLIENT_VARIABLE_TRACKER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "corouter/v1/execution.pb.h"

namespace corouter::client {

// The widest the tracker's lines get (as wide as the execution table's
// fixed columns), and the widest one cell gets.
inline constexpr std::size_t kTrackerWidth = 160;
inline constexpr std::size_t kTrackerCellWidth = 44;

class VariableTracker {
 public:
  // The requests of one invocation, in order.
  struct Request {
    // "A": the Req cell of the execution table.
    std::string label;
    // "GET /wait": names the row until (or unless) a route matches.
    std::string request_line;
  };

  explicit VariableTracker(std::vector<Request> requests);

  // Takes in the next row of the execution table: event `event` of request
  // `request_index`, the table's step number being the count of events added
  // so far. Events of an index out of range count as a step and change
  // nothing.
  void AddEvent(std::size_t request_index, const corouter::v1::TraceEvent& event);

  // The table as lines without newlines, none wider than `max_width` unless
  // the Variable column and one other are wider.
  std::vector<std::string> Render(std::size_t max_width = kTrackerWidth) const;

 private:
  // What one request is doing, as the Server state row needs it.
  enum class Phase { kNotReceived, kHandling, kPaused, kOnExecutor, kBlocking, kDone };

  struct RequestState {
    std::string endpoint;       // from ROUTE_MATCHED; empty until then
    bool is_def = false;        // a `def` path operation ("calling def ...")
    bool started = false;       // HANDLER_STARTED seen
    bool responded = false;     // RESPONSE_SENT or CANCELLED seen
    std::string pending_await;  // what the last AWAIT_STARTED awaits
    std::string coroutine = "Not started";
    bool has_background = false;
    std::string background_task;  // the detail of the last BACKGROUND_STARTED
    std::string background = "Not started";
    Phase phase = Phase::kNotReceived;
  };

  // Every cell after some step (the rows that exist only at the end, such as
  // background tasks, are picked at rendering).
  struct Column {
    std::uint64_t step = 0;  // 0: Start
    // The run of consecutive events of one request the step belongs to.
    std::uint64_t run = 0;
    // Only the Server state changed at this step.
    bool server_only = false;
    std::vector<std::string> coroutine;
    std::vector<std::string> background;
    std::string server;
    bool operator==(const Column& other) const {
      return coroutine == other.coroutine && background == other.background &&
             server == other.server;
    }
  };

  static void Apply(RequestState& request, const corouter::v1::TraceEvent& event);
  static void ApplyPhase(RequestState& request, const corouter::v1::TraceEvent& event);
  std::string ServerState() const;
  Column Snapshot() const;

  std::vector<Request> requests_;
  std::vector<RequestState> states_;
  // Requests that ended since the server last had nothing to do, in order.
  std::vector<std::size_t> done_since_free_;
  std::uint64_t steps_ = 0;
  std::uint64_t runs_ = 0;
  std::size_t last_request_ = SIZE_MAX;
  // The Start column, then one per step that changed a cell.
  std::vector<Column> columns_;
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_VARIABLE_TRACKER_H_
