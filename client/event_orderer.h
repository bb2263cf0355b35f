// client/event_orderer.h
//
// EventOrderer puts trace events from several concurrent streams back into
// the order the server produced them.
//
// Each traced request is its own gRPC stream, and the server keeps one write
// in flight per stream, so events of request A can reach the client after
// later events of request B even though the loop ran A's steps first. Printed
// in arrival order, seed 004's table would show /fast_task/ answering before
// /slow_task/ was even matched. The orderer holds each event for a short
// window after its arrival and releases events in the server's timestamp
// order (time_unix_nano, then sequence): the table stays live (late by at
// most the window) and reads as the loop ran. A window of zero releases every
// event at once, in arrival order.
//
// Pure: times are passed in, so it is deterministic to test.
// Not thread-safe: callers serialise access.
#ifndef COROUTER_CLIENT_EVENT_ORDERER_H_
#define COROUTER_CLIENT_EVENT_ORDERER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

class EventOrderer {
 public:
  // An event and the index of the request it belongs to.
  using Entry = std::pair<std::size_t, corouter::v1::TraceEvent>;

  explicit EventOrderer(absl::Duration window) : window_(window) {}

  // Holds `event` of request `request_index`, which arrived at `arrival`.
  void Push(std::size_t request_index, corouter::v1::TraceEvent event, absl::Time arrival);

  // Releases, in server order, the events whose window has passed by `now`:
  // from the earliest held event on, as long as each one's window passed.
  std::vector<Entry> PopReady(absl::Time now);

  // Releases every held event, in server order.
  std::vector<Entry> PopAll();

  bool empty() const { return held_.empty(); }

 private:
  // (server time, request, sequence, arrival count): a total order.
  using Key = std::tuple<std::uint64_t, std::size_t, std::uint64_t, std::uint64_t>;
  struct Held {
    absl::Time arrival;
    Entry entry;
  };

  absl::Duration window_;
  std::uint64_t arrivals_ = 0;
  std::map<Key, Held> held_;
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_EVENT_ORDERER_H_
