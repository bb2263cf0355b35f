// server/journal/request_filter.h
//
// RequestFilter: which journal entries a JournalService call is about
// (corouter.v1.RequestFilter): method and status are checked as a
// COMPLETED-mode WatchTraces filter checks them (watch/watch_filter.h: the
// same "404" / "4xx" status forms and errors); the path template and
// endpoint ("" asks for requests without a route, which a WatchTraces
// filter never passes), the target regex (RE2, searched anywhere in the
// target, as grep does), header equality and the received-time window are
// checked here.
//
// Thread safety: immutable after Create; Matches is const.
#ifndef COROUTER_SERVER_JOURNAL_REQUEST_FILTER_H_
#define COROUTER_SERVER_JOURNAL_REQUEST_FILTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "corouter/v1/execution.pb.h"
#include "re2/re2.h"
#include "server/watch/watch_filter.h"

namespace corouter::journal {

class RequestFilter {
 public:
  /// Matches every entry.
  RequestFilter() = default;

  /// Checks `filter`. Errors: INVALID_ARGUMENT naming the field:
  /// `filter.status` (not a code or a class), `filter.target_regex` (RE2's
  /// error), `filter.headers[i].name` (empty), or a time window whose end is
  /// not after its start.
  static absl::StatusOr<RequestFilter> Create(const corouter::v1::RequestFilter& filter);

  bool Matches(const corouter::v1::JournalEntry& entry) const;

 private:
  watch::WatchFilter method_and_status_;
  absl::flat_hash_set<std::string> path_templates_;
  absl::flat_hash_set<std::string> endpoints_;
  std::shared_ptr<const RE2> target_;  // null: any target
  // Lower-cased name, exact value.
  std::vector<std::pair<std::string, std::string>> headers_;
  int64_t after_ = 0;
  int64_t before_ = 0;
};

}  // namespace corouter::journal

#endif  // COROUTER_SERVER_JOURNAL_REQUEST_FILTER_H_
