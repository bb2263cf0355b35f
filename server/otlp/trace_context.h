// server/otlp/trace_context.h
//
// W3C Trace Context (https://www.w3.org/TR/trace-context/, Level 1): the
// `traceparent` a caller sends so that the spans of its request continue its
// trace, and the ids of new spans.
//
//   traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//                ^^ version  ^^ trace-id (16 bytes)  ^^ parent-id    ^^ flags
//
// Thread safety: plain functions and values; an IdGenerator is used by one
// thread (the exporter's).
#ifndef COROUTER_SERVER_OTLP_TRACE_CONTEXT_H_
#define COROUTER_SERVER_OTLP_TRACE_CONTEXT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace corouter::otlp {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

/// A caller's span, as its traceparent names it.
struct ParentContext {
  TraceId trace_id{};
  SpanId span_id{};
  /// W3C trace-flags; bit 0 is "sampled".
  uint8_t flags = 0;
  bool sampled() const { return (flags & 0x01) != 0; }
};

/// Parses a traceparent header value as section 3.2 and 4.3 of the
/// recommendation say a receiver must: version 00 is exactly
/// "00-<32 hex>-<16 hex>-<2 hex>" in lowercase hex; a higher version may be
/// longer if a '-' follows the four fields (they are read as version 00's);
/// version ff, uppercase hex, an all-zero trace-id or parent-id are invalid.
/// Leading and trailing blanks (optional whitespace, RFC 9110 5.6.3) are
/// ignored. Returns nullopt when invalid: the request then starts a new
/// trace, and its tracestate is ignored too (section 3.3.1.1).
std::optional<ParentContext> ParseTraceparent(std::string_view value);

/// Random, non-zero trace and span ids (section 3.2.2.3 and 3.2.2.4).
class IdGenerator {
 public:
  /// Seeded from std::random_device.
  IdGenerator();
  TraceId NewTraceId();
  SpanId NewSpanId();

 private:
  std::mt19937_64 engine_;
};

/// The ids as OTLP's `bytes` fields carry them (big-endian, as in the hex).
std::string Bytes(const TraceId& id);
std::string Bytes(const SpanId& id);

/// Lowercase hex, as in a traceparent.
std::string Hex(const TraceId& id);
std::string Hex(const SpanId& id);

}  // namespace corouter::otlp

#endif  // COROUTER_SERVER_OTLP_TRACE_CONTEXT_H_
