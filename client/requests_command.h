// client/requests_command.h
//
// `corouter requests`: the server's request journal (JournalService).
//   corouter requests [filters]            the matching entries, oldest
//                                          first, as a table (journal_table.h)
//   corouter requests [filters] --json     one proto3-JSON JournalEntry a line
//   corouter requests [filters] --count    the number that match
//   corouter requests [filters] --clear    removes them; says how many
//   corouter requests [filters] --wait N [--wait-timeout 10s]
//                                          waits until N match, then prints
//                                          them; exit 1 if they did not come
// Filters: --method, --path (template), --endpoint, --status (404, 4xx),
// -H 'name: value' (repeatable), --target-regex (RE2), --limit N (the newest
// N). A filter the server refuses is said on one stderr line: exit 1.
#ifndef COROUTER_CLIENT_REQUESTS_COMMAND_H_
#define COROUTER_CLIENT_REQUESTS_COMMAND_H_

#include <cstdint>
#include <ostream>

#include "absl/time/time.h"
#include "client/connection.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

enum class RequestsAction { kList, kCount, kClear, kWait };

struct RequestsOptions {
  /// Its timeout bounds each call; with kWait the call's deadline is
  /// wait_timeout plus this timeout.
  ConnectionOptions connection;
  corouter::v1::RequestFilter filter;
  RequestsAction action = RequestsAction::kList;
  /// kList: the newest `limit` entries; 0: all.
  uint32_t limit = 0;
  /// kList and kWait: JSON lines instead of the table.
  bool json = false;
  /// kWait: the count to wait for (>= 1) and for how long.
  uint64_t wait_count = 1;
  absl::Duration wait_timeout = absl::Seconds(10);
};

/// Runs `corouter requests`. Returns kExitOk, or kExitRpcFailure after one
/// line on `err` (the call failed, was refused, or the wait ran out).
int RunRequests(const RequestsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_REQUESTS_COMMAND_H_
