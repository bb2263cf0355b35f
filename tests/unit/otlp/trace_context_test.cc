#include "server/otlp/trace_context.h"

#include <set>

#include "gtest/gtest.h"

namespace corouter::otlp {
namespace {

constexpr char kValid[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(ParseTraceparent, ReadsTheFourFields) {
  const std::optional<ParentContext> parent = ParseTraceparent(kValid);
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(Hex(parent->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(Hex(parent->span_id), "00f067aa0ba902b7");
  EXPECT_TRUE(parent->sampled());
  EXPECT_FALSE(
      ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled());
  EXPECT_TRUE(ParseTraceparent(std::string(" ") + kValid + "\t").has_value());  // OWS
}

TEST(ParseTraceparent, RefusesWhatTheRecommendationRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // no flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // v00 is exactly 55
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace-id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero parent-id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",   // separators
           "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // not hex
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // v01: no '-' after
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(ParseTraceparent, AHigherVersionIsReadAsVersion00) {
  EXPECT_TRUE(
      ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").has_value());
  EXPECT_TRUE(
      ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what").has_value());
}

TEST(IdGenerator, GivesDistinctNonZeroIds) {
  IdGenerator ids;
  std::set<std::string> traces;
  std::set<std::string> spans;
  for (int i = 0; i < 1000; ++i) {
    traces.insert(Hex(ids.NewTraceId()));
    spans.insert(Hex(ids.NewSpanId()));
  }
  EXPECT_EQ(traces.size(), 1000u);
  EXPECT_EQ(spans.size(), 1000u);
  EXPECT_EQ(traces.count(std::string(32, '0')), 0u);
  EXPECT_EQ(Bytes(ids.NewTraceId()).size(), 16u);
  EXPECT_EQ(Bytes(ids.NewSpanId()).size(), 8u);
}

}  // namespace
}  // namespace corouter::otlp
