// client/chrome_trace.h
//
// Writes a Timeline (trace_timeline.h) in the Trace Event Format, the JSON
// that ui.perfetto.dev and chrome://tracing open:
//
//   {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}
//
// What it contains (pid 1 is the server; timestamps `ts` and durations `dur`
// are microseconds since the earliest event of the recording, whose Unix time
// is otherData.time_origin_unix_nano, with nanosecond decimals and a tenth of
// a nanosecond more, 6500.0001, so that a viewer that truncates to whole
// nanoseconds gets the exact value):
//  - "M" metadata: process_name (the server address), and for every thread
//    lane a thread_name ("loop-0", "executor-3") and thread_sort_index (the
//    lane order: loops, then executor threads);
//  - "X" complete events on the thread tracks, one per ThreadSlice: a running
//    stretch is named after its request ("A GET /wait"), a blocked one stands
//    out ("BLOCKED loop-0: C GET /blocking", category "blocked"). Slices on
//    one thread never overlap, so they nest trivially;
//  - one async track per request ("b"/"e", category "request", id = the
//    request id), named like the slices, from its first to its last event;
//    nested inside it a "b"/"e" pair per state stretch ("running on loop-0",
//    "awaiting", "queued for the executor", "BLOCKED loop-0"), and an "n"
//    instant per trace event, named after its step ("AWAIT_STARTED") with the
//    detail, sequence and thread in args;
//  - "s"/"f" flow events (category "offload") for every TimelineFlow, placed
//    inside the slices they connect (the "f" binds to its enclosing slice,
//    "bp":"e"), so an arrow goes from the loop to the executor thread at
//    OFFLOAD_QUEUED -> OFFLOAD_STARTED and back at OFFLOAD_FINISHED ->
//    AWAIT_RESUMED.
//
// Pure functions; thread-safe.
#ifndef COROUTER_CLIENT_CHROME_TRACE_H_
#define COROUTER_CLIENT_CHROME_TRACE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/trace_timeline.h"
#include "nlohmann/json.hpp"

namespace corouter::client {

// The name of a request in slices and tracks: "A GET /wait" (just the label
// when the request line is unknown).
std::string RequestTitle(const RequestTimeline& request);

// The whole trace file as JSON. `process_name` names the server's process
// track (its address, "127.0.0.1:50051").
nlohmann::json ToChromeTrace(const Timeline& timeline, absl::string_view process_name);

// Writes ToChromeTrace(...) to `path`, replacing it (written to a temporary
// file next to it, then renamed, so a reader never sees half a file). Errors:
// the file cannot be written (the message names the path and the cause).
absl::Status WriteChromeTrace(const Timeline& timeline, absl::string_view process_name,
                              const std::string& path);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_CHROME_TRACE_H_
