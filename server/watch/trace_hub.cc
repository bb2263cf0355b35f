#include "server/watch/trace_hub.h"

#include <algorithm>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/watch/request_recorder.h"

namespace corouter::watch {
namespace {

uint64_t RandomRun() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace

void TraceSummary::Observe(const WatchEvent& event) {
  const trace::TraceEvent& e = event.event;
  switch (e.step) {
    case trace::Step::kRouteMatched:
      route_known = true;
      if (e.route.has_value()) {
        path_template = e.route->path_template;
        endpoint = e.route->endpoint;
      }
      break;
    case trace::Step::kFailed:
      failed = true;
      break;
    case trace::Step::kBlockingCall:
      blocked_loop = true;
      break;
    case trace::Step::kCancelled:
      cancelled = true;
      break;
    case trace::Step::kOffloadStarted:
      ++offloads;
      break;
    case trace::Step::kResponseSent:
      if (event.response.has_value()) status_code = event.response->status_code;
      break;
    default:
      break;
  }
  duration = std::max(duration, e.elapsed);
}

RequestFacts TraceSummary::facts() const {
  RequestFacts f;
  f.serial = serial;
  f.method = request.method;
  f.route_known = route_known;
  f.path_template = path_template;
  f.endpoint = endpoint;
  f.status_code = status_code;
  f.failed = failed;
  f.cancelled = cancelled;
  f.blocked_loop = blocked_loop;
  f.duration = duration;
  return f;
}

TraceHub::TraceHub(TraceHubOptions options) : options_(options), run_(RandomRun()) {}

TraceHub::~TraceHub() = default;

std::string TraceHub::CursorText(uint64_t n) const {
  return absl::StrCat("c1.", absl::Hex(run_, absl::kZeroPad16), ".", n);
}

absl::StatusOr<std::optional<uint64_t>> TraceHub::ParseCursor(const std::string& text) const {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  uint64_t run = 0;
  uint64_t n = 0;
  if (parts.size() != 3 || parts[0] != "c1" || parts[1].size() != 16 ||
      !absl::SimpleHexAtoi(parts[1], &run) || !absl::SimpleAtoi(parts[2], &n)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resume_cursor: \"", text, "\" is not a cursor of WatchTracesResponse.cursor"));
  }
  if (run != run_) return std::optional<uint64_t>();
  return std::optional<uint64_t>(n);
}

void TraceHub::Register(RequestRecorder* recorder) {
  sync::MutexLock lock(&mu_);
  in_flight_.insert(recorder);
}

void TraceHub::Publish(RequestRecorder* recorder, EventPtr event, bool final) {
  std::vector<Waker> wakes;
  {
    sync::MutexLock lock(&mu_);
    RequestRecorder& r = *recorder;
    if (r.ended_) return;
    const trace::TraceEvent& e = event->event;
    r.summary_.Observe(*event);
    r.events_.push_back(event);
    if (final) {
      r.summary_.route_known = true;  // no route now means none
      ++completed_;
    }
    if (!live_.empty()) {
      const RequestFacts facts = r.summary_.facts();
      for (const std::shared_ptr<Subscription>& s : live_) {
        if (s->options_.filter.Live(facts) != WatchFilter::Verdict::kPass) continue;
        if (s->options_.filter.needs_route() && e.step == trace::Step::kRouteMatched) {
          // The events held while the route was unknown, then this one.
          for (const EventPtr& held : r.events_)
            PushLocked(*s, {held, nullptr, completed_}, &wakes);
        } else {
          PushLocked(*s, {event, nullptr, completed_}, &wakes);
        }
      }
    }
    if (final) EndLocked(recorder, completed_, &wakes);
  }
  for (const Waker& wake : wakes) wake();
}

void TraceHub::End(RequestRecorder* recorder) {
  std::vector<Waker> wakes;
  {
    sync::MutexLock lock(&mu_);
    if (recorder->ended_) return;
    if (recorder->events_.empty()) {
      recorder->ended_ = true;
      in_flight_.erase(recorder);
      return;
    }
    recorder->summary_.route_known = true;
    EndLocked(recorder, ++completed_, &wakes);
  }
  for (const Waker& wake : wakes) wake();
}

void TraceHub::EndLocked(RequestRecorder* recorder, uint64_t cursor, std::vector<Waker>* wakes) {
  RequestRecorder& r = *recorder;
  r.ended_ = true;
  in_flight_.erase(recorder);
  auto trace = std::make_shared<CompletedTrace>();
  trace->cursor = cursor;
  trace->summary = std::move(r.summary_);
  trace->events = std::move(r.events_);
  if (options_.history > 0) {
    history_.push_back(trace);
    if (history_.size() > options_.history) history_.pop_front();
  }
  if (completed_subs_.empty()) return;
  const RequestFacts facts = trace->summary.facts();
  for (const std::shared_ptr<Subscription>& s : completed_subs_) {
    if (s->options_.filter.Completed(facts)) PushLocked(*s, {nullptr, trace, cursor}, wakes);
  }
}

void TraceHub::PushLocked(Subscription& s, Item item, std::vector<Waker>* wakes) {
  const std::optional<ExporterQueue>& exporter = s.options_.exporter;
  // An exporter's queue counts spans; a WatchTraces subscriber's, events.
  const size_t size = exporter.has_value() ? item.spans() : item.size();
  const size_t limit = exporter.has_value() ? exporter->max_spans : options_.watch_buffer;
  if (s.queued_events_ + size > limit) {
    s.dropped_ += size;
    s.dropped_total_ += size;
    if (!exporter.has_value()) events_dropped_ += size;
    return;
  }
  s.queued_events_ += size;
  s.queue_.push_back(std::move(item));
  if (s.waiting_ && (!exporter.has_value() || s.queued_events_ >= exporter->wake_at_spans)) {
    s.waiting_ = false;
    wakes->push_back(s.waker_);
  }
}

absl::StatusOr<std::shared_ptr<TraceHub::Subscription>> TraceHub::Subscribe(
    SubscribeOptions options, Waker waker) {
  std::optional<std::optional<uint64_t>> resume;  // set: resuming; inner nullopt: earlier run
  if (options.resume_cursor.has_value()) {
    absl::StatusOr<std::optional<uint64_t>> parsed = ParseCursor(*options.resume_cursor);
    if (!parsed.ok()) return parsed.status();
    resume = *parsed;
  }
  if (options.exporter.has_value() &&
      (!options.completed_mode || options.replay > 0 || options.resume_cursor.has_value())) {
    return absl::InvalidArgumentError("an exporter subscribes in COMPLETED mode, without replay");
  }
  auto s = std::make_shared<Subscription>(std::move(options), std::move(waker));
  std::vector<Waker> unused;
  sync::MutexLock lock(&mu_);
  const SubscribeOptions& o = s->options_;
  const uint64_t oldest = history_.empty() ? completed_ + 1 : history_.front()->cursor;
  size_t first = history_.size();  // the first kept trace to replay
  if (resume.has_value()) {
    if (!resume->has_value()) {
      s->lost_ = Loss{oldest - 1, true};
      first = 0;
    } else {
      const uint64_t after = **resume;
      if (after > completed_) {
        return absl::InvalidArgumentError(absl::StrCat("resume_cursor: \"", *o.resume_cursor,
                                                       "\" is ahead of this server (", completed_,
                                                       " traces completed)"));
      }
      if (after + 1 < oldest) s->lost_ = Loss{oldest - after - 1, false};
      first = after + 1 < oldest ? 0 : static_cast<size_t>(after + 1 - oldest);
    }
  } else {
    first = history_.size() - std::min(o.replay, history_.size());
  }
  for (size_t i = first; i < history_.size(); ++i) {
    if (o.filter.Completed(history_[i]->summary.facts())) s->replay_.push_back(history_[i]);
  }
  // Everything up to now is replayed or not wanted; each replayed trace
  // sets the cursor to its own as it is taken.
  s->cursor_ = completed_;
  // An exporter takes nothing until its first wake: arm the waker now, or
  // the threshold would never be announced.
  if (o.exporter.has_value()) s->waiting_ = true;
  if (o.completed_mode) {
    completed_subs_.push_back(s);
  } else {
    // What in flight requests emitted so far, oldest request first.
    std::vector<RequestRecorder*> running(in_flight_.begin(), in_flight_.end());
    std::sort(running.begin(), running.end(),
              [](const RequestRecorder* a, const RequestRecorder* b) {
                return a->summary_.serial < b->summary_.serial;
              });
    for (RequestRecorder* r : running) {
      if (r->events_.empty() || o.filter.Live(r->summary_.facts()) != WatchFilter::Verdict::kPass) {
        continue;
      }
      for (const EventPtr& e : r->events_) PushLocked(*s, {e, nullptr, completed_}, &unused);
    }
    live_.push_back(s);
  }
  subscribers_.fetch_add(1);
  if (o.exporter.has_value()) exporters_.fetch_add(1);
  return s;
}

void TraceHub::Unsubscribe(Subscription& subscription) {
  sync::MutexLock lock(&mu_);
  if (!subscription.open_) return;
  subscription.open_ = false;
  auto& list = subscription.options_.completed_mode ? completed_subs_ : live_;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const auto& s) { return s.get() == &subscription; }),
             list.end());
  subscription.queue_.clear();
  subscription.replay_.clear();
  subscription.queued_events_ = 0;
  subscribers_.fetch_sub(1);
  if (subscription.options_.exporter.has_value()) exporters_.fetch_sub(1);
}

Batch TraceHub::TakeBatch(Subscription& s, size_t max_events) {
  Batch batch;
  sync::MutexLock lock(&mu_);
  if (s.options_.exporter.has_value()) {
    size_t spans = 0;
    while (!s.queue_.empty() &&
           (batch.traces.empty() || spans + s.queue_.front().spans() <= max_events)) {
      Item& item = s.queue_.front();
      spans += item.spans();
      s.queued_events_ -= item.spans();
      s.cursor_ = std::max(s.cursor_, item.cursor);
      batch.traces.push_back(std::move(item.trace));
      s.queue_.pop_front();
    }
    s.dropped_ = 0;  // an exporter reads dropped_total_ (Queue)
    s.waiting_ = s.open_ && s.queued_events_ < s.options_.exporter->wake_at_spans;
    return batch;
  }
  batch.lost = std::move(s.lost_);
  s.lost_.reset();
  auto fits = [&](size_t n) {
    return batch.events.empty() || batch.events.size() + n <= max_events;
  };
  while (!s.replay_.empty() && fits(s.replay_.front()->events.size())) {
    const TracePtr& t = s.replay_.front();
    batch.events.insert(batch.events.end(), t->events.begin(), t->events.end());
    s.cursor_ = t->cursor;
    s.replay_.pop_front();
  }
  while (s.replay_.empty() && !s.queue_.empty() && fits(s.queue_.front().size())) {
    Item& item = s.queue_.front();
    if (item.trace != nullptr) {
      batch.events.insert(batch.events.end(), item.trace->events.begin(), item.trace->events.end());
    } else {
      batch.events.push_back(std::move(item.event));
    }
    s.queued_events_ -= item.size();
    s.cursor_ = std::max(s.cursor_, item.cursor);
    s.queue_.pop_front();
  }
  batch.dropped_events = s.dropped_;
  s.dropped_ = 0;
  batch.cursor = CursorText(s.cursor_);
  if (batch.events.empty() && batch.dropped_events == 0 && !batch.lost.has_value()) {
    s.waiting_ = s.open_;
  }
  return batch;
}

TraceHub::QueueState TraceHub::Queue(const Subscription& subscription) const {
  sync::MutexLock lock(&mu_);
  return {subscription.queued_events_, subscription.dropped_total_};
}

HubStats TraceHub::stats() const {
  HubStats out;
  out.subscribers = subscribers_.load() - exporters_.load();
  out.events_sent = events_sent_.load();
  sync::MutexLock lock(&mu_);
  out.events_dropped = events_dropped_;
  out.history = history_.size();
  out.history_capacity = options_.history;
  return out;
}

}  // namespace corouter::watch
