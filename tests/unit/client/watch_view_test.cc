#include "client/watch_view.h"

#include <string>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace v1 = corouter::v1;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;

v1::TraceEvent Event(const std::string& id, v1::Step step, int64_t at_ms, std::string detail = "") {
  v1::TraceEvent e;
  e.set_request_id(id);
  e.set_step(step);
  e.set_time_unix_nano(static_cast<uint64_t>(kT0 + at_ms * 1'000'000));
  e.set_elapsed_nanos(at_ms * 1'000'000);
  e.set_thread("loop-0");
  e.set_detail(std::move(detail));
  return e;
}

TEST(WatchView, ShowsInFlightRequestsThenTheirCompletion) {
  WatchView view("127.0.0.1:1");
  v1::WatchTracesResponse r;
  *r.add_events() = Event("0-1", v1::STEP_RECEIVED, 0, "GET /slow_task/1");
  v1::TraceEvent matched = Event("0-1", v1::STEP_ROUTE_MATCHED, 0);
  matched.mutable_route()->set_path_template("/slow_task/{item_id}");
  *r.add_events() = matched;
  *r.add_events() = Event("0-1", v1::STEP_AWAIT_STARTED, 1, "sleep(5s)");
  r.set_dropped_events(7);
  view.Apply(r);
  const std::string screen =
      absl::StrJoin(view.Render(absl::FromUnixNanos(kT0 + 2'500'000'000), 200, 50), "\n");
  EXPECT_THAT(screen, HasSubstr("in flight 1"));
  EXPECT_THAT(screen, HasSubstr("dropped 7"));
  EXPECT_THAT(screen,
              ::testing::ContainsRegex("0-1 +/slow_task/\\{item_id\\} +AWAIT_STARTED +2500.0ms"));

  v1::WatchTracesResponse end;
  v1::TraceEvent sent = Event("0-1", v1::STEP_RESPONSE_SENT, 5000, "200 24 bytes");
  sent.mutable_response()->set_status_code(200);
  *end.add_events() = sent;
  *end.add_events() = Event("0-2", v1::STEP_RECEIVED, 5001, "GET /blocking");
  *end.add_events() =
      Event("0-2", v1::STEP_BLOCKING_CALL, 5002, "blocking call sleep(2s) holds loop 0");
  view.Apply(end);
  EXPECT_EQ(view.in_flight(), 1u);
  EXPECT_EQ(view.completed(), 1u);
  const std::string after = absl::StrJoin(view.Render(absl::FromUnixNanos(kT0), 200, 50), "\n");
  EXPECT_THAT(after, ::testing::ContainsRegex("0-1 +/slow_task/\\{item_id\\} +200 +5000.0ms"));
  EXPECT_THAT(after, HasSubstr("0-2: blocking call sleep(2s) holds loop 0"));
}

TEST(WatchView, RenderFitsTheScreen) {
  WatchView view("s");
  v1::WatchTracesResponse r;
  for (int i = 0; i < 100; ++i)
    *r.add_events() = Event("id" + std::to_string(i), v1::STEP_RECEIVED, 0, std::string(300, 'x'));
  view.Apply(r);
  const auto lines = view.Render(absl::FromUnixNanos(kT0), 40, 30);
  EXPECT_LE(lines.size(), 30u);
  for (const auto& line : lines) EXPECT_LE(line.size(), 40u);
  EXPECT_THAT(absl::StrJoin(lines, "\n"), HasSubstr("more"));
}

TEST(WatchView, PlainAndJsonLines) {
  v1::TraceEvent e = Event("0-3", v1::STEP_ROUTE_MATCHED, 0, "calling async def read_root");
  e.mutable_route()->set_path_template("/fast_task/");
  EXPECT_EQ(PlainLine(e),
            "22:13:20.000 0-3 loop-0 ROUTE_MATCHED calling async def read_root -> /fast_task/");
  const std::string json = JsonLine(e);
  EXPECT_THAT(json, HasSubstr("\"requestId\":\"0-3\""));
  EXPECT_THAT(json, HasSubstr("\"step\":\"STEP_ROUTE_MATCHED\""));
  EXPECT_THAT(json, Not(HasSubstr("\n")));
}

TEST(WatchView, LinesOfSeveralServersNameTheirServer) {
  v1::TraceEvent e = Event("0-3", v1::STEP_RECEIVED, 0, "GET /hello");
  EXPECT_EQ(PlainLine(e, "127.0.0.1:7001"),
            "127.0.0.1:7001 22:13:20.000 0-3 loop-0 RECEIVED GET /hello");
  const std::string json = JsonLine(e, "127.0.0.1:7001");
  EXPECT_THAT(json, ::testing::StartsWith("{\"server\":\"127.0.0.1:7001\",\"requestId\":\"0-3\""));
  // The name is JSON-escaped, and bytes that are not UTF-8 do not throw.
  EXPECT_THAT(JsonLine(e, "a\"b"), ::testing::StartsWith("{\"server\":\"a\\\"b\","));
  EXPECT_THAT(JsonLine(e, "x\xff"), ::testing::StartsWith("{\"server\":\"x\xef\xbf\xbd\","));
  // An event with no field set still gives an object.
  EXPECT_EQ(JsonLine(v1::TraceEvent(), "s"), "{\"server\":\"s\"}");
  EXPECT_EQ(LabelEvent(e, "127.0.0.1:7001").request_id(), "127.0.0.1:7001/0-3");
  EXPECT_EQ(LabelEvent(e, "127.0.0.1:7001").detail(), "GET /hello");
}

TEST(WatchView, SeveralServersShareOneViewWithoutTheirIdsColliding) {
  WatchView view("127.0.0.1:7001, 127.0.0.1:7002");
  v1::WatchTracesResponse r;
  // Both servers number their requests alike.
  *r.add_events() = LabelEvent(Event("0-1", v1::STEP_RECEIVED, 0, "GET /a"), "127.0.0.1:7001");
  *r.add_events() = LabelEvent(Event("0-1", v1::STEP_RECEIVED, 0, "GET /b"), "127.0.0.1:7002");
  view.Apply(r);
  EXPECT_EQ(view.in_flight(), 2u);
  v1::GetStatsResponse stats;
  stats.add_loops()->set_busy_ratio(0.5);
  view.SetStats("127.0.0.1:7001", stats);
  stats.mutable_loops(0)->set_busy_ratio(0.25);
  view.SetStats("127.0.0.1:7002", stats);
  const std::string screen = absl::StrJoin(view.Render(absl::FromUnixNanos(kT0), 200, 50), "\n");
  EXPECT_THAT(screen, HasSubstr("corouter watch 127.0.0.1:7001, 127.0.0.1:7002"));
  EXPECT_THAT(screen, HasSubstr("127.0.0.1:7001 loops:  loop-0 busy 50%"));
  EXPECT_THAT(screen, HasSubstr("127.0.0.1:7002 loops:  loop-0 busy 25%"));
  // The ID column is as wide as the longest id: the ROUTE column lines up.
  EXPECT_THAT(screen, ::testing::ContainsRegex("127.0.0.1:7001/0-1 +GET /a"));
  EXPECT_THAT(screen, ::testing::ContainsRegex("127.0.0.1:7002/0-1 +GET /b"));
}

// A request's background tasks send events after RESPONSE_SENT with its id:
// they mark its recent line, and never bring it back as in flight.
TEST(WatchView, BackgroundEventsAfterTheResponseDoNotPutARequestBackInFlight) {
  WatchView view("s");
  v1::WatchTracesResponse r;
  *r.add_events() = Event("0-1", v1::STEP_RECEIVED, 0, "POST /signup");
  v1::TraceEvent sent = Event("0-1", v1::STEP_RESPONSE_SENT, 5, "200 2 bytes");
  sent.mutable_response()->set_status_code(200);
  *r.add_events() = sent;
  *r.add_events() = Event("0-1", v1::STEP_BACKGROUND_STARTED, 6, "send_email");
  *r.add_events() = Event("0-1", v1::STEP_AWAIT_STARTED, 6, "sleep(1s)");
  view.Apply(r);
  EXPECT_EQ(view.in_flight(), 0u);
  EXPECT_EQ(view.completed(), 1u);
  std::string screen = absl::StrJoin(view.Render(absl::FromUnixNanos(kT0), 200, 50), "\n");
  EXPECT_THAT(screen,
              ::testing::ContainsRegex("0-1 +POST /signup +200 +5.0ms  background running"));

  v1::WatchTracesResponse later;
  *later.add_events() = Event("0-1", v1::STEP_AWAIT_RESUMED, 1006, "sleep(1s) completed");
  *later.add_events() = Event("0-1", v1::STEP_BACKGROUND_FINISHED, 1006, "failed: OSError");
  view.Apply(later);
  EXPECT_EQ(view.in_flight(), 0u);
  EXPECT_EQ(view.completed(), 1u);
  screen = absl::StrJoin(view.Render(absl::FromUnixNanos(kT0), 200, 50), "\n");
  EXPECT_THAT(screen, HasSubstr("background failed"));
  EXPECT_THAT(screen, HasSubstr("in flight 0"));

  // The server restarted: its ids start again, and 0-1 is a new request.
  v1::WatchTracesResponse restarted;
  restarted.mutable_lost()->set_earlier_run(true);
  *restarted.add_events() = Event("0-1", v1::STEP_RECEIVED, 2000, "GET /wait");
  view.Apply(restarted);
  EXPECT_EQ(view.in_flight(), 1u);
}

}  // namespace
}  // namespace corouter::client
