// server/journal/journal.h
//
// Journal: the last `capacity` requests a server ran, in the order they
// ended (corouter-server --journal N; JournalService reads it). Each entry
// is a corouter.v1.JournalEntry: the request as sent, the route and
// endpoint, the parameters after coercion, status, duration, the app
// version. Beyond `capacity` the oldest entry leaves (counted in evicted()),
// as MockServer's request log is bounded by maxLogEntries.
//
// Thread safety: every method is thread-safe (one mutex; Record is called
// by every loop when a request ends, the readers by JournalService calls).
#ifndef COROUTER_SERVER_JOURNAL_JOURNAL_H_
#define COROUTER_SERVER_JOURNAL_JOURNAL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "corouter/v1/execution.pb.h"
#include "server/journal/request_filter.h"
#include "server/sync/mutex.h"

namespace corouter::journal {

class Journal {
 public:
  /// corouter-server's default --journal.
  static constexpr size_t kDefaultCapacity = 10000;

  /// Keeps at most `capacity` (>= 1) entries.
  explicit Journal(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  /// Appends `entry`, numbering it (entry.sequence), and evicts the oldest
  /// entry beyond the capacity.
  void Record(corouter::v1::JournalEntry entry);

  /// The matching entries, oldest first; with `limit` > 0 only the newest
  /// `limit` of them.
  std::vector<corouter::v1::JournalEntry> List(const RequestFilter& filter, size_t limit = 0) const;
  /// How many entries match.
  uint64_t Count(const RequestFilter& filter) const;
  /// Removes the matching entries; returns how many.
  uint64_t Clear(const RequestFilter& filter);

  /// Appends to `out` the matching entries numbered after `after`, oldest
  /// first, and returns the number of the last entry recorded (the `after`
  /// of the next call): how WaitForRequests sees each new entry once.
  uint64_t CollectAfter(const RequestFilter& filter, uint64_t after,
                        std::vector<corouter::v1::JournalEntry>* out) const;

  /// Entries that left because the journal was full, since it was made.
  uint64_t evicted() const;
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable sync::Mutex mu_;
  std::deque<corouter::v1::JournalEntry> entries_ ABSL_GUARDED_BY(mu_);  // by sequence
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t evicted_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace corouter::journal

#endif  // COROUTER_SERVER_JOURNAL_JOURNAL_H_
