#include "client/text_cell.h"

#include <cstdint>

namespace corouter::client {
namespace {

constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length in bytes of the valid UTF-8 sequence starting at text[i], or 0 when
// the bytes there are not a valid (shortest-form, non-surrogate) sequence.
std::size_t ValidSequenceLength(absl::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  std::size_t length = 0;
  std::uint32_t min_code_point = 0;
  std::uint32_t code_point = 0;
  if (lead < 0x80) {
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    min_code_point = 0x80;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    min_code_point = 0x800;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    min_code_point = 0x10000;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if (code_point < min_code_point || code_point > 0x10FFFF) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  return length;
}

bool IsContinuationByte(char c) { return (static_cast<std::uint8_t>(c) & 0xC0) == 0x80; }

}  // namespace

std::string SanitizeCell(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = ValidSequenceLength(text, i);
    if (length == 0) {
      out.append(kReplacementCharacter.data(), kReplacementCharacter.size());
      ++i;
    } else if (length == 1) {
      const auto c = static_cast<std::uint8_t>(text[i]);
      out.push_back(c < 0x20 || c == 0x7F ? ' ' : text[i]);
      ++i;
    } else {
      // C1 control characters (U+0080..U+009F) are two-byte sequences C2 80..C2 9F.
      if (length == 2 && static_cast<std::uint8_t>(text[i]) == 0xC2 &&
          static_cast<std::uint8_t>(text[i + 1]) < 0xA0) {
        out.push_back(' ');
      } else {
        out.append(text.data() + i, length);
      }
      i += length;
    }
  }
  return out;
}

std::size_t DisplayWidth(absl::string_view text) {
  std::size_t width = 0;
  for (char c : text) {
    if (!IsContinuationByte(c)) ++width;
  }
  return width;
}

std::string Truncate(absl::string_view text, std::size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  // Keep width - 1 code points, then the ellipsis.
  std::size_t kept = 0;
  std::size_t end = 0;
  while (end < text.size()) {
    if (!IsContinuationByte(text[end])) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  std::string out(text.substr(0, end));
  out.append(kEllipsis.data(), kEllipsis.size());
  return out;
}

std::string PadRight(absl::string_view text, std::size_t width) {
  std::string out(text);
  const std::size_t current = DisplayWidth(text);
  if (current < width) out.append(width - current, ' ');
  return out;
}

std::string FitCell(absl::string_view text, std::size_t width) {
  return PadRight(Truncate(SanitizeCell(text), width), width);
}

}  // namespace corouter::client
