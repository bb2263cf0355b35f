// server/watch/trace_hub.h
//
// TraceHub: the server-wide fan-out of execution traces to WatchTraces
// subscribers, and the bounded history of completed traces they can replay.
//
// Every request the server admits gets a RequestRecorder (request_recorder.h)
// while the hub is enabled (history kept, or anyone subscribed). Its events
// are published here as they happen, from whichever thread emitted them (a
// loop, or an executor thread for OFFLOAD_STARTED/FINISHED), and:
//  - go to every LIVE subscriber whose filter passes the request so far
//    (events held while the route is unknown go together once it is);
//  - when the request ends (RESPONSE_SENT or CANCELLED, or its recorder is
//    destroyed), become one CompletedTrace: it gets the next server-wide
//    cursor, enters the history ring (--trace-history traces; the oldest
//    leaves), and goes whole to every COMPLETED subscriber that passes.
//
// Backpressure (what tokio-console does not do: its slow watcher is dropped
// silently). Each subscriber has a bounded queue, counted in events
// (--watch-buffer). A push to a full queue drops the new events and counts
// them; the subscriber's next batch reports how many. Publishing never waits
// for a subscriber: it takes the hub's mutex for a bounded time (the filter
// checks and a pointer push per subscriber), and nobody holds that mutex
// while writing to the network. Events are shared, immutable, between the
// ring and every queue, so a subscriber's memory is its queue of pointers.
//
// The writer side (one per subscriber, the gRPC call) pulls with TakeBatch:
// everything queued, up to a size, leaves in one message, and a writer that
// found nothing is woken (its Waker is called once, outside the mutex) when
// the next event is queued. One write in flight per subscriber is thus the
// whole protocol: events produced during a write leave together in the next.
//
// The sinks dashboards use (issue 8: OTLP spans, Perfetto files, Prometheus
// metrics, a web page) are meant to be subscribers too: an in-process
// exporter subscribes in COMPLETED mode with a waker that signals its own
// thread, and takes whole traces with TakeBatch, so it gets the same bounded
// queue and drop counting and can never slow a loop.
//
// Cursors are "c1.<run>.<n>": n counts completed traces server-wide, run is
// random per server start, so a cursor from an earlier run is recognised and
// reported as a loss rather than misread.
//
// Thread safety: every member is thread-safe. The hub's mutex is a
// sync::Mutex (std::mutex), not an absl::Mutex, so that ThreadSanitizer sees
// how events pass from the publishing threads to the writers
// (server/sync/mutex.h).
#ifndef COROUTER_SERVER_WATCH_TRACE_HUB_H_
#define COROUTER_SERVER_WATCH_TRACE_HUB_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "server/sync/mutex.h"
#include "server/trace/trace_event.h"
#include "server/watch/watch_filter.h"

namespace corouter::watch {

/// The response's head, carried by a RESPONSE_SENT event (the body is left
/// out of the feed: its size is in the event's detail).
struct ResponseHead {
  int status_code = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// One published event, shared by the history and every queue.
struct WatchEvent {
  std::string request_id;
  trace::TraceEvent event;
  std::optional<ResponseHead> response;  // on RESPONSE_SENT
};
using EventPtr = std::shared_ptr<const WatchEvent>;

/// What the call knew of a request when it was admitted, for the filters and
/// the exporters (OTLP's url.path, url.query and the caller's trace).
struct RequestInfo {
  std::string method;
  /// The request target as sent: "/slow_task/1?q=test". It and the trace
  /// context below are kept only while an exporter is subscribed
  /// (TraceHub::exporting); empty otherwise.
  std::string target;
  /// The caller's W3C Trace Context (https://www.w3.org/TR/trace-context/):
  /// the request's `traceparent` / `tracestate` header fields, else the
  /// call's gRPC metadata of those names; empty when neither came.
  std::string traceparent;
  std::string tracestate;
};

/// What the filters look at of one request, kept up to date from its events
/// while it runs (Observe) and frozen in its CompletedTrace.
struct TraceSummary {
  uint64_t serial = 0;
  RequestInfo request;
  bool route_known = false;
  std::string path_template;  // empty: no route
  std::string endpoint;
  int status_code = 0;  // 0: no response
  bool failed = false;
  bool cancelled = false;
  bool blocked_loop = false;
  /// OFFLOAD_STARTED events so far: an exporter's span count is 1 + this.
  uint32_t offloads = 0;
  std::chrono::nanoseconds duration{0};

  /// Takes in what `event` tells of the request.
  void Observe(const WatchEvent& event);
  /// A view for WatchFilter (valid while this summary lives).
  RequestFacts facts() const;
};

/// One request's whole trace, once it ended.
struct CompletedTrace {
  uint64_t cursor = 0;  // 1, 2, 3... server-wide, in completion order
  TraceSummary summary;
  std::vector<EventPtr> events;
};
using TracePtr = std::shared_ptr<const CompletedTrace>;

struct TraceHubOptions {
  /// Completed traces kept for replay; 0 keeps none.
  size_t history = 1000;
  /// Events one subscriber may have queued; beyond it new ones are dropped.
  size_t watch_buffer = 16384;
};

/// An in-process exporter's subscription (OTLP): see SubscribeOptions.
struct ExporterQueue {
  /// The queue's bound, in spans (a trace is 1 + its offloads); a trace that
  /// does not fit is dropped whole and counted (TraceHub::Queue).
  size_t max_spans = 2048;
  /// The waker is called once at least this many spans are queued (not at
  /// the first), like the BatchSpanProcessor's export trigger.
  size_t wake_at_spans = 512;
};

/// What a subscriber asks for (corouter.v1.WatchTracesRequest, checked).
struct SubscribeOptions {
  WatchFilter filter;
  bool completed_mode = false;
  /// Replay this many of the most recent kept traces first...
  size_t replay = 0;
  /// ...or, when set, every kept trace after this cursor.
  std::optional<std::string> resume_cursor;
  /// Set for an in-process exporter (COMPLETED mode, no replay): its queue
  /// is bounded in spans, TakeBatch gives whole traces (Batch::traces), and
  /// it is not counted in HubStats (which describes WatchTraces streams).
  std::optional<ExporterQueue> exporter;
};

/// What the resume cursor could not give back.
struct Loss {
  uint64_t traces = 0;
  bool earlier_run = false;
};

/// One message's worth for a subscriber.
struct Batch {
  std::vector<EventPtr> events;  // WatchTraces subscribers
  std::vector<TracePtr> traces;  // exporter subscribers (their drops: TraceHub::Queue)
  std::string cursor;
  uint64_t dropped_events = 0;
  std::optional<Loss> lost;  // first batch only
};

struct HubStats {
  size_t subscribers = 0;
  uint64_t events_sent = 0;
  uint64_t events_dropped = 0;
  size_t history = 0;
  size_t history_capacity = 0;
};

class RequestRecorder;

class TraceHub {
 public:
  /// Called (outside the hub's mutex, on the publishing thread) when a
  /// subscriber whose last TakeBatch found nothing has something to take.
  using Waker = std::function<void()>;
  class Subscription;

  explicit TraceHub(TraceHubOptions options = {});
  ~TraceHub();
  TraceHub(const TraceHub&) = delete;
  TraceHub& operator=(const TraceHub&) = delete;

  /// True when requests should be recorded: history is kept or someone
  /// subscribed. A request admitted while false is never seen.
  /// True while an in-process exporter is subscribed: requests then keep
  /// what only an exporter reads (the caller's trace context).
  bool exporting() const { return exporters_.load(std::memory_order_relaxed) > 0; }

  bool enabled() const {
    return options_.history > 0 || subscribers_.load(std::memory_order_relaxed) > 0;
  }

  /// Registers a subscriber. Its first batches are the replay (or resume),
  /// then, in LIVE mode, what in-flight requests emitted so far, then live
  /// traffic, with no gap and no duplicate between them.
  /// Errors: INVALID_ARGUMENT for a malformed resume cursor.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(SubscribeOptions options, Waker waker);

  /// Removes the subscriber and frees its queue. Idempotent.
  void Unsubscribe(Subscription& subscription);

  /// Takes up to about `max_events` events (a replayed or COMPLETED trace is
  /// never split, so one larger trace is taken whole). When nothing is
  /// queued, returns an empty batch and arms the waker. For an exporter,
  /// takes whole traces of up to `max_events` spans in all, and arms the
  /// waker whenever fewer than its wake_at_spans stay queued.
  Batch TakeBatch(Subscription& subscription, size_t max_events);

  /// A subscriber's queue now: what is queued (events, or spans for an
  /// exporter) and everything ever dropped from it (monotonic, unlike
  /// Batch::dropped_events, which counts since the previous batch).
  struct QueueState {
    size_t queued = 0;
    uint64_t dropped_total = 0;
  };
  QueueState Queue(const Subscription& subscription) const;

  /// The writer wrote `events` events to its subscriber.
  void CountSent(size_t events) { events_sent_.fetch_add(events, std::memory_order_relaxed); }

  HubStats stats() const;

  /// The cursor text for completion count `n` of this run.
  std::string CursorText(uint64_t n) const;

 private:
  friend class RequestRecorder;
  struct Item {
    EventPtr event;  // one live event, or
    TracePtr trace;  // one whole trace (COMPLETED mode)
    uint64_t cursor = 0;
    size_t size() const { return trace != nullptr ? trace->events.size() : 1; }
    size_t spans() const { return trace != nullptr ? 1 + trace->summary.offloads : 1; }
  };

  void Register(RequestRecorder* recorder);
  /// Publishes `event` of `recorder`; ends the record when `final`.
  void Publish(RequestRecorder* recorder, EventPtr event, bool final);
  /// Ends `recorder` (its recorder is going away without a final event).
  void End(RequestRecorder* recorder);
  void EndLocked(RequestRecorder* recorder, uint64_t cursor, std::vector<Waker>* wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PushLocked(Subscription& s, Item item, std::vector<Waker>* wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t NextSerial() { return serials_.fetch_add(1, std::memory_order_relaxed) + 1; }
  /// Parses a cursor of this run; nullopt for one of an earlier run.
  absl::StatusOr<std::optional<uint64_t>> ParseCursor(const std::string& text) const;

  const TraceHubOptions options_;
  const uint64_t run_;  // random per hub
  std::atomic<uint64_t> serials_{0};
  std::atomic<size_t> subscribers_{0};
  std::atomic<size_t> exporters_{0};
  std::atomic<uint64_t> events_sent_{0};

  mutable sync::Mutex mu_;
  uint64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<TracePtr> history_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<RequestRecorder*> in_flight_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Subscription>> live_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Subscription>> completed_subs_ ABSL_GUARDED_BY(mu_);
  uint64_t events_dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

/// One subscriber's state, shared by the hub and its writer; every field is
/// the hub's (guarded by its mutex).
class TraceHub::Subscription {
 public:
  Subscription(SubscribeOptions options, Waker waker)
      : options_(std::move(options)), waker_(std::move(waker)) {}

 private:
  friend class TraceHub;
  const SubscribeOptions options_;
  const Waker waker_;
  std::deque<TracePtr> replay_;
  std::deque<Item> queue_;
  size_t queued_events_ = 0;    // spans, for an exporter
  uint64_t dropped_ = 0;        // since the last batch
  uint64_t dropped_total_ = 0;  // ever
  uint64_t cursor_ = 0;
  std::optional<Loss> lost_;
  bool waiting_ = false;
  bool open_ = true;
};

}  // namespace corouter::watch

#endif  // COROUTER_SERVER_WATCH_TRACE_HUB_H_
