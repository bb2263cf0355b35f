#include "client/event_orderer.h"

namespace corouter::client {

void EventOrderer::Push(std::size_t request_index, corouter::v1::TraceEvent event,
                        absl::Time arrival) {
  Key key{event.time_unix_nano(), request_index, event.sequence(), arrivals_++};
  if (window_ <= absl::ZeroDuration()) {
    // No reordering: arrival order is the key.
    key = Key{0, 0, 0, std::get<3>(key)};
  }
  held_.emplace(key, Held{arrival, Entry{request_index, std::move(event)}});
}

std::vector<EventOrderer::Entry> EventOrderer::PopReady(absl::Time now) {
  std::vector<Entry> ready;
  while (!held_.empty() && held_.begin()->second.arrival + window_ <= now) {
    ready.push_back(std::move(held_.begin()->second.entry));
    held_.erase(held_.begin());
  }
  return ready;
}

std::vector<EventOrderer::Entry> EventOrderer::PopAll() {
  std::vector<Entry> all;
  all.reserve(held_.size());
  for (auto& [key, held] : held_) all.push_back(std::move(held.entry));
  held_.clear();
  return all;
}

}  // namespace corouter::client
