// Tests of client/sse_fanout.h: SSE framing, and the fan-out of frames to
// several tabs where one never reads.
#include "client/sse_fanout.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

SseFramePtr F(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

std::vector<std::string> Texts(const SseFanout::Batch& batch) {
  std::vector<std::string> out;
  for (const SseFramePtr& f : batch.frames) out.push_back(*f);
  return out;
}

TEST(SseFrameTest, OneLineWithAnEventName) {
  EXPECT_EQ(SseFrame("trace", R"({"a":1})"), "event: trace\ndata: {\"a\":1}\n\n");
}

TEST(SseFrameTest, EveryLineOfTheDataIsADataLine) {
  EXPECT_EQ(SseFrame("x", "one\ntwo\r\nthree\rfour"),
            "event: x\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
}

TEST(SseFrameTest, NoEventNameAndEmptyData) {
  EXPECT_EQ(SseFrame("", ""), "data: \n\n");
  EXPECT_EQ(SseFrame("", "a\n"), "data: a\ndata: \n\n");
}

TEST(SseFrameTest, CommentsHaveNoLineBreaks) {
  EXPECT_EQ(SseComment("keep\nalive"), ": keep alive\n\n");
}

TEST(SseFanoutTest, EveryTabGetsEveryFrameInOrderAfterItsSnapshot) {
  SseFanout fanout(8);
  auto a = fanout.Subscribe({F("snapshot")});
  fanout.Publish(F("1"));
  auto b = fanout.Subscribe();
  fanout.Publish(F("2"));
  EXPECT_EQ(fanout.clients(), 2u);
  EXPECT_THAT(Texts(a->Next(milliseconds(0))), ElementsAre("snapshot", "1", "2"));
  EXPECT_THAT(Texts(b->Next(milliseconds(0))), ElementsAre("2"));
  EXPECT_TRUE(a->Next(milliseconds(0)).frames.empty());
  b.reset();
  EXPECT_EQ(fanout.clients(), 1u);
}

TEST(SseFanoutTest, ASlowTabDropsAndIsToldWhileAReadingTabGetsEverything) {
  constexpr int kFrames = 10'000;
  SseFanout fanout(16);
  auto slow = fanout.Subscribe();  // never reads until the end
  auto fast = fanout.Subscribe();  // drains after every 8 frames
  std::vector<std::string> received;
  for (int i = 0; i < kFrames; ++i) {
    fanout.Publish(F(std::to_string(i)));
    if (i % 8 == 7) {
      SseFanout::Batch batch = fast->Next(milliseconds(0));
      ASSERT_EQ(batch.dropped, 0u);
      for (const SseFramePtr& f : batch.frames) received.push_back(*f);
    }
  }
  ASSERT_EQ(received.size(), static_cast<size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) ASSERT_EQ(received[i], std::to_string(i));

  SseFanout::Batch batch = slow->Next(milliseconds(0));
  ASSERT_EQ(batch.frames.size(), 16u);
  EXPECT_EQ(*batch.frames.front(), "0");
  EXPECT_EQ(*batch.frames.back(), "15");
  EXPECT_EQ(batch.dropped, static_cast<uint64_t>(kFrames - 16));
  EXPECT_EQ(slow->total_dropped(), static_cast<uint64_t>(kFrames - 16));
  // Reported once; after the drain the tab gets new frames again.
  fanout.Publish(F("after"));
  batch = slow->Next(milliseconds(0));
  EXPECT_EQ(batch.dropped, 0u);
  EXPECT_THAT(Texts(batch), ElementsAre("after"));
}

TEST(SseFanoutTest, PublishNeverWaitsForAFullTab) {
  SseFanout fanout(1);
  auto stuck = fanout.Subscribe();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100'000; ++i) fanout.Publish(F("x"));
  // 100k pushes into a full queue are counter increments: far below a
  // second even under a sanitizer; a publisher that waited would hang.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(stuck->Next(milliseconds(0)).dropped, 99'999u);
}

TEST(SseFanoutTest, NextWaitsForAFrameFromAnotherThread) {
  SseFanout fanout(4);
  auto tab = fanout.Subscribe();
  std::thread publisher([&] { fanout.Publish(F("late")); });
  SseFanout::Batch batch = tab->Next(milliseconds(10'000));
  publisher.join();
  EXPECT_THAT(Texts(batch), ElementsAre("late"));
}

TEST(SseFanoutTest, NextReturnsEmptyWhenNothingCame) {
  SseFanout fanout(4);
  auto tab = fanout.Subscribe();
  SseFanout::Batch batch = tab->Next(milliseconds(10));
  EXPECT_TRUE(batch.frames.empty());
  EXPECT_FALSE(batch.closed);
}

TEST(SseFanoutTest, CloseWakesAWaitingTabAndClosesLaterOnes) {
  SseFanout fanout(4);
  auto tab = fanout.Subscribe();
  std::thread closer([&] { fanout.Close(); });
  SseFanout::Batch batch = tab->Next(milliseconds(10'000));
  closer.join();
  EXPECT_TRUE(batch.closed);
  auto late = fanout.Subscribe({F("snapshot")});
  batch = late->Next(milliseconds(10'000));
  EXPECT_TRUE(batch.closed);
}

}  // namespace
}  // namespace corouter::client
