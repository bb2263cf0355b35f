#include "server/otlp/trace_context.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace corouter::otlp {
namespace {

int LowerHexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Reads 2 * out.size() lowercase hex digits of `text` at `pos`.
template <size_t N>
bool ReadHex(std::string_view text, size_t pos, std::array<uint8_t, N>& out) {
  for (size_t i = 0; i < N; ++i) {
    const int hi = LowerHexDigit(text[pos + 2 * i]);
    const int lo = LowerHexDigit(text[pos + 2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

template <size_t N>
bool AllZero(const std::array<uint8_t, N>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

template <size_t N>
std::string ToBytes(const std::array<uint8_t, N>& id) {
  return std::string(reinterpret_cast<const char*>(id.data()), N);
}

template <size_t N>
std::string ToHex(const std::array<uint8_t, N>& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * N, '0');
  for (size_t i = 0; i < N; ++i) {
    out[2 * i] = kDigits[id[i] >> 4];
    out[2 * i + 1] = kDigits[id[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::optional<ParentContext> ParseTraceparent(std::string_view value) {
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(absl::string_view(value.data(), value.size()));
  value = std::string_view(stripped.data(), stripped.size());
  // version "-" trace-id "-" parent-id "-" trace-flags: 2+1+32+1+16+1+2.
  constexpr size_t kLength = 55;
  if (value.size() < kLength) return std::nullopt;
  std::array<uint8_t, 1> version{};
  if (!ReadHex(value, 0, version) || version[0] == 0xff) return std::nullopt;
  if (version[0] == 0x00 ? value.size() != kLength
                         : value.size() > kLength && value[kLength] != '-') {
    return std::nullopt;
  }
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  ParentContext parent;
  std::array<uint8_t, 1> flags{};
  if (!ReadHex(value, 3, parent.trace_id) || !ReadHex(value, 36, parent.span_id) ||
      !ReadHex(value, 53, flags)) {
    return std::nullopt;
  }
  if (AllZero(parent.trace_id) || AllZero(parent.span_id)) return std::nullopt;
  parent.flags = flags[0];
  return parent;
}

IdGenerator::IdGenerator() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  engine_.seed(seed);
}

TraceId IdGenerator::NewTraceId() {
  TraceId id{};
  do {
    const uint64_t hi = engine_();
    const uint64_t lo = engine_();
    for (int i = 0; i < 8; ++i) {
      id[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
      id[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
    }
  } while (AllZero(id));
  return id;
}

SpanId IdGenerator::NewSpanId() {
  SpanId id{};
  do {
    const uint64_t v = engine_();
    for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  } while (AllZero(id));
  return id;
}

std::string Bytes(const TraceId& id) { return ToBytes(id); }
std::string Bytes(const SpanId& id) { return ToBytes(id); }
std::string Hex(const TraceId& id) { return ToHex(id); }
std::string Hex(const SpanId& id) { return ToHex(id); }

}  // namespace corouter::otlp
