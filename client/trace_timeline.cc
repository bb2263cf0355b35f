#include "client/trace_timeline.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace corouter::client {
namespace {

namespace v1 = corouter::v1;

absl::Time TimeOf(const v1::TraceEvent& event) {
  return absl::FromUnixNanos(static_cast<int64_t>(event.time_unix_nano()));
}

// The state that follows `event` (std::nullopt: none, the request ended).
std::optional<TimelineSpan> SpanAfter(const v1::TraceEvent& event, const std::string& loop_thread) {
  TimelineSpan span;
  span.detail = event.detail();
  span.thread = event.thread().empty() ? loop_thread : event.thread();
  switch (event.step()) {
    case v1::STEP_RESPONSE_SENT:
    case v1::STEP_CANCELLED:
    case v1::STEP_BACKGROUND_FINISHED:
      return std::nullopt;
    case v1::STEP_DEPENDENCY_FINISHED:
      // After a teardown (past the response): nothing, until the next one.
      if (absl::StrContains(event.detail(), " teardown ")) return std::nullopt;
      span.state = TimelineState::kRunning;
      return span;
    case v1::STEP_AWAIT_STARTED:
    case v1::STEP_OFFLOAD_FINISHED:
      span.state = TimelineState::kAwaiting;
      span.thread = loop_thread;
      return span;
    case v1::STEP_OFFLOAD_QUEUED:
      span.state = TimelineState::kQueued;
      span.thread = loop_thread;
      return span;
    case v1::STEP_BLOCKING_CALL:
      span.state = IsLoopThread(span.thread) && !IsDetectedBlockingCall(event.detail())
                       ? TimelineState::kBlocked
                       : TimelineState::kRunning;
      return span;
    default:
      span.state = TimelineState::kRunning;
      return span;
  }
}

RequestTimeline BuildRequest(const RequestEvents& input, absl::Time recording_end) {
  RequestTimeline request;
  request.label = input.label;
  request.events = input.events;
  std::stable_sort(
      request.events.begin(), request.events.end(),
      [](const v1::TraceEvent& a, const v1::TraceEvent& b) { return a.sequence() < b.sequence(); });
  const std::vector<v1::TraceEvent>& events = request.events;
  request.request_id = events.front().request_id();
  request.loop_thread = absl::StrCat("loop-", events.front().loop());
  for (const v1::TraceEvent& event : events) {
    if (event.step() == v1::STEP_RECEIVED && request.request_line.empty()) {
      request.request_line = event.detail();
    }
    if (event.step() == v1::STEP_RESPONSE_SENT || event.step() == v1::STEP_CANCELLED) {
      request.finished = true;
    }
    if (event.step() == v1::STEP_RESPONSE_SENT && event.has_response()) {
      request.status_code = event.response().status_code();
    }
  }
  // A background task that started and has not finished is still running.
  bool background_running = false;
  for (const v1::TraceEvent& event : events) {
    if (event.step() == v1::STEP_BACKGROUND_STARTED) background_running = true;
    if (event.step() == v1::STEP_BACKGROUND_FINISHED) background_running = false;
  }
  request.start = TimeOf(events.front());
  request.end = TimeOf(events.back());
  if ((!request.finished || background_running) && recording_end > request.end) {
    request.end = recording_end;
  }

  std::vector<TimelineSpan> spans;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const v1::TraceEvent& event = events[i];
    if (event.step() == v1::STEP_BLOCKING_CALL && IsDetectedBlockingCall(event.detail()) &&
        !spans.empty() && spans.back().state == TimelineState::kRunning &&
        IsLoopThread(spans.back().thread) && spans.back().end == TimeOf(event)) {
      // Detected after the fact: the stretch that led here held the loop.
      spans.back().state = TimelineState::kBlocked;
      spans.back().detail = event.detail();
    }
    std::optional<TimelineSpan> span = SpanAfter(event, request.loop_thread);
    // No stretch until the next event: the request ended, or (after its
    // response) its background task did, and the next one has not started.
    if (!span.has_value()) continue;
    span->start = TimeOf(event);
    span->end = i + 1 < events.size() ? TimeOf(events[i + 1]) : request.end;
    span->end = std::max(span->end, span->start);
    spans.push_back(*std::move(span));
  }
  for (TimelineSpan& span : spans) {
    if (span.start == span.end) continue;
    if (!request.spans.empty()) {
      TimelineSpan& last = request.spans.back();
      if (last.state == span.state && last.thread == span.thread && last.end == span.start) {
        last.end = span.end;
        continue;
      }
    }
    request.spans.push_back(std::move(span));
  }
  return request;
}

// Orders lanes: loop-N by N, then executor-N by N, then others by name.
std::tuple<int, int64_t, std::string> LaneKey(const std::string& thread) {
  for (const auto& [prefix, rank] : {std::pair<absl::string_view, int>{"loop-", 0},
                                     std::pair<absl::string_view, int>{"executor-", 1}}) {
    int64_t index = 0;
    if (absl::StartsWith(thread, prefix) &&
        absl::SimpleAtoi(absl::string_view(thread).substr(prefix.size()), &index)) {
      return {rank, index, thread};
    }
  }
  return {2, 0, thread};
}

// Resolves overlaps on one thread: the slice that started later owns the
// overlap; an earlier, longer one resumes after it.
std::vector<ThreadSlice> ResolveOverlaps(std::vector<ThreadSlice> slices) {
  std::stable_sort(slices.begin(), slices.end(),
                   [](const ThreadSlice& a, const ThreadSlice& b) { return a.start < b.start; });
  std::vector<absl::Time> points;
  for (const ThreadSlice& s : slices) {
    points.push_back(s.start);
    points.push_back(s.end);
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<ThreadSlice> out;
  std::vector<std::size_t> active;
  std::size_t next = 0;
  for (std::size_t p = 0; p + 1 < points.size(); ++p) {
    const absl::Time from = points[p];
    const absl::Time to = points[p + 1];
    while (next < slices.size() && slices[next].start <= from) active.push_back(next++);
    std::erase_if(active, [&](std::size_t i) { return slices[i].end <= from; });
    if (active.empty()) continue;
    // The latest start wins; among equal starts, a blocked slice, then the later one.
    const std::size_t owner =
        *std::max_element(active.begin(), active.end(), [&](std::size_t a, std::size_t b) {
          const auto key = [&](std::size_t i) {
            return std::make_tuple(slices[i].start, slices[i].state == TimelineState::kBlocked, i);
          };
          return key(a) < key(b);
        });
    const ThreadSlice& s = slices[owner];
    if (!out.empty() && out.back().end == from && out.back().request == s.request &&
        out.back().state == s.state && out.back().detail == s.detail) {
      out.back().end = to;
      continue;
    }
    out.push_back(ThreadSlice{from, to, s.state, s.request, s.detail});
  }
  return out;
}

}  // namespace

absl::string_view TimelineStateName(TimelineState state) {
  switch (state) {
    case TimelineState::kRunning:
      return "running";
    case TimelineState::kAwaiting:
      return "awaiting";
    case TimelineState::kQueued:
      return "queued";
    case TimelineState::kBlocked:
      return "blocked";
  }
  return "running";
}

bool IsLoopThread(absl::string_view thread) { return absl::StartsWith(thread, "loop-"); }

bool IsDetectedBlockingCall(absl::string_view detail) {
  return absl::StartsWith(detail, "loop ") && absl::StrContains(detail, " held for ");
}

std::string StepName(v1::Step step) {
  std::string name = v1::Step_Name(step);
  if (absl::StartsWith(name, "STEP_")) name.erase(0, 5);
  return name.empty() ? absl::StrCat("STEP_", static_cast<int>(step)) : name;
}

Timeline BuildTimeline(const std::vector<RequestEvents>& requests, absl::Time recording_end) {
  Timeline timeline;
  for (const RequestEvents& input : requests) {
    if (input.events.empty()) continue;
    timeline.requests.push_back(BuildRequest(input, recording_end));
  }
  std::map<std::tuple<int, int64_t, std::string>, std::vector<ThreadSlice>> lanes;
  for (std::size_t r = 0; r < timeline.requests.size(); ++r) {
    const RequestTimeline& request = timeline.requests[r];
    timeline.start = timeline.start == absl::InfinitePast()
                         ? request.start
                         : std::min(timeline.start, request.start);
    timeline.end = std::max(timeline.end, request.end);
    for (const TimelineSpan& span : request.spans) {
      if (span.state != TimelineState::kRunning && span.state != TimelineState::kBlocked) continue;
      lanes[LaneKey(span.thread)].push_back(
          ThreadSlice{span.start, span.end, span.state, r, span.detail});
    }
    // Flows: QUEUED -> STARTED, FINISHED -> the next AWAIT_RESUMED.
    const std::vector<v1::TraceEvent>& events = request.events;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const v1::Step step = events[i].step();
      if (step != v1::STEP_OFFLOAD_QUEUED && step != v1::STEP_OFFLOAD_FINISHED) continue;
      const v1::Step target =
          step == v1::STEP_OFFLOAD_QUEUED ? v1::STEP_OFFLOAD_STARTED : v1::STEP_AWAIT_RESUMED;
      for (std::size_t j = i + 1; j < events.size(); ++j) {
        if (events[j].step() != target) continue;
        TimelineFlow flow;
        flow.kind = step == v1::STEP_OFFLOAD_QUEUED ? TimelineFlow::Kind::kToExecutor
                                                    : TimelineFlow::Kind::kToLoop;
        flow.request = r;
        flow.from_thread = events[i].thread().empty() ? request.loop_thread : events[i].thread();
        flow.from = TimeOf(events[i]);
        flow.to_thread = events[j].thread().empty() ? request.loop_thread : events[j].thread();
        flow.to = TimeOf(events[j]);
        timeline.flows.push_back(std::move(flow));
        break;
      }
    }
  }
  for (auto& [key, slices] : lanes) {
    timeline.threads.push_back(
        ThreadTimeline{std::get<2>(key), ResolveOverlaps(std::move(slices))});
  }
  return timeline;
}

}  // namespace corouter::client
