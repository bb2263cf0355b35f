// client/trace_timeline.h
//
// The timeline model: what each request, each event loop thread and each
// executor thread was doing over time, derived from the requests' trace
// events (corouter.v1.TraceEvent). It is the one model behind the Perfetto /
// Chrome trace files (chrome_trace.h) and the timeline picture
// (timeline_picture.h); the web dashboard applies the same rules in
// JavaScript, and docs/tracing.md states them for users.
//
// The rules. Each request's events are taken in `sequence` order; event i
// starts a stretch that lasts until event i+1 (the last event starts none).
// What the request does in that stretch depends on event i's step:
//
//   RECEIVED, ROUTE_MATCHED      running on its loop (routing, validation)
//   HANDLER_STARTED,             running on the event's thread: the loop for an
//   AWAIT_RESUMED,               `async def`; an executor thread for a `def`
//   HANDLER_RETURNED, FAILED     path operation's own steps (HANDLER_STARTED of
//                                a `def` runs inside its offload)
//   AWAIT_STARTED                awaiting: paused at an await, the loop is free
//   OFFLOAD_QUEUED               queued for the executor; the loop is free
//   OFFLOAD_STARTED              running on that executor thread (the event's
//                                `thread`) until OFFLOAD_FINISHED
//   OFFLOAD_FINISHED             awaiting: the result waits for its loop to
//                                resume the coroutine (AWAIT_RESUMED)
//   BLOCKING_CALL, announced     blocked: the handler said it is about to block
//   (detail "blocking call ...", (detail "blocking call sleep(2s) holds loop
//   thread a loop)               0"): from this event to the next one, the
//                                loop is held and nothing else runs on it
//   BLOCKING_CALL, detected      the loop found, after the fact, that one slice
//   (detail "loop N held for     of work ran past the slow-callback threshold:
//   ... without an await ...")   the stretch from the previous event to this
//                                one becomes blocked; after it, running
//   BLOCKING_CALL on an          running on that executor thread: a `def`'s
//   executor thread              blocking call holds only its worker, the loop
//                                stays free
//   RESPONSE_SENT, CANCELLED     the end: no stretch follows
//   BACKGROUND_STARTED           after the response, a background task:
//                                running on the event's thread (the loop for
//                                an async task, an executor thread for a sync
//                                one); its awaits, resumes and blocking calls
//                                follow the rules above
//   BACKGROUND_FINISHED          no stretch follows, until the next
//                                BACKGROUND_STARTED
//   NEVER_AWAITED                an instant: running, as before it
//
// A request whose last event is not RESPONSE_SENT or CANCELLED (still in
// flight when the recording stopped), or whose last background task has not
// finished, keeps its last state until the end of the recording. Adjacent stretches with the same
// state on the same thread are merged; empty stretches are dropped.
//
// Thread lanes: a lane per thread that ran something, holding the union of
// the running and blocked stretches of every request on that thread. A
// thread runs one thing at a time, so where two requests' stretches overlap
// on one thread (their events are only ~microseconds apart), the stretch that
// started later owns the overlap, and the earlier one resumes after it if it
// lasts longer. Lanes are ordered: loops by index, then executor threads by
// index, then any other thread by name.
//
// Flows: each offload gives two arrows, OFFLOAD_QUEUED (loop) to
// OFFLOAD_STARTED (executor thread), and OFFLOAD_FINISHED (executor thread)
// to the AWAIT_RESUMED that follows it (loop).
//
// Times are the events' wall-clock `time_unix_nano` (the server's clock), as
// absl::Time. Everything here is pure and thread-compatible: BuildTimeline
// may run on any thread, and a Timeline is a plain value.
#ifndef COROUTER_CLIENT_TRACE_TIMELINE_H_
#define COROUTER_CLIENT_TRACE_TIMELINE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

// What a request is doing during one stretch of its timeline.
enum class TimelineState {
  // Running on a thread: its loop (routing, validation, the coroutine
  // between awaits) or an executor thread (an offload, a `def`).
  kRunning,
  // Paused at an await, or its offload done and waiting to be resumed: the
  // loop is free for other requests.
  kAwaiting,
  // Handed to the executor, waiting for a free executor thread.
  kQueued,
  // A blocking call holds the loop: no other request runs on it.
  kBlocked,
};

// "running", "awaiting", "queued", "blocked". Pure; thread-safe.
absl::string_view TimelineStateName(TimelineState state);

// One stretch of a request's timeline: [start, end), end >= start.
struct TimelineSpan {
  TimelineState state = TimelineState::kRunning;
  // kRunning, kBlocked: the thread that ran it ("loop-0", "executor-3").
  // kAwaiting, kQueued: the request's loop thread (where it will resume).
  std::string thread;
  absl::Time start;
  absl::Time end;
  // The detail of the event that began the stretch ("sleep(2s)"; for a
  // blocked stretch, the BLOCKING_CALL's detail).
  std::string detail;
};

// One request's events and the stretches derived from them.
struct RequestTimeline {
  std::string request_id;
  // The name shown for it: "A" for `corouter call`, the request id for a watch.
  std::string label;
  // RECEIVED's detail, "GET /wait"; empty if RECEIVED was not seen.
  std::string request_line;
  // "loop-<loop>", from the first event's `loop`.
  std::string loop_thread;
  // In sequence order.
  std::vector<corouter::v1::TraceEvent> events;
  // In time order, not overlapping.
  std::vector<TimelineSpan> spans;
  // The first event's time, and the last event's (or the end of the
  // recording for a request still in flight).
  absl::Time start;
  absl::Time end;
  // RESPONSE_SENT or CANCELLED was seen (background tasks may follow).
  bool finished = false;
  // The RESPONSE_SENT's status code; 0 if none.
  int status_code = 0;
};

// A stretch of work on one thread: running or blocked.
struct ThreadSlice {
  absl::Time start;
  absl::Time end;
  TimelineState state = TimelineState::kRunning;
  // Index into Timeline::requests.
  std::size_t request = 0;
  std::string detail;
};

// One event loop or executor thread's lane.
struct ThreadTimeline {
  std::string thread;
  // In time order, not overlapping, none empty.
  std::vector<ThreadSlice> slices;
};

// An arrow from one thread to another: work handed to the executor, or the
// result handed back to the loop.
struct TimelineFlow {
  enum class Kind {
    kToExecutor,  // OFFLOAD_QUEUED -> OFFLOAD_STARTED
    kToLoop,      // OFFLOAD_FINISHED -> AWAIT_RESUMED
  };
  Kind kind = Kind::kToExecutor;
  std::size_t request = 0;  // Index into Timeline::requests.
  std::string from_thread;
  absl::Time from;
  std::string to_thread;
  absl::Time to;
};

// The whole recording.
struct Timeline {
  // In the order given to BuildTimeline.
  std::vector<RequestTimeline> requests;
  // Loops by index, then executor threads by index, then others by name.
  std::vector<ThreadTimeline> threads;
  std::vector<TimelineFlow> flows;
  // The earliest and latest time of any request (both InfinitePast when
  // there are no requests).
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfinitePast();
};

// One request's events as collected, in any order, with its label.
struct RequestEvents {
  std::string label;
  std::vector<corouter::v1::TraceEvent> events;
};

// Applies the rules above. Requests with no events are left out.
// `recording_end` is when the recording stopped: a request without
// RESPONSE_SENT or CANCELLED keeps its last state until then (if it is later
// than its last event). Pure; thread-safe.
Timeline BuildTimeline(const std::vector<RequestEvents>& requests,
                       absl::Time recording_end = absl::InfinitePast());

// Whether `thread` names an event loop thread ("loop-0"). Pure; thread-safe.
bool IsLoopThread(absl::string_view thread);

// Whether a BLOCKING_CALL's detail is the loop's after-the-fact detection
// ("loop 0 held for 2.001s without an await (...)") rather than the handler's
// announcement ("blocking call sleep(2s) holds loop 0"). Pure; thread-safe.
bool IsDetectedBlockingCall(absl::string_view detail);

// The step's name without its prefix: "AWAIT_STARTED". Pure; thread-safe.
std::string StepName(corouter::v1::Step step);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_TRACE_TIMELINE_H_
