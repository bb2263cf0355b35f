// Unit tests of the timeline picture (client/timeline_picture.h): the PNG is
// decoded with cairo and its pixels checked where the layout puts each lane
// and time; the SVG is checked for its lanes' fills.
#include "client/timeline_picture.h"

#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/client/timeline_events.h"

namespace corouter::client {

// Found by GoogleTest through ADL: colours print as #rrggbb.
void PrintTo(const Rgb& c, std::ostream* os) {
  *os << absl::StrFormat("#%02x%02x%02x", c.r, c.g, c.b);
}

namespace {

using ::corouter::client::testing::At;
using ::corouter::client::testing::Seed003;
using ::corouter::client::testing::SyncWait;
using ::testing::HasSubstr;
using ::testing::SizeIs;

struct Png {
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface{nullptr,
                                                                             cairo_surface_destroy};
  int width() const { return cairo_image_surface_get_width(surface.get()); }
  int height() const { return cairo_image_surface_get_height(surface.get()); }
  Rgb At(double x, double y) const {
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    const auto px = *reinterpret_cast<const std::uint32_t*>(data + static_cast<int>(y) * stride +
                                                            static_cast<int>(x) * 4);
    return Rgb{static_cast<std::uint8_t>((px >> 16) & 0xff),
               static_cast<std::uint8_t>((px >> 8) & 0xff), static_cast<std::uint8_t>(px & 0xff)};
  }
};

struct Reader {
  const std::string* bytes;
  std::size_t offset = 0;
};

cairo_status_t ReadBytes(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<Reader*>(closure);
  if (reader->offset + length > reader->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(reader->bytes->data() + reader->offset, length, data);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

Png Decode(const std::string& bytes) {
  Reader reader{&bytes};
  Png png;
  png.surface.reset(cairo_image_surface_create_from_png_stream(ReadBytes, &reader));
  return png;
}

double Middle(const LaneBox& lane) { return (lane.top + lane.bottom) / 2; }

TEST(TimelinePictureTest, TheExtensionChoosesTheFormat) {
  EXPECT_EQ(*PictureFormatForPath("docs/timeline.svg"), PictureFormat::kSvg);
  EXPECT_EQ(*PictureFormatForPath("/tmp/T.PNG"), PictureFormat::kPng);
  const absl::StatusOr<PictureFormat> text = PictureFormatForPath("x.txt");
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr("x.txt"));
  EXPECT_FALSE(PictureFormatForPath("svg").ok());
}

TEST(TimelinePictureTest, LaysOutOneLanePerRequestThenOnePerThread) {
  const TimelineLayout layout = LayOutTimeline(BuildTimeline(Seed003()), {});
  ASSERT_THAT(layout.request_lanes, SizeIs(4));
  ASSERT_THAT(layout.thread_lanes, SizeIs(1));
  EXPECT_EQ(layout.request_lanes[0].label, "A GET /wait -> 200");
  EXPECT_EQ(layout.request_lanes[2].label, "C GET /blocking -> 200");
  EXPECT_EQ(layout.thread_lanes[0].label, "loop-0");
  for (std::size_t i = 1; i < layout.request_lanes.size(); ++i) {
    EXPECT_GE(layout.request_lanes[i].top, layout.request_lanes[i - 1].bottom);
  }
  EXPECT_GT(layout.thread_lanes[0].top, layout.request_lanes.back().bottom);
  EXPECT_LT(layout.thread_lanes[0].bottom, layout.height);
  EXPECT_DOUBLE_EQ(layout.X(At(0)), layout.plot_left);
  EXPECT_DOUBLE_EQ(layout.X(At(408200)), layout.plot_right);
  EXPECT_EQ(layout.width, 1200);
}

TEST(TimelinePictureTest, ThePngShowsEachStateInItsColourWhereItHappened) {
  const Timeline timeline = BuildTimeline(Seed003());
  const TimelineLayout layout = LayOutTimeline(timeline, {});
  const absl::StatusOr<std::string> bytes = RenderTimeline(timeline, PictureFormat::kPng, {});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const Png png = Decode(*bytes);
  ASSERT_EQ(cairo_surface_status(png.surface.get()), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(png.width(), layout.width);
  EXPECT_EQ(png.height(), layout.height);
  const auto& lanes = layout.request_lanes;
  // B awaits 150 us .. 207 ms; C blocks 6.5 .. 206.7 ms; A awaits from 207.57 ms.
  EXPECT_EQ(png.At(layout.X(At(100000)), Middle(lanes[1])), StateColour(TimelineState::kAwaiting));
  EXPECT_EQ(png.At(layout.X(At(100000)), Middle(lanes[2])), StateColour(TimelineState::kBlocked));
  EXPECT_EQ(png.At(layout.X(At(300000)), Middle(lanes[0])), StateColour(TimelineState::kAwaiting));
  // The loop is held by C in the middle of its block...
  EXPECT_EQ(png.At(layout.X(At(150000)), Middle(layout.thread_lanes[0])),
            StateColour(TimelineState::kBlocked));
  // ... and idle (its lane's background, off the 100 ms grid lines) while only A sleeps.
  EXPECT_EQ(png.At(layout.X(At(320000)), Middle(layout.thread_lanes[0])), kThreadLaneColour);
  // Before D is received its lane is background.
  EXPECT_EQ(png.At(layout.X(At(100000)), Middle(lanes[3])), kRequestLaneColour);
}

TEST(TimelinePictureTest, QueuedAndExecutorWorkAreDrawnOnTheirLanes) {
  const Timeline timeline = BuildTimeline({SyncWait()});
  const TimelineLayout layout = LayOutTimeline(timeline, {});
  const absl::StatusOr<std::string> bytes = RenderTimeline(timeline, PictureFormat::kPng, {});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const Png png = Decode(*bytes);
  ASSERT_THAT(layout.thread_lanes, SizeIs(2));
  EXPECT_EQ(layout.thread_lanes[1].label, "executor-0");
  // The request runs on executor-0 from 0.5 ms to 200.7 ms: the executor lane is busy, the loop
  // idle.
  EXPECT_EQ(png.At(layout.X(At(150000)), Middle(layout.request_lanes[0])),
            StateColour(TimelineState::kRunning));
  EXPECT_EQ(png.At(layout.X(At(150000)), Middle(layout.thread_lanes[1])),
            StateColour(TimelineState::kRunning));
  EXPECT_EQ(png.At(layout.X(At(150000)), Middle(layout.thread_lanes[0])), kThreadLaneColour);
}

TEST(TimelinePictureTest, TheSvgHasTheLaneBackgroundsAndTheBlockedFill) {
  const absl::StatusOr<std::string> svg =
      RenderTimeline(BuildTimeline(Seed003()), PictureFormat::kSvg,
                     TimelinePictureOptions{.width = 1200, .title = "seed 003"});
  ASSERT_TRUE(svg.ok()) << svg.status();
  EXPECT_THAT(*svg, HasSubstr("<svg"));
  EXPECT_THAT(*svg, HasSubstr("</svg>"));
  // cairo writes fills as percentages of 255.
  const auto fill = [](Rgb c) {
    return absl::StrFormat("fill:rgb(%f%%,%f%%,%f%%)", c.r * 100 / 255.0, c.g * 100 / 255.0,
                           c.b * 100 / 255.0);
  };
  const auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = svg->find(needle); at != std::string::npos;
         at = svg->find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(fill(kRequestLaneColour)), 4u);
  EXPECT_EQ(count(fill(kThreadLaneColour)), 1u);
  // The legend's swatch, C's lane and the loop's lane.
  EXPECT_EQ(count(fill(StateColour(TimelineState::kBlocked))), 3u);
}

TEST(TimelinePictureTest, AnEmptyTimelineStillDraws) {
  const absl::StatusOr<std::string> bytes = RenderTimeline(Timeline{}, PictureFormat::kPng, {});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(cairo_surface_status(Decode(*bytes).surface.get()), CAIRO_STATUS_SUCCESS);
}

TEST(TimelinePictureTest, AnUnwritablePathIsAnError) {
  const absl::Status status = WriteTimelinePicture(
      BuildTimeline(Seed003()), "/nonexistent-dir/t.svg", PictureFormat::kSvg, {});
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent-dir/t.svg"));
}

}  // namespace
}  // namespace corouter::client
