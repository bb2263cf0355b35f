#include "client/trace_recording.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace corouter::client {

void TraceRecording::Add(const corouter::v1::TraceEvent& event, absl::string_view label,
                         int64_t order) {
  std::lock_guard<std::mutex> lock(mu_);
  if (events_ >= max_events_) {
    ++dropped_;
    return;
  }
  auto [it, inserted] = requests_.try_emplace(event.request_id());
  Request& request = it->second;
  if (inserted) {
    request.order = order;
    request.first_seen = static_cast<int64_t>(requests_.size());
    request.events.label = label.empty() ? event.request_id() : std::string(label);
  }
  request.events.events.push_back(event);
  ++events_;
}

std::size_t TraceRecording::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::size_t TraceRecording::dropped_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

std::size_t TraceRecording::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

Timeline TraceRecording::Build(absl::Time recording_end) const {
  std::vector<const Request*> ordered;
  std::vector<RequestEvents> inputs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, request] : requests_) ordered.push_back(&request);
    std::sort(ordered.begin(), ordered.end(), [](const Request* a, const Request* b) {
      return std::tie(a->order, a->first_seen) < std::tie(b->order, b->first_seen);
    });
    for (const Request* request : ordered) inputs.push_back(request->events);
  }
  return BuildTimeline(inputs, recording_end);
}

}  // namespace corouter::client
