// Dependencies (FastAPI's Depends) end to end, from a route file: a real
// server on 127.0.0.1:0, every wait bounded. What the trace shows: each
// dependency's DEPENDENCY_STARTED/FINISHED before the handler, a def one on
// an executor thread, and a yield dependency's teardown after the response
// (ExecuteTraced ends after it), or before an error response.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/route_file.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = corouter::v1;

app::App FromYaml(const char* yaml) {
  auto app = app::ParseRouteFile(yaml, "inline.yaml", {});
  EXPECT_TRUE(app.ok()) << app.status();
  return *std::move(app);
}

constexpr const char* kApp = R"(
dependencies:
  verify_key:
    kind: sync
    params: [{name: x_key, in: header}]
    steps: [{cpu: 1ms}]
    returns: "{x_key}"
  get_db:
    steps: [{sleep: 5ms}]
    returns: {db: session}
    teardown: [{sleep: 5ms}]
routes:
  - name: read
    path: /read
    dependencies: [verify_key]
    depends: [get_db]
    steps:
      - respond: {body: {db: "{get_db}"}}
  - name: conflict
    path: /conflict
    depends: [get_db]
    steps:
      - raise: {status: 409, detail: conflict}
)";

// "STEP_NAME detail" for each event, for readable expectations.
std::vector<std::string> Lines(const std::vector<v1::TraceEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(v1::Step_Name(e.step()) + " " + e.detail());
  return out;
}

size_t IndexOf(const std::vector<v1::TraceEvent>& events, v1::Step step,
               const std::string& detail_part) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].step() == step && absl::StrContains(events[i].detail(), detail_part)) return i;
  }
  return events.size();
}

TEST(Dependencies, RunBeforeTheHandlerAndTearDownAfterTheResponse) {
  TestServer server(FromYaml(kApp));
  const auto events = server.Traced("GET", "/read", nullptr, {{"x-key", "k"}});
  ASSERT_FALSE(events.empty());
  const size_t key = IndexOf(events, v1::STEP_DEPENDENCY_STARTED, "def verify_key(x_key=\"k\")");
  const size_t db = IndexOf(events, v1::STEP_DEPENDENCY_STARTED, "async def get_db()");
  const size_t handler = IndexOf(events, v1::STEP_HANDLER_STARTED, "read(get_db=");
  const size_t sent = IndexOf(events, v1::STEP_RESPONSE_SENT, "");
  const size_t teardown = IndexOf(events, v1::STEP_DEPENDENCY_STARTED, "teardown of get_db");
  const size_t done = IndexOf(events, v1::STEP_DEPENDENCY_FINISHED, "get_db teardown done");
  ASSERT_LT(done, events.size()) << ::testing::PrintToString(Lines(events));
  EXPECT_LT(key, db);
  EXPECT_LT(db, handler);
  EXPECT_LT(handler, sent);
  EXPECT_LT(sent, teardown);
  EXPECT_EQ(done, events.size() - 1) << "ExecuteTraced ends after the teardown";
  // The def dependency ran on an executor thread, the async one on the loop.
  EXPECT_THAT(events[key].thread(), HasSubstr("executor"));
  EXPECT_EQ(events[db].thread(), events[handler].thread());
  EXPECT_EQ(events[sent].response().status_code(), 200);
  EXPECT_EQ(events[sent].response().body(), R"({"db":{"db":"session"}})");
  EXPECT_LT(IndexOf(events, v1::STEP_DEPENDENCY_FINISHED, "get_db yielded"), handler);
}

TEST(Dependencies, AnErrorTearsDownBeforeTheResponse) {
  TestServer server(FromYaml(kApp));
  const auto events = server.Traced("GET", "/conflict");
  const size_t failed = IndexOf(events, v1::STEP_FAILED, "raised");
  const size_t done = IndexOf(events, v1::STEP_DEPENDENCY_FINISHED, "get_db teardown done");
  const size_t sent = IndexOf(events, v1::STEP_RESPONSE_SENT, "");
  ASSERT_LT(sent, events.size()) << ::testing::PrintToString(Lines(events));
  EXPECT_LT(failed, done);
  EXPECT_LT(done, sent);
  EXPECT_EQ(events[sent].response().status_code(), 409);
  EXPECT_EQ(sent, events.size() - 1);
}

TEST(Dependencies, AMissingHeaderIsOne422AndTheServerKeepsServing) {
  TestServer server(FromYaml(kApp));
  const auto missing = server.Traced("GET", "/read");
  ASSERT_FALSE(missing.empty());
  EXPECT_EQ(missing.back().step(), v1::STEP_RESPONSE_SENT);
  EXPECT_EQ(missing.back().response().status_code(), 422);
  EXPECT_EQ(
      missing.back().response().body(),
      R"({"detail":[{"loc":["header","x-key"],"msg":"field required","type":"value_error.missing"}]})");
  // The yield dependency ran before the 422 and was torn down before it.
  EXPECT_LT(IndexOf(missing, v1::STEP_DEPENDENCY_FINISHED, "get_db teardown done"),
            missing.size() - 1);
  EXPECT_EQ(server.Execute("GET", "/fast").response().status_code(), 404);
  const auto ok = server.Traced("GET", "/read", nullptr, {{"x-key", "k"}});
  EXPECT_EQ(ok[IndexOf(ok, v1::STEP_RESPONSE_SENT, "")].response().status_code(), 200);
}

}  // namespace
}  // namespace corouter::testing
