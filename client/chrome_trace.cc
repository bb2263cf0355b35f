#include "client/chrome_trace.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/output_file.h"

namespace corouter::client {
namespace {

using nlohmann::json;

constexpr int kPid = 1;

// Microseconds since `origin`, to the nanosecond, plus a tenth of a
// nanosecond: viewers truncate ts * 1000 to whole nanoseconds (Perfetto
// does), and without the tenth a value such as 0.291 us (0.29099999...)
// would lose one, making touching slices overlap by a nanosecond. Made from
// its decimal text, so that it prints as that text (6500.0001).
double Micros(absl::Time t, absl::Time origin) {
  const int64_t nanos = absl::ToInt64Nanoseconds(t - origin);
  const uint64_t magnitude = nanos < 0 ? -static_cast<uint64_t>(nanos) : nanos;
  const std::string text =
      absl::StrFormat("%s%d.%03d1", nanos < 0 ? "-" : "", magnitude / 1000, magnitude % 1000);
  return std::strtod(text.c_str(), nullptr);
}

std::string SpanName(const TimelineSpan& span) {
  switch (span.state) {
    case TimelineState::kRunning:
      return absl::StrCat("running on ", span.thread);
    case TimelineState::kAwaiting:
      return "awaiting";
    case TimelineState::kQueued:
      return "queued for the executor";
    case TimelineState::kBlocked:
      return absl::StrCat("BLOCKED ", span.thread);
  }
  return "running";
}

// A time inside the slice of `lane` around `t` (preferring the slice of
// `request`; `ending` prefers a slice that ends at t over one that starts
// there), kept clear of the slice's edges so that a viewer binds a flow
// event to it. std::nullopt when no slice is there.
std::optional<absl::Time> PointInSlice(const ThreadTimeline& lane, std::size_t request,
                                       absl::Time t, bool ending) {
  const ThreadSlice* best = nullptr;
  int best_rank = 0;
  for (const ThreadSlice& s : lane.slices) {
    const bool ends_here = s.start < t && t <= s.end;
    const bool starts_here = s.start <= t && t < s.end;
    if (!ends_here && !starts_here) continue;
    const int rank = (s.request == request ? 4 : 0) + ((ending ? ends_here : starts_here) ? 2 : 1);
    if (rank > best_rank) {
      best = &s;
      best_rank = rank;
    }
  }
  if (best == nullptr) return std::nullopt;
  const absl::Duration margin = std::min(absl::Microseconds(1), (best->end - best->start) / 2);
  return std::clamp(t, best->start + margin, best->end - margin);
}

}  // namespace

std::string RequestTitle(const RequestTimeline& request) {
  return request.request_line.empty() ? request.label
                                      : absl::StrCat(request.label, " ", request.request_line);
}

json ToChromeTrace(const Timeline& timeline, absl::string_view process_name) {
  const absl::Time origin =
      timeline.start == absl::InfinitePast() ? absl::UnixEpoch() : timeline.start;
  json events = json::array();
  events.push_back({{"ph", "M"},
                    {"name", "process_name"},
                    {"pid", kPid},
                    {"tid", 0},
                    {"args", {{"name", std::string(process_name)}}}});
  std::map<std::string, int> tids;
  for (std::size_t i = 0; i < timeline.threads.size(); ++i) {
    const ThreadTimeline& lane = timeline.threads[i];
    const int tid = static_cast<int>(i) + 1;
    tids[lane.thread] = tid;
    events.push_back({{"ph", "M"},
                      {"name", "thread_name"},
                      {"pid", kPid},
                      {"tid", tid},
                      {"args", {{"name", lane.thread}}}});
    events.push_back({{"ph", "M"},
                      {"name", "thread_sort_index"},
                      {"pid", kPid},
                      {"tid", tid},
                      {"args", {{"sort_index", static_cast<int>(i)}}}});
  }

  // Thread tracks: one complete event per slice.
  for (const ThreadTimeline& lane : timeline.threads) {
    for (const ThreadSlice& slice : lane.slices) {
      const RequestTimeline& request = timeline.requests[slice.request];
      const bool blocked = slice.state == TimelineState::kBlocked;
      events.push_back(
          {{"ph", "X"},
           {"name", blocked ? absl::StrCat("BLOCKED ", lane.thread, ": ", RequestTitle(request))
                            : RequestTitle(request)},
           {"cat", blocked ? "blocked" : "running"},
           {"pid", kPid},
           {"tid", tids[lane.thread]},
           {"ts", Micros(slice.start, origin)},
           {"dur", Micros(slice.end, slice.start)},
           {"args",
            {{"request_id", request.request_id},
             {"label", request.label},
             {"request", request.request_line},
             {"state", std::string(TimelineStateName(slice.state))},
             {"detail", slice.detail}}}});
    }
  }

  // One async track per request, its state stretches nested inside, an
  // instant per step.
  for (const RequestTimeline& request : timeline.requests) {
    const std::string id = request.request_id.empty() ? request.label : request.request_id;
    const int tid = tids.contains(request.loop_thread) ? tids[request.loop_thread] : 0;
    const json common = {{"cat", "request"}, {"id", id}, {"pid", kPid}, {"tid", tid}};
    json begin = common;
    begin.update({{"ph", "b"},
                  {"name", RequestTitle(request)},
                  {"ts", Micros(request.start, origin)},
                  {"args",
                   {{"request_id", request.request_id},
                    {"label", request.label},
                    {"request", request.request_line},
                    {"status", request.status_code},
                    {"finished", request.finished}}}});
    events.push_back(std::move(begin));
    std::size_t next_event = 0;
    const auto instants_until = [&](absl::Time until, bool inclusive) {
      for (; next_event < request.events.size(); ++next_event) {
        const corouter::v1::TraceEvent& event = request.events[next_event];
        const absl::Time t = absl::FromUnixNanos(static_cast<int64_t>(event.time_unix_nano()));
        if (inclusive ? t > until : t >= until) break;
        json instant = common;
        instant.update({{"ph", "n"},
                        {"name", StepName(event.step())},
                        {"ts", Micros(std::max(t, request.start), origin)},
                        {"args",
                         {{"detail", event.detail()},
                          {"sequence", event.sequence()},
                          {"thread", event.thread()}}}});
        events.push_back(std::move(instant));
      }
    };
    for (const TimelineSpan& span : request.spans) {
      instants_until(span.start, /*inclusive=*/false);
      json span_begin = common;
      span_begin.update({{"ph", "b"},
                         {"name", SpanName(span)},
                         {"ts", Micros(span.start, origin)},
                         {"args",
                          {{"state", std::string(TimelineStateName(span.state))},
                           {"thread", span.thread},
                           {"detail", span.detail}}}});
      events.push_back(std::move(span_begin));
      instants_until(span.end, /*inclusive=*/false);
      json span_end = common;
      span_end.update({{"ph", "e"}, {"name", SpanName(span)}, {"ts", Micros(span.end, origin)}});
      events.push_back(std::move(span_end));
    }
    instants_until(absl::InfiniteFuture(), /*inclusive=*/true);
    json end = common;
    end.update({{"ph", "e"}, {"name", RequestTitle(request)}, {"ts", Micros(request.end, origin)}});
    events.push_back(std::move(end));
  }

  // Flows between the slices they connect.
  std::map<std::string, const ThreadTimeline*> lanes;
  for (const ThreadTimeline& lane : timeline.threads) lanes[lane.thread] = &lane;
  int flow_id = 0;
  for (const TimelineFlow& flow : timeline.flows) {
    if (!lanes.contains(flow.from_thread) || !lanes.contains(flow.to_thread)) continue;
    const std::optional<absl::Time> from =
        PointInSlice(*lanes[flow.from_thread], flow.request, flow.from, /*ending=*/true);
    const std::optional<absl::Time> to =
        PointInSlice(*lanes[flow.to_thread], flow.request, flow.to, /*ending=*/false);
    if (!from.has_value() || !to.has_value()) continue;
    ++flow_id;
    const std::string name = flow.kind == TimelineFlow::Kind::kToExecutor
                                 ? "offload to the executor"
                                 : "offload done, resume on the loop";
    const RequestTimeline& request = timeline.requests[flow.request];
    events.push_back({{"ph", "s"},
                      {"name", name},
                      {"cat", "offload"},
                      {"id", flow_id},
                      {"pid", kPid},
                      {"tid", tids[flow.from_thread]},
                      {"ts", Micros(*from, origin)},
                      {"args", {{"request_id", request.request_id}}}});
    events.push_back({{"ph", "f"},
                      {"bp", "e"},
                      {"name", name},
                      {"cat", "offload"},
                      {"id", flow_id},
                      {"pid", kPid},
                      {"tid", tids[flow.to_thread]},
                      {"ts", Micros(*to, origin)},
                      {"args", {{"request_id", request.request_id}}}});
  }

  return json{{"traceEvents", std::move(events)},
              {"displayTimeUnit", "ms"},
              {"otherData",
               {{"server", std::string(process_name)},
                {"time_origin_unix_nano", std::to_string(absl::ToUnixNanos(origin))},
                {"requests", timeline.requests.size()}}}};
}

absl::Status WriteChromeTrace(const Timeline& timeline, absl::string_view process_name,
                              const std::string& path) {
  // One trace event per line: valid JSON that diffs and greps well.
  const json trace = ToChromeTrace(timeline, process_name);
  const auto dump = [](const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  std::string text = "{\"traceEvents\":[\n";
  const json& events = trace["traceEvents"];
  for (std::size_t i = 0; i < events.size(); ++i) {
    absl::StrAppend(&text, dump(events[i]), i + 1 < events.size() ? ",\n" : "\n");
  }
  absl::StrAppend(&text, "],\n\"displayTimeUnit\":", dump(trace["displayTimeUnit"]),
                  ",\n\"otherData\":", dump(trace["otherData"]), "}\n");
  return WriteFileAtomically(path, text);
}

}  // namespace corouter::client
