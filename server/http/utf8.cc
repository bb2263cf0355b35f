// server/http/utf8.cc
//
// Well-formed UTF-8 is defined by Unicode 14, table 3-7; the decoder checks it
// one byte at a time, so a sequence that goes wrong is replaced with one
// U+FFFD covering what had been valid so far (the maximal subpart), which is
// what CPython's decoder does.
#include "server/http/utf8.h"

#include <cstdint>
#include <cstdio>

namespace corouter::http {
namespace {

bool IsContinuation(uint8_t byte) { return byte >= 0x80 && byte <= 0xBF; }

}  // namespace

char32_t NextCodePoint(std::string_view bytes, size_t* pos) {
  const uint8_t lead = static_cast<uint8_t>(bytes[*pos]);
  ++*pos;
  if (lead < 0x80) return lead;

  // The number of continuation bytes, the lead's payload bits, and the range
  // the *first* continuation byte must fall in (table 3-7: it is narrower
  // after E0, ED, F0 and F4, which rules out overlong forms, surrogates and
  // values above U+10FFFF).
  int needed;
  char32_t code_point;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    code_point = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    code_point = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    // 80..C1 and F5..FF never start a well-formed sequence.
    return kReplacementCharacter;
  }

  for (int i = 0; i < needed; ++i) {
    if (*pos >= bytes.size()) return kReplacementCharacter;
    const uint8_t byte = static_cast<uint8_t>(bytes[*pos]);
    const bool valid = i == 0 ? byte >= low && byte <= high : IsContinuation(byte);
    // The offending byte is not consumed: it may start the next sequence.
    if (!valid) return kReplacementCharacter;
    code_point = (code_point << 6) | (byte & 0x3F);
    ++*pos;
  }
  return code_point;
}

void AppendUtf8(char32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

size_t CodePointCount(std::string_view bytes) {
  size_t count = 0;
  for (size_t pos = 0; pos < bytes.size(); ++count) NextCodePoint(bytes, &pos);
  return count;
}

std::string DecodeUtf8Replace(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    // ASCII runs are copied as they are: the common case, and cheap.
    if (static_cast<uint8_t>(bytes[pos]) < 0x80) {
      out.push_back(bytes[pos++]);
      continue;
    }
    // Re-encoding a well-formed code point gives back the same bytes.
    AppendUtf8(NextCodePoint(bytes, &pos), &out);
  }
  return out;
}

std::optional<Utf8Error> FindUtf8Error(std::string_view bytes, size_t from) {
  // NextCodePoint stops an ill-formed sequence at its maximal subpart, which
  // is also the range CPython's strict decoder reports
  // (Objects/unicodeobject.c unicode_decode_utf8: InvalidContinuation1..3,
  // "unexpected end of data" when the input ends inside a sequence).
  size_t pos = from;
  while (pos < bytes.size()) {
    const size_t start = pos;
    const uint8_t lead = static_cast<uint8_t>(bytes[pos]);
    if (lead < 0x80) {
      ++pos;
      continue;
    }
    const char32_t code_point = NextCodePoint(bytes, &pos);
    // A real U+FFFD is the well-formed EF BF BD; a replacement never is.
    if (code_point != kReplacementCharacter || bytes.substr(start, pos - start) == "\xEF\xBF\xBD") {
      continue;
    }
    Utf8Error error{start, pos, "invalid continuation byte"};
    if (lead < 0xC2 || lead > 0xF4) {
      error.reason = "invalid start byte";
    } else if (pos == bytes.size()) {
      error.reason = "unexpected end of data";
    }
    return error;
  }
  return std::nullopt;
}

std::string Utf8ErrorMessage(std::string_view bytes, const Utf8Error& error) {
  char buffer[160];
  if (error.end == error.start + 1) {
    std::snprintf(buffer, sizeof(buffer),
                  "'utf-8' codec can't decode byte 0x%02x in position %zu: ",
                  static_cast<uint8_t>(bytes[error.start]), error.start);
  } else {
    std::snprintf(buffer, sizeof(buffer),
                  "'utf-8' codec can't decode bytes in position %zu-%zu: ", error.start,
                  error.end - 1);
  }
  return std::string(buffer) + std::string(error.reason);
}

std::string Latin1ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) AppendUtf8(static_cast<uint8_t>(c), &out);
  return out;
}

}  // namespace corouter::http
