#include "server/watch/watch_filter.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::watch {
namespace {

using ::testing::HasSubstr;
using Verdict = WatchFilter::Verdict;

RequestFacts Facts(uint64_t serial, absl::string_view method, absl::string_view path = "",
                   absl::string_view endpoint = "", bool route_known = true) {
  RequestFacts f;
  f.serial = serial;
  f.method = method;
  f.path_template = path;
  f.endpoint = endpoint;
  f.route_known = route_known;
  return f;
}

TEST(WatchFilter, TheDefaultPassesEverything) {
  WatchFilter filter;
  EXPECT_EQ(filter.Live(Facts(1, "GET", "", "", false)), Verdict::kPass);
  EXPECT_TRUE(filter.Completed(Facts(2, "POST")));
}

TEST(WatchFilter, RouteFieldsHoldUntilTheRouteIsKnown) {
  auto filter = WatchFilter::Create({.path_templates = {"/items/{id}"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->Live(Facts(1, "GET", "", "", false)), Verdict::kHold);
  EXPECT_EQ(filter->Live(Facts(1, "GET", "/items/{id}", "read")), Verdict::kPass);
  EXPECT_EQ(filter->Live(Facts(1, "GET", "/other", "read")), Verdict::kReject);
  // No route at all (404): passes no template filter.
  EXPECT_EQ(filter->Live(Facts(1, "GET", "", "")), Verdict::kReject);
}

TEST(WatchFilter, MethodIsKnownAtOnce) {
  auto filter = WatchFilter::Create({.endpoints = {"read"}, .methods = {"POST"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->Live(Facts(1, "GET", "", "", false)), Verdict::kReject);
  EXPECT_EQ(filter->Live(Facts(1, "POST", "", "", false)), Verdict::kHold);
  EXPECT_EQ(filter->Live(Facts(1, "POST", "/x", "read")), Verdict::kPass);
}

TEST(WatchFilter, StatusCodesAndClasses) {
  auto filter = WatchFilter::Create({.status = {"404", "5xx"}, .completed_mode = true});
  ASSERT_TRUE(filter.ok());
  RequestFacts f = Facts(1, "GET");
  for (int code : {404, 500, 503}) {
    f.status_code = code;
    EXPECT_TRUE(filter->Completed(f)) << code;
  }
  for (int code : {0, 200, 405, 422}) {
    f.status_code = code;
    EXPECT_FALSE(filter->Completed(f)) << code;
  }
}

TEST(WatchFilter, OutcomesAndDuration) {
  auto filter = WatchFilter::Create({.outcomes = {Outcome::kCancelled, Outcome::kBlockedLoop},
                                     .min_duration = std::chrono::milliseconds(10),
                                     .completed_mode = true});
  ASSERT_TRUE(filter.ok());
  RequestFacts f = Facts(1, "GET");
  f.duration = std::chrono::milliseconds(20);
  f.status_code = 200;
  EXPECT_FALSE(filter->Completed(f));
  f.blocked_loop = true;
  EXPECT_TRUE(filter->Completed(f));
  f.duration = std::chrono::milliseconds(5);
  EXPECT_FALSE(filter->Completed(f));
}

TEST(WatchFilter, SamplingIsPerRequestAndAboutTheRate) {
  auto filter = WatchFilter::Create({.sample_rate = 0.25});
  ASSERT_TRUE(filter.ok());
  int passed = 0;
  for (uint64_t serial = 1; serial <= 10000; ++serial) {
    const Verdict v = filter->Live(Facts(serial, "GET"));
    // The same request always gets the same decision, live and completed.
    EXPECT_EQ(v == Verdict::kPass, filter->Completed(Facts(serial, "GET")));
    passed += v == Verdict::kPass;
  }
  EXPECT_GT(passed, 2200);
  EXPECT_LT(passed, 2800);
  auto none = WatchFilter::Create({.sample_rate = 0.0});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->Live(Facts(7, "GET")), Verdict::kReject);
}

TEST(WatchFilter, BadSpecsNameTheField) {
  struct Case {
    WatchFilterSpec spec;
    const char* field;
  };
  const Case cases[] = {
      {{.status = {"6xx"}, .completed_mode = true}, "filter.status"},
      {{.status = {"99"}, .completed_mode = true}, "filter.status"},
      {{.status = {"abc"}, .completed_mode = true}, "filter.status"},
      {{.status = {"600"}, .completed_mode = true}, "filter.status"},
      {{.status = {"404"}}, "filter.status"},
      {{.outcomes = {Outcome::kFailed}}, "filter.outcomes"},
      {{.min_duration = std::chrono::nanoseconds(1)}, "filter.min_duration_nanos"},
      {{.min_duration = std::chrono::nanoseconds(-1), .completed_mode = true},
       "filter.min_duration_nanos"},
      {{.sample_rate = 1.01}, "filter.sample_rate"},
      {{.sample_rate = -0.5}, "filter.sample_rate"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<WatchFilter> filter = WatchFilter::Create(c.spec);
    ASSERT_FALSE(filter.ok()) << c.field;
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(filter.status().message(), HasSubstr(c.field));
  }
}

}  // namespace
}  // namespace corouter::watch
