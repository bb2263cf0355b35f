#include "client/dashboard_state.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/watch_view.h"
#include "nlohmann/json.hpp"

namespace corouter::client {
namespace v1 = corouter::v1;
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

SseFramePtr Frame(std::string_view event, const std::string& data) {
  return std::make_shared<const std::string>(SseFrame(event, data));
}

bool Ends(v1::Step step) { return step == v1::STEP_RESPONSE_SENT || step == v1::STEP_CANCELLED; }

}  // namespace

DashboardState::DashboardState(std::vector<std::string> servers, Options options)
    : options_(options) {
  for (std::string& label : servers) {
    Server server;
    server.label = std::move(label);
    servers_.push_back(std::move(server));
  }
}

std::vector<SseFramePtr> DashboardState::ApplyResponse(size_t index,
                                                       const v1::WatchTracesResponse& response,
                                                       absl::Time now) {
  Server& server = servers_.at(index);
  std::vector<SseFramePtr> frames;
  bool report = false;
  if (response.has_lost()) {
    server.lost_traces += response.lost().traces();
    if (response.lost().earlier_run()) {
      // The server restarted: its request ids start again, and what was in
      // flight in the old run will never end.
      ++server.run;
      server.in_flight.clear();
      server.done_ids.clear();
      server.done_order.clear();
    }
    report = true;
  }
  if (response.dropped_events() > 0) {
    server.dropped_events += response.dropped_events();
    report = true;
  }
  if (report) frames.push_back(ServerFrame(server, now));

  std::vector<std::string> fresh;
  for (const v1::TraceEvent& event : response.events()) {
    const std::string& id = event.request_id();
    if (server.done_ids.contains(id)) continue;
    auto [it, inserted] = server.in_flight.try_emplace(id);
    Request& request = it->second;
    if (inserted) request.arrival = ++server.arrivals;
    if (event.sequence() <= request.last_sequence) continue;
    request.last_sequence = event.sequence();
    std::string json = JsonLine(event);
    fresh.push_back(json);
    request.events.push_back(std::move(json));
    if (!Ends(event.step())) continue;
    server.recent.push_back(std::move(request.events));
    while (server.recent.size() > options_.recent_traces) server.recent.pop_front();
    server.done_ids.insert(id);
    server.done_order.push_back(id);
    while (server.done_order.size() > options_.remembered_ids) {
      server.done_ids.erase(server.done_order.front());
      server.done_order.pop_front();
    }
    server.in_flight.erase(it);
  }
  if (!fresh.empty()) frames.push_back(TraceFrame(server, fresh, now));
  return frames;
}

SseFramePtr DashboardState::SetFeedState(size_t index, FeedState state, const std::string& error,
                                         absl::Time now) {
  Server& server = servers_.at(index);
  if (server.state != state || server.since == absl::Time()) server.since = now;
  server.state = state;
  server.error = error;
  return ServerFrame(server, now);
}

std::vector<SseFramePtr> DashboardState::Snapshot(absl::Time now) const {
  std::vector<SseFramePtr> frames;
  nlohmann::json hello = {{"servers", nlohmann::json::array()}, {"now", Micros(now)}};
  for (const Server& server : servers_) hello["servers"].push_back(server.label);
  frames.push_back(Frame("hello", hello.dump()));
  for (const Server& server : servers_) frames.push_back(ServerFrame(server, now));
  for (const Server& server : servers_) {
    std::vector<std::string> events;
    for (const auto& trace : server.recent) events.insert(events.end(), trace.begin(), trace.end());
    std::vector<const Request*> running;
    for (const auto& [id, request] : server.in_flight) running.push_back(&request);
    std::sort(running.begin(), running.end(),
              [](const Request* a, const Request* b) { return a->arrival < b->arrival; });
    for (const Request* request : running) {
      events.insert(events.end(), request->events.begin(), request->events.end());
    }
    if (!events.empty()) frames.push_back(TraceFrame(server, events, now));
  }
  frames.push_back(Frame("synced", nlohmann::json{{"now", Micros(now)}}.dump()));
  return frames;
}

SseFramePtr DashboardState::TickFrame(absl::Time now) {
  return Frame("tick", nlohmann::json{{"now", Micros(now)}}.dump());
}

SseFramePtr DashboardState::DroppedFrame(uint64_t count, uint64_t total) {
  return Frame("dropped", nlohmann::json{{"count", count}, {"total", total}}.dump());
}

SseFramePtr DashboardState::ServerFrame(const Server& server, absl::Time now) const {
  const nlohmann::json data = {
      {"server", server.label},
      {"state", FeedStateName(server.state)},
      {"error", server.error},
      {"since", Micros(server.since)},
      {"run", server.run},
      {"droppedEvents", server.dropped_events},
      {"lostTraces", server.lost_traces},
      {"now", Micros(now)},
  };
  return Frame("server", data.dump());
}

SseFramePtr DashboardState::TraceFrame(const Server& server, const std::vector<std::string>& events,
                                       absl::Time now) {
  // The events are proto3 JSON already: splice them in rather than parse them.
  return Frame("trace", absl::StrCat("{\"server\":", nlohmann::json(server.label).dump(),
                                     ",\"run\":", server.run, ",\"now\":", Micros(now),
                                     ",\"events\":[", absl::StrJoin(events, ","), "]}"));
}

}  // namespace corouter::client
