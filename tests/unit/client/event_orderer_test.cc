// EventOrderer: events of concurrent streams come out in the server's order
// once their hold window has passed.
#include "client/event_orderer.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

corouter::v1::TraceEvent Event(uint64_t time_unix_nano, uint64_t sequence) {
  corouter::v1::TraceEvent e;
  e.set_time_unix_nano(time_unix_nano);
  e.set_sequence(sequence);
  return e;
}

// The (stream, sequence) keys of `entries`. Assertions compare these, never
// the entries themselves: besides printing readably on failure, that keeps
// gtest's printer of a TraceEvent out of this file, whose `"\n" +
// value.DebugString()` (gtest-printers.h ProtobufPrinter) GCC 12 at -O2/-O3
// reports as a -Wrestrict overlap in libstdc++'s std::string code, a false
// positive (GCC bug 105651; see also 105329).
std::vector<std::pair<size_t, uint64_t>> Keys(const std::vector<EventOrderer::Entry>& entries) {
  std::vector<std::pair<size_t, uint64_t>> out;
  for (const auto& [index, event] : entries) out.emplace_back(index, event.sequence());
  return out;
}

TEST(EventOrderer, ReleasesEventsOfTwoStreamsInServerOrderAfterTheWindow) {
  const absl::Time t0 = absl::UnixEpoch() + absl::Hours(1);
  EventOrderer orderer(absl::Milliseconds(30));
  // B's events overtook A's second one on the wire.
  orderer.Push(0, Event(100, 1), t0);
  orderer.Push(1, Event(300, 1), t0 + absl::Milliseconds(1));
  orderer.Push(1, Event(400, 2), t0 + absl::Milliseconds(1));
  orderer.Push(0, Event(200, 2), t0 + absl::Milliseconds(2));
  EXPECT_THAT(Keys(orderer.PopReady(t0 + absl::Milliseconds(10))), IsEmpty());
  EXPECT_THAT(Keys(orderer.PopReady(t0 + absl::Milliseconds(40))),
              ElementsAre(std::pair<size_t, uint64_t>{0, 1}, std::pair<size_t, uint64_t>{0, 2},
                          std::pair<size_t, uint64_t>{1, 1}, std::pair<size_t, uint64_t>{1, 2}));
  EXPECT_TRUE(orderer.empty());
}

TEST(EventOrderer, AnEarlierEventStillInItsWindowHoldsBackLaterOnes) {
  const absl::Time t0 = absl::UnixEpoch() + absl::Hours(1);
  EventOrderer orderer(absl::Milliseconds(30));
  orderer.Push(1, Event(300, 1), t0);
  orderer.Push(0, Event(100, 1), t0 + absl::Milliseconds(20));
  // At t0+35ms the later event's window passed, the earlier one's did not.
  EXPECT_THAT(Keys(orderer.PopReady(t0 + absl::Milliseconds(35))), IsEmpty());
  EXPECT_THAT(Keys(orderer.PopReady(t0 + absl::Milliseconds(50))),
              ElementsAre(std::pair<size_t, uint64_t>{0, 1}, std::pair<size_t, uint64_t>{1, 1}));
}

TEST(EventOrderer, ZeroWindowKeepsArrivalOrderAndReleasesAtOnce) {
  const absl::Time t0 = absl::UnixEpoch() + absl::Hours(1);
  EventOrderer orderer(absl::ZeroDuration());
  orderer.Push(1, Event(300, 1), t0);
  orderer.Push(0, Event(100, 1), t0);
  EXPECT_THAT(Keys(orderer.PopReady(t0)),
              ElementsAre(std::pair<size_t, uint64_t>{1, 1}, std::pair<size_t, uint64_t>{0, 1}));
}

TEST(EventOrderer, PopAllReleasesEverythingInServerOrder) {
  const absl::Time t0 = absl::UnixEpoch() + absl::Hours(1);
  EventOrderer orderer(absl::Seconds(10));
  orderer.Push(0, Event(200, 2), t0);
  orderer.Push(0, Event(100, 1), t0);
  EXPECT_THAT(Keys(orderer.PopAll()),
              ElementsAre(std::pair<size_t, uint64_t>{0, 1}, std::pair<size_t, uint64_t>{0, 2}));
  EXPECT_TRUE(orderer.empty());
}

// A background task's events come after the request's RESPONSE_SENT on the
// same stream; they take their place in server order among other streams'.
TEST(EventOrderer, EventsAfterAResponseKeepTheirServerOrder) {
  const absl::Time t0 = absl::UnixEpoch() + absl::Hours(1);
  EventOrderer orderer(absl::Milliseconds(30));
  orderer.Push(0, Event(100, 7), t0);  // A: RESPONSE_SENT
  orderer.Push(0, Event(300, 8), t0);  // A: BACKGROUND_STARTED
  orderer.Push(1, Event(200, 1), t0);  // B: RECEIVED, between them
  orderer.Push(0, Event(400, 9), t0);  // A: BACKGROUND_FINISHED
  EXPECT_THAT(Keys(orderer.PopReady(t0 + absl::Milliseconds(30))),
              ElementsAre(std::pair<size_t, uint64_t>{0, 7}, std::pair<size_t, uint64_t>{1, 1},
                          std::pair<size_t, uint64_t>{0, 8}, std::pair<size_t, uint64_t>{0, 9}));
  EXPECT_TRUE(orderer.empty());
}

}  // namespace
}  // namespace corouter::client
