// Load: 10,000 concurrent sleeping requests on one loop (issue 4). Runs alone
// (RUN_SERIAL) so that it neither starves nor is starved by timing tests.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/async_client.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(Loops, TenThousandConcurrentSleepsOnOneLoopTakeAboutOneSleep) {
  SeedServer server(0.5);  // GET /wait sleeps 1 s
  std::vector<std::string> targets(10000, "/wait");
  const auto start = steady_clock::now();
  auto results = ExecuteConcurrently(server.stub(), targets, milliseconds(60000));
  const auto took = steady_clock::now() - start;
  size_t ok = 0;
  for (const auto& r : results)
    ok += r.finished && r.status.ok() && r.response.response().status_code() == 200;
  EXPECT_EQ(ok, targets.size());
  EXPECT_GE(took, milliseconds(1000));
  // One thread serves them all while they wait: about one sleep, where serial
  // service would take 10,000. The bound is generous: it includes starting
  // 10k calls from one client thread, in a Debug or sanitizer build.
  EXPECT_LT(took, milliseconds(1000) * 15);
  const auto until = steady_clock::now() + std::chrono::seconds(5);
  while (server.server().in_flight() != 0 && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(server.server().in_flight(), 0);
}

}  // namespace
}  // namespace corouter::testing
