#include "server/journal/journal.h"

#include <algorithm>
#include <utility>

namespace corouter::journal {

void Journal::Record(corouter::v1::JournalEntry entry) {
  sync::MutexLock lock(&mu_);
  entry.set_sequence(++last_sequence_);
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) {
    entries_.pop_front();
    ++evicted_;
  }
}

std::vector<corouter::v1::JournalEntry> Journal::List(const RequestFilter& filter,
                                                      size_t limit) const {
  std::vector<corouter::v1::JournalEntry> out;
  sync::MutexLock lock(&mu_);
  for (const corouter::v1::JournalEntry& entry : entries_) {
    if (filter.Matches(entry)) out.push_back(entry);
  }
  if (limit > 0 && out.size() > limit) {
    out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  }
  return out;
}

uint64_t Journal::Count(const RequestFilter& filter) const {
  sync::MutexLock lock(&mu_);
  return static_cast<uint64_t>(std::count_if(
      entries_.begin(), entries_.end(),
      [&filter](const corouter::v1::JournalEntry& entry) { return filter.Matches(entry); }));
}

uint64_t Journal::Clear(const RequestFilter& filter) {
  sync::MutexLock lock(&mu_);
  const size_t before = entries_.size();
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&filter](const corouter::v1::JournalEntry& entry) {
                                  return filter.Matches(entry);
                                }),
                 entries_.end());
  return before - entries_.size();
}

uint64_t Journal::CollectAfter(const RequestFilter& filter, uint64_t after,
                               std::vector<corouter::v1::JournalEntry>* out) const {
  sync::MutexLock lock(&mu_);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), after,
                             [](uint64_t sequence, const corouter::v1::JournalEntry& entry) {
                               return sequence < entry.sequence();
                             });
  for (; it != entries_.end(); ++it) {
    if (filter.Matches(*it)) out->push_back(*it);
  }
  return last_sequence_;
}

uint64_t Journal::evicted() const {
  sync::MutexLock lock(&mu_);
  return evicted_;
}

}  // namespace corouter::journal
