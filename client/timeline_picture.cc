#include "client/timeline_picture.h"

#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/chrome_trace.h"
#include "client/output_file.h"

namespace corouter::client {
namespace {

constexpr double kMargin = 16;
constexpr double kLabelWidth = 300;
constexpr double kLaneHeight = 24;
constexpr double kLaneGap = 4;
constexpr double kSpanInset =
    4;  // A span leaves this much of its lane's background above and below.
constexpr double kTitleHeight = 26;
constexpr double kLegendHeight = 26;
constexpr double kSectionHeight = 20;
constexpr double kAxisHeight = 34;
constexpr const char* kFont = "sans-serif";

const std::string kAwaitingText = "awaiting (loop free)";

void SetColour(cairo_t* cr, Rgb c) {
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

void Rect(cairo_t* cr, double x, double y, double w, double h, Rgb colour) {
  SetColour(cr, colour);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
}

// Draws `text` with its baseline at (x, y), cut with "..." to `max_width`.
void Text(cairo_t* cr, double x, double y, std::string text, double size, bool bold, Rgb colour,
          double max_width = 1e9) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  // Cut the original to its first `keep` bytes plus "...", shorter each
  // round, never inside a UTF-8 sequence, until it fits (or one byte is left).
  const std::string full = text;
  size_t keep = full.size();
  while (extents.x_advance > max_width && keep > 1) {
    --keep;
    while (keep > 1 && (static_cast<unsigned char>(full[keep]) & 0xC0) == 0x80) --keep;
    text = full.substr(0, keep) + "...";
    cairo_text_extents(cr, text.c_str(), &extents);
  }
  SetColour(cr, colour);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text.c_str());
}

double TextWidth(cairo_t* cr, const std::string& text, double size) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

std::string LegendText(TimelineState state) {
  switch (state) {
    case TimelineState::kRunning:
      return "running";
    case TimelineState::kAwaiting:
      return kAwaitingText;
    case TimelineState::kQueued:
      return "queued for the executor";
    case TimelineState::kBlocked:
      return "blocked (loop held)";
  }
  return "";
}

// The time axis: a tick step of 1, 2 or 5 times a power of ten, about eight
// ticks, labelled in us, ms or s.
struct Axis {
  absl::Duration step;
  absl::Duration unit;
  const char* unit_name =
      "s";  // not std::string: GCC 12 -O3 warns falsely (-Wrestrict) on its assignment
};

Axis ChooseAxis(absl::Duration span) {
  const double raw = std::max(absl::ToDoubleNanoseconds(span) / 8, 1.0);
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = 10 * magnitude;
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  Axis axis;
  axis.step = absl::Nanoseconds(step);
  if (span >= absl::Seconds(2)) {
    axis.unit = absl::Seconds(1);
    axis.unit_name = "s";
  } else if (span >= absl::Milliseconds(2)) {
    axis.unit = absl::Milliseconds(1);
    axis.unit_name = "ms";
  } else {
    axis.unit = absl::Microseconds(1);
    axis.unit_name = "us";
  }
  return axis;
}

void Draw(cairo_t* cr, const Timeline& timeline, const TimelineLayout& layout,
          const TimelinePictureOptions& options) {
  const Rgb black{0x21, 0x21, 0x21};
  const Rgb grey{0x75, 0x75, 0x75};
  const Rgb grid{0xd0, 0xd0, 0xd0};
  const Rgb white{0xff, 0xff, 0xff};
  Rect(cr, 0, 0, layout.width, layout.height, white);

  // Title and legend.
  Text(cr, kMargin, kMargin + 14,
       options.title.empty()
           ? absl::StrCat("corouter timeline: ", timeline.requests.size(), " requests")
           : options.title,
       15, true, black, layout.width - 2 * kMargin);
  double x = kMargin;
  const double legend_y = kMargin + kTitleHeight;
  for (TimelineState state : {TimelineState::kRunning, TimelineState::kAwaiting,
                              TimelineState::kQueued, TimelineState::kBlocked}) {
    Rect(cr, x, legend_y, 14, 14, StateColour(state));
    Text(cr, x + 20, legend_y + 12, LegendText(state), 12, false, black);
    x += 20 + TextWidth(cr, LegendText(state), 12) + 24;
  }

  // Section headings.
  if (!layout.request_lanes.empty()) {
    Text(cr, kMargin, layout.request_lanes.front().top - 6, "Requests", 12, true, black);
  }
  if (!layout.thread_lanes.empty()) {
    Text(cr, kMargin, layout.thread_lanes.front().top - 6, "Event loop and executor threads", 12,
         true, black);
  }

  // Lane backgrounds and labels.
  for (const LaneBox& lane : layout.request_lanes) {
    Rect(cr, kMargin, lane.top, layout.plot_right + 4 - kMargin, lane.bottom - lane.top,
         kRequestLaneColour);
    Text(cr, kMargin + 6, lane.bottom - 8, lane.label, 12, false, black, kLabelWidth - 12);
  }
  for (const LaneBox& lane : layout.thread_lanes) {
    Rect(cr, kMargin, lane.top, layout.plot_right + 4 - kMargin, lane.bottom - lane.top,
         kThreadLaneColour);
    Text(cr, kMargin + 6, lane.bottom - 8, lane.label, 12, true, black, kLabelWidth - 12);
  }

  // Time grid and axis.
  const double lanes_bottom =
      layout.thread_lanes.empty()
          ? (layout.request_lanes.empty() ? legend_y + kLegendHeight
                                          : layout.request_lanes.back().bottom)
          : layout.thread_lanes.back().bottom;
  const double lanes_top =
      layout.request_lanes.empty() ? lanes_bottom : layout.request_lanes.front().top;
  const Axis axis = ChooseAxis(layout.end - layout.start);
  cairo_set_line_width(cr, 1);
  for (absl::Duration t = absl::ZeroDuration(); layout.start + t <= layout.end; t += axis.step) {
    const double tx = std::round(layout.X(layout.start + t)) + 0.5;
    SetColour(cr, grid);
    cairo_move_to(cr, tx, lanes_top);
    cairo_line_to(cr, tx, lanes_bottom);
    cairo_stroke(cr);
    SetColour(cr, grey);
    cairo_move_to(cr, tx, lanes_bottom + 4);
    cairo_line_to(cr, tx, lanes_bottom + 10);
    cairo_stroke(cr);
    const std::string label =
        absl::StrFormat("%g %s", absl::FDivDuration(t, axis.unit), axis.unit_name);
    Text(cr, tx - TextWidth(cr, label, 11) / 2, lanes_bottom + 22, label, 11, false, grey);
  }
  SetColour(cr, grey);
  cairo_move_to(cr, layout.plot_left, lanes_bottom + 4.5);
  cairo_line_to(cr, layout.plot_right, lanes_bottom + 4.5);
  cairo_stroke(cr);

  // Request stretches.
  for (std::size_t r = 0; r < timeline.requests.size() && r < layout.request_lanes.size(); ++r) {
    const LaneBox& lane = layout.request_lanes[r];
    for (const TimelineSpan& span : timeline.requests[r].spans) {
      const double x0 = layout.X(span.start);
      const double x1 = std::max(layout.X(span.end), x0 + 1);
      Rect(cr, x0, lane.top + kSpanInset, x1 - x0, lane.bottom - lane.top - 2 * kSpanInset,
           StateColour(span.state));
    }
  }

  // Thread slices, labelled with their request where there is room.
  std::map<std::string, const LaneBox*> thread_boxes;
  for (std::size_t t = 0; t < timeline.threads.size() && t < layout.thread_lanes.size(); ++t) {
    const LaneBox& lane = layout.thread_lanes[t];
    thread_boxes[timeline.threads[t].thread] = &lane;
    for (const ThreadSlice& slice : timeline.threads[t].slices) {
      const double x0 = layout.X(slice.start);
      const double x1 = std::max(layout.X(slice.end), x0 + 1);
      Rect(cr, x0, lane.top + kSpanInset, x1 - x0, lane.bottom - lane.top - 2 * kSpanInset,
           StateColour(slice.state));
      const std::string& label = timeline.requests[slice.request].label;
      const std::string text =
          slice.state == TimelineState::kBlocked ? absl::StrCat(label, " BLOCKED") : label;
      if (x1 - x0 > TextWidth(cr, text, 11) + 6) {
        Text(cr, x0 + 3, lane.bottom - 8, text, 11, true, white, x1 - x0 - 6);
      }
    }
  }

  // Flows: arrows from the loop to the executor thread and back.
  for (const TimelineFlow& flow : timeline.flows) {
    if (!thread_boxes.contains(flow.from_thread) || !thread_boxes.contains(flow.to_thread))
      continue;
    const LaneBox& from = *thread_boxes[flow.from_thread];
    const LaneBox& to = *thread_boxes[flow.to_thread];
    const double x0 = layout.X(flow.from);
    const double x1 = layout.X(flow.to);
    const bool down = to.top > from.top;
    const double y0 = down ? from.bottom - kSpanInset : from.top + kSpanInset;
    const double y1 = down ? to.top + kSpanInset : to.bottom - kSpanInset;
    SetColour(cr, black);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
    const double angle = std::atan2(y1 - y0, x1 - x0);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x1 - 6 * std::cos(angle - 0.4), y1 - 6 * std::sin(angle - 0.4));
    cairo_line_to(cr, x1 - 6 * std::cos(angle + 0.4), y1 - 6 * std::sin(angle + 0.4));
    cairo_close_path(cr);
    cairo_fill(cr);
  }
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

}  // namespace

absl::StatusOr<PictureFormat> PictureFormatForPath(absl::string_view path) {
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".svg")) return PictureFormat::kSvg;
  if (absl::EndsWith(lower, ".png")) return PictureFormat::kPng;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", path, "\" is neither .svg nor .png (the extension chooses the format)"));
}

Rgb StateColour(TimelineState state) {
  switch (state) {
    case TimelineState::kRunning:
      return {0x2e, 0x7d, 0x32};
    case TimelineState::kAwaiting:
      return {0x90, 0xca, 0xf9};
    case TimelineState::kQueued:
      return {0xff, 0xb3, 0x00};
    case TimelineState::kBlocked:
      return {0xd3, 0x2f, 0x2f};
  }
  return {0, 0, 0};
}

double TimelineLayout::X(absl::Time t) const {
  if (end <= start) return plot_left;
  const double fraction = std::clamp(absl::FDivDuration(t - start, end - start), 0.0, 1.0);
  return plot_left + fraction * (plot_right - plot_left);
}

TimelineLayout LayOutTimeline(const Timeline& timeline, const TimelinePictureOptions& options) {
  TimelineLayout layout;
  layout.width = std::max(options.width, 600);
  layout.plot_left = kMargin + kLabelWidth;
  layout.plot_right = layout.width - 2 * kMargin;
  layout.start = timeline.start == absl::InfinitePast() ? absl::UnixEpoch() : timeline.start;
  layout.end = std::max(timeline.end, layout.start);
  if (layout.end == layout.start) layout.end = layout.start + absl::Milliseconds(1);
  double y = kMargin + kTitleHeight + kLegendHeight;
  if (!timeline.requests.empty()) y += kSectionHeight;
  for (const RequestTimeline& request : timeline.requests) {
    std::string label = RequestTitle(request);
    if (request.status_code != 0) absl::StrAppend(&label, " -> ", request.status_code);
    if (!request.finished) absl::StrAppend(&label, " (in flight)");
    layout.request_lanes.push_back(LaneBox{label, y, y + kLaneHeight});
    y += kLaneHeight + kLaneGap;
  }
  if (!timeline.threads.empty()) y += kSectionHeight;
  for (const ThreadTimeline& thread : timeline.threads) {
    layout.thread_lanes.push_back(LaneBox{thread.thread, y, y + kLaneHeight});
    y += kLaneHeight + kLaneGap;
  }
  layout.height = static_cast<int>(std::ceil(y + kAxisHeight + kMargin));
  return layout;
}

absl::StatusOr<std::string> RenderTimeline(const Timeline& timeline, PictureFormat format,
                                           const TimelinePictureOptions& options) {
  const TimelineLayout layout = LayOutTimeline(timeline, options);
  std::string bytes;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      format == PictureFormat::kSvg
          ? cairo_svg_surface_create_for_stream(AppendToString, &bytes, layout.width, layout.height)
          : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, layout.width, layout.height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("cairo: cannot create the surface: ",
                     cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  {
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    Draw(cr.get(), timeline, layout, options);
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(
          absl::StrCat("cairo: drawing failed: ", cairo_status_to_string(cairo_status(cr.get()))));
    }
  }
  if (format == PictureFormat::kPng) {
    const cairo_status_t status =
        cairo_surface_write_to_png_stream(surface.get(), AppendToString, &bytes);
    if (status != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(
          absl::StrCat("cairo: cannot encode the PNG: ", cairo_status_to_string(status)));
    }
  }
  cairo_surface_finish(surface.get());  // An SVG surface writes its document here.
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("cairo: cannot finish the picture: ",
                     cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  return bytes;
}

absl::Status WriteTimelinePicture(const Timeline& timeline, const std::string& path,
                                  PictureFormat format, const TimelinePictureOptions& options) {
  absl::StatusOr<std::string> bytes = RenderTimeline(timeline, format, options);
  if (!bytes.ok()) return bytes.status();
  return WriteFileAtomically(path, *bytes);
}

}  // namespace corouter::client
