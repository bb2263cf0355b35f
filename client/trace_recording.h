// client/trace_recording.h
//
// TraceRecording: collects the trace events a command receives (ExecuteTraced
// streams in `corouter call --trace`, the WatchTraces feed in `corouter
// watch`), grouped by request, so that they can be turned into a Timeline
// (trace_timeline.h) and written out (chrome_trace.h, timeline_picture.h)
// when the command ends.
//
// Memory is bounded: at most `max_events` events are kept; later ones are
// dropped and counted (dropped_events()), so a watch left running for days
// records its first `max_events` events and says how many it missed.
//
// Thread-safe: Add, counts and Build may be called from any thread at once.
#ifndef COROUTER_CLIENT_TRACE_RECORDING_H_
#define COROUTER_CLIENT_TRACE_RECORDING_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/trace_timeline.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

class TraceRecording {
 public:
  // The default bound on kept events (a few hundred bytes each).
  static constexpr std::size_t kDefaultMaxEvents = 200'000;

  explicit TraceRecording(std::size_t max_events = kDefaultMaxEvents) : max_events_(max_events) {}

  // Adds one event to its request (by request_id). The first event of a
  // request names it: `label` ("A"; empty: the request id) and `order`
  // (requests are built in increasing order, then first seen first; empty:
  // the order they were first seen).
  void Add(const corouter::v1::TraceEvent& event, absl::string_view label = "",
           int64_t order = INT64_MAX);

  // Events kept, and dropped for the bound.
  std::size_t events() const;
  std::size_t dropped_events() const;
  // Requests with at least one kept event.
  std::size_t requests() const;

  // The timeline of everything kept so far (see BuildTimeline for
  // `recording_end`).
  Timeline Build(absl::Time recording_end = absl::InfinitePast()) const;

 private:
  struct Request {
    int64_t order = 0;
    int64_t first_seen = 0;
    RequestEvents events;
  };

  const std::size_t max_events_;
  mutable std::mutex mu_;
  std::map<std::string, Request> requests_;  // By request id. Guarded by mu_.
  std::size_t events_ = 0;                   // Guarded by mu_.
  std::size_t dropped_ = 0;                  // Guarded by mu_.
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_TRACE_RECORDING_H_
