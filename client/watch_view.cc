#include "client/watch_view.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace corouter::client {
namespace v1 = corouter::v1;
namespace {

std::string StepText(v1::Step step) {
  std::string name = v1::Step_Name(step);
  return name.rfind("STEP_", 0) == 0 ? name.substr(5) : name;
}

std::string Millis(int64_t nanos) { return absl::StrFormat("%.1fms", nanos / 1e6); }

std::string Fit(std::string line, size_t width) {
  if (line.size() > width) line.resize(width);
  return line;
}

}  // namespace

void WatchView::Apply(const v1::WatchTracesResponse& response) {
  dropped_ += response.dropped_events();
  if (response.has_lost()) {
    lost_ += response.lost().traces();
    if (response.lost().earlier_run()) {
      // The server restarted: its request ids start again.
      ended_.clear();
      ended_order_.clear();
    }
  }
  for (const v1::TraceEvent& e : response.events()) {
    if (e.step() == v1::STEP_BLOCKING_CALL) {
      warnings_.push_back(absl::StrCat(e.request_id(), ": ", e.detail()));
      if (warnings_.size() > kWarnings) warnings_.pop_front();
    }
    if (ended_.contains(e.request_id())) {
      // After its end: a background task of the request, never in flight again.
      if (e.step() == v1::STEP_BACKGROUND_STARTED || e.step() == v1::STEP_BACKGROUND_FINISHED) {
        for (Done& done : recent_) {
          if (done.id != e.request_id()) continue;
          done.background = e.step() == v1::STEP_BACKGROUND_STARTED  ? "running"
                            : absl::StartsWith(e.detail(), "failed") ? "failed"
                                                                     : "done";
          break;
        }
      }
      continue;
    }
    const bool ended = e.step() == v1::STEP_RESPONSE_SENT || e.step() == v1::STEP_CANCELLED;
    auto it = in_flight_.find(e.request_id());
    if (it == in_flight_.end()) {
      Running running;
      running.route = e.detail();
      running.received_unix_nanos =
          static_cast<int64_t>(e.time_unix_nano()) - static_cast<int64_t>(e.elapsed_nanos());
      running.order = ++arrivals_;
      it = in_flight_.emplace(e.request_id(), std::move(running)).first;
    }
    Running& r = it->second;
    if (e.step() == v1::STEP_ROUTE_MATCHED && !e.route().path_template().empty()) {
      r.route = e.route().path_template();
    }
    r.step = StepText(e.step());
    r.loop = e.loop();
    r.thread = e.thread();
    if (!ended) continue;
    Done done;
    done.id = e.request_id();
    done.route = r.route;
    done.outcome =
        e.step() == v1::STEP_CANCELLED ? "cancelled" : absl::StrCat(e.response().status_code());
    done.duration_nanos = e.elapsed_nanos();
    recent_.push_front(std::move(done));
    if (recent_.size() > kRecent) recent_.pop_back();
    in_flight_.erase(it);
    ++completed_;
    ended_.insert(e.request_id());
    ended_order_.push_back(e.request_id());
    if (ended_order_.size() > kRememberedEnded) {
      ended_.erase(ended_order_.front());
      ended_order_.pop_front();
    }
  }
}

std::vector<std::string> WatchView::Render(absl::Time now, size_t width, size_t height) const {
  std::vector<std::string> lines;
  const int64_t now_nanos = absl::ToUnixNanos(now);
  lines.push_back(absl::StrCat("corouter watch ", server_, "   in flight ", in_flight_.size(),
                               "   completed ", completed_, "   dropped ", dropped_,
                               lost_ > 0 ? absl::StrCat("   lost traces ", lost_) : "",
                               "   (q quits)"));
  if (stats_.empty()) lines.push_back("loops:");
  for (const auto& [server, stats] : stats_) {
    std::string loops = server.empty() ? "loops:" : absl::StrCat(server, " loops:");
    for (const v1::LoopStats& l : stats.loops()) {
      absl::StrAppend(&loops, absl::StrFormat("  loop-%d busy %.0f%% blocking %d", l.loop(),
                                              l.busy_ratio() * 100, l.blocking_slices()));
    }
    if (stats.has_executor()) {
      absl::StrAppend(
          &loops, absl::StrFormat("  executor %d/%d running, %d queued", stats.executor().running(),
                                  stats.executor().capacity(), stats.executor().queued()));
    }
    lines.push_back(loops);
  }
  // The ID column fits the longest id (several servers' ids are "SERVER/ID").
  size_t id_width = 12;
  for (const auto& [id, r] : in_flight_) id_width = std::max(id_width, id.size());
  for (const Done& d : recent_) id_width = std::max(id_width, d.id.size());
  const int w = static_cast<int>(id_width);
  lines.push_back("");
  lines.push_back("IN FLIGHT");
  lines.push_back(absl::StrFormat("  %-*s %-28s %-16s %10s %-7s %s", w, "ID", "ROUTE", "STEP",
                                  "ELAPSED", "LOOP", "THREAD"));
  std::vector<std::pair<std::string, const Running*>> running;
  for (const auto& [id, r] : in_flight_) running.emplace_back(id, &r);
  std::sort(running.begin(), running.end(),
            [](const auto& a, const auto& b) { return a.second->order < b.second->order; });
  // Leave room for the other sections.
  const size_t room = height > 22 ? height - 22 : 3;
  for (size_t i = 0; i < running.size() && i < room; ++i) {
    const Running& r = *running[i].second;
    lines.push_back(absl::StrFormat(
        "  %-*s %-28s %-16s %10s loop-%-2d %s", w, running[i].first, r.route, r.step,
        Millis(std::max<int64_t>(0, now_nanos - r.received_unix_nanos)), r.loop, r.thread));
  }
  if (running.size() > room)
    lines.push_back(absl::StrCat("  ... ", running.size() - room, " more"));
  lines.push_back("");
  lines.push_back("RECENT");
  lines.push_back(
      absl::StrFormat("  %-*s %-28s %-10s %10s", w, "ID", "ROUTE", "STATUS", "DURATION"));
  for (const Done& d : recent_) {
    lines.push_back(absl::StrFormat(
        "  %-*s %-28s %-10s %10s%s", w, d.id, d.route, d.outcome, Millis(d.duration_nanos),
        d.background.empty() ? "" : absl::StrCat("  background ", d.background)));
  }
  lines.push_back("");
  lines.push_back("BLOCKING WARNINGS");
  if (warnings_.empty()) lines.push_back("  none");
  for (const std::string& w : warnings_) lines.push_back(absl::StrCat("  ", w));
  if (lines.size() > height) lines.resize(height);
  for (std::string& line : lines) line = Fit(std::move(line), width);
  return lines;
}

std::string PlainLine(const v1::TraceEvent& event, absl::string_view server) {
  const absl::Time time = absl::FromUnixNanos(static_cast<int64_t>(event.time_unix_nano()));
  std::string line = absl::StrCat(
      server, server.empty() ? "" : " ", absl::FormatTime("%H:%M:%E3S", time, absl::UTCTimeZone()),
      " ", event.request_id(), " ", event.thread(), " ", StepText(event.step()));
  if (!event.detail().empty()) absl::StrAppend(&line, " ", event.detail());
  if (event.step() == v1::STEP_ROUTE_MATCHED && !event.route().path_template().empty()) {
    absl::StrAppend(&line, " -> ", event.route().path_template());
  }
  return line;
}

std::string JsonLine(const v1::TraceEvent& event, absl::string_view server) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  (void)google::protobuf::util::MessageToJsonString(event, &out, options);
  if (server.empty() || out.empty() || out[0] != '{') return out;
  // The server's name as a JSON string: nlohmann's encoder escapes it (and
  // replaces bytes that are not UTF-8, which dump() would otherwise throw on).
  const std::string name = nlohmann::json(std::string(server))
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return absl::StrCat("{\"server\":", name, out.size() > 2 ? "," : "", out.substr(1));
}

v1::TraceEvent LabelEvent(const v1::TraceEvent& event, absl::string_view server) {
  v1::TraceEvent labelled = event;
  labelled.set_request_id(absl::StrCat(server, "/", event.request_id()));
  return labelled;
}

}  // namespace corouter::client
