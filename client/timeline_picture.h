// client/timeline_picture.h
//
// Draws a Timeline (trace_timeline.h) as a picture, SVG or PNG, with cairo:
//
//   title
//   legend: running | awaiting (loop free) | queued for the executor | blocked (loop held)
//   Requests
//     A  GET /wait -> 200       [running][   awaiting   ][running]
//     ...                        one lane per request, in the timeline's order
//   Threads
//     loop-0                    [A][B]  [C BLOCKED.........][B][A]
//     executor-0                one lane per thread: its running / blocked slices
//   time axis                   0 ms    100 ms    200 ms ...
//
// Time runs left to right from the timeline's start to its end. Each state
// has its own fill colour (StateColour); a stretch narrower than a pixel is
// drawn one pixel wide so that nothing disappears. Arrows join the thread
// lanes where work goes to the executor and comes back (TimelineFlow).
//
// The layout is computed separately (LayOutTimeline), so that tests can find
// a lane and a time in the picture. Lane backgrounds have their own colours
// (kRequestLaneColour, kThreadLaneColour), which makes lanes countable in the
// SVG too (cairo draws text as glyph outlines, so the SVG holds no text).
//
// Pure functions; thread-safe (each call has its own cairo surface).
#ifndef COROUTER_CLIENT_TIMELINE_PICTURE_H_
#define COROUTER_CLIENT_TIMELINE_PICTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/trace_timeline.h"

namespace corouter::client {

// The file formats of a picture.
enum class PictureFormat { kSvg, kPng };

// The format for `path`'s extension, ".svg" or ".png" (any case). Errors:
// InvalidArgument for any other extension (the message says which are known).
absl::StatusOr<PictureFormat> PictureFormatForPath(absl::string_view path);

// An opaque colour, 0 to 255 per channel.
struct Rgb {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// The fill of each state: running green, awaiting light blue, queued amber,
// blocked red. Pure; thread-safe.
Rgb StateColour(TimelineState state);

// The backgrounds of request lanes and thread lanes.
inline constexpr Rgb kRequestLaneColour{0xf2, 0xf2, 0xf2};
inline constexpr Rgb kThreadLaneColour{0xe3, 0xe8, 0xf4};

struct TimelinePictureOptions {
  // The picture's width in pixels (SVG: points); the height follows from the
  // number of lanes.
  int width = 1200;
  // The first line of the picture ("corouter call --trace: 4 requests").
  std::string title;
};

// A lane's box in the picture, in pixels from the top left corner.
struct LaneBox {
  std::string label;
  double top = 0;
  double bottom = 0;
};

// Where everything goes.
struct TimelineLayout {
  int width = 0;
  int height = 0;
  // x of the timeline's start and end.
  double plot_left = 0;
  double plot_right = 0;
  absl::Time start;
  absl::Time end;
  // One per request and one per thread lane, in the timeline's order.
  std::vector<LaneBox> request_lanes;
  std::vector<LaneBox> thread_lanes;

  // The x of time `t` (clamped to the plot).
  double X(absl::Time t) const;
};

// Lays out `timeline` (an empty timeline gets an empty plot). Pure.
TimelineLayout LayOutTimeline(const Timeline& timeline, const TimelinePictureOptions& options);

// The picture as the bytes of an SVG or PNG file. Errors: cairo failed
// (Internal, with cairo's status text).
absl::StatusOr<std::string> RenderTimeline(const Timeline& timeline, PictureFormat format,
                                           const TimelinePictureOptions& options);

// Renders and writes the picture to `path` (atomically, see output_file.h).
// Errors: as RenderTimeline, or the file cannot be written.
absl::Status WriteTimelinePicture(const Timeline& timeline, const std::string& path,
                                  PictureFormat format, const TimelinePictureOptions& options);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_TIMELINE_PICTURE_H_
