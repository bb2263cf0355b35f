// tests/fuzz/json_loads.cc
//
// JsonLoads (server/http/json_decode.h), Python's json.loads(bytes), on
// arbitrary bytes. It must never throw, and:
//  - a JSONDecodeError's attributes are consistent as Python computes them
//    (Lib/json/decoder.py JSONDecodeError.__init__): 0 <= pos <= len(doc),
//    lineno = doc.count('\n', 0, pos) + 1, colno = pos - doc.rfind('\n', 0,
//    pos), Message() = "%s: line %d column %d (char %d)"; and doc is the
//    input itself when the input is UTF-8 text (no BOM, no UTF-16/32
//    pattern of zero bytes);
//  - a loaded value holds only valid UTF-8, serialises (SerializeJson)
//    unless it holds NaN or an infinity, and loads back equal to itself
//    (strictly: ints stay ints, floats bit for bit) and re-serialises to the
//    same bytes;
//  - differential: every document nlohmann::json accepts (strict RFC 8259)
//    is one Python accepts too, with the same value, unless it nests deeper
//    than kMaxJsonDepth (then it is the 400's JsonReadError).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "absl/strings/str_format.h"
#include "server/http/json_decode.h"
#include "server/http/response.h"
#include "server/http/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace http = corouter::http;
using corouter::fuzz::Quote;
using corouter::fuzz::Show;

int Depth(const http::Json& v) {
  if (!v.is_structured()) return 0;
  int deepest = 0;
  for (const http::Json& child : v) deepest = std::max(deepest, Depth(child));
  return deepest + 1;
}

bool AllFinite(const http::Json& v) {
  if (v.is_number_float()) return std::isfinite(v.get<double>());
  if (v.is_structured()) {
    for (const http::Json& child : v) {
      if (!AllFinite(child)) return false;
    }
  }
  return true;
}

bool AllUtf8(const http::Json& v) {
  if (v.is_string()) return corouter::fuzz::IsValidUtf8(v.get_ref<const std::string&>());
  if (v.is_object()) {
    for (const auto& item : v.items()) {
      if (!corouter::fuzz::IsValidUtf8(item.key()) || !AllUtf8(item.value())) return false;
    }
  } else if (v.is_array()) {
    for (const http::Json& child : v) {
      if (!AllUtf8(child)) return false;
    }
  }
  return true;
}

// Equal as values: numbers compared by value (nlohmann keeps a big integer
// as uint64 or float where Python would keep an int: both are numbers).
bool SameValue(const http::Json& a, const http::Json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) return corouter::fuzz::StrictEqual(a, b);
    return a.get<double>() == b.get<double>();
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    auto i = a.items().begin();
    auto j = b.items().begin();
    for (; i != a.items().end(); ++i, ++j) {
      if (i.key() != j.key() || !SameValue(i.value(), j.value())) return false;
    }
    return true;
  }
  return a == b;
}

// json.detect_encoding picks UTF-8 (no BOM).
bool PlainUtf8(std::string_view in) {
  if (in.size() >= 3 && in.substr(0, 3) == "\xEF\xBB\xBF") return false;
  if (in.size() >= 2 && (in.substr(0, 2) == "\xFF\xFE" || in.substr(0, 2) == "\xFE\xFF")) {
    return false;
  }
  if ((in.size() >= 4 || in.size() == 2) && (in[0] == '\0' || in[1] == '\0')) return false;
  return corouter::fuzz::IsValidUtf8(in);
}

void CheckDecodeError(std::string_view in, const http::JsonDecodeError& e) {
  const int64_t length = static_cast<int64_t>(http::CodePointCount(e.doc));
  FUZZ_CHECK(e.pos >= 0 && e.pos <= length) << Quote(in) << ": pos " << e.pos << " of " << length;
  // The line and column of code point `pos`.
  int64_t lineno = 1, last_newline = -1, index = 0;
  for (size_t byte = 0; byte < e.doc.size() && index < e.pos; ++index) {
    if (e.doc[byte] == '\n') {
      ++lineno;
      last_newline = index;
    }
    http::NextCodePoint(e.doc, &byte);
  }
  FUZZ_CHECK(e.lineno == lineno && e.colno == e.pos - last_newline)
      << Quote(in) << ": " << e.Message() << ", expected line " << lineno << " column "
      << e.pos - last_newline;
  const std::string message =
      absl::StrFormat("%s: line %d column %d (char %d)", e.msg, e.lineno, e.colno, e.pos);
  FUZZ_CHECK(e.Message() == message) << e.Message();
  if (PlainUtf8(in)) FUZZ_CHECK(e.doc == in) << Quote(in) << ": doc " << Quote(e.doc);
}

void CheckRoundTrip(std::string_view in, const http::Json& value) {
  FUZZ_CHECK(AllUtf8(value)) << Quote(in) << " loads as " << Show(value);
  const absl::StatusOr<std::string> dumped = http::SerializeJson(value);
  FUZZ_CHECK(dumped.ok() == AllFinite(value))
      << Quote(in) << ": SerializeJson(" << Show(value) << "): " << dumped.status();
  if (!dumped.ok()) return;
  http::JsonLoadResult again = http::JsonLoads(*dumped);
  const http::Json* back = std::get_if<http::Json>(&again);
  FUZZ_CHECK(back != nullptr) << Quote(in) << ": dumps gave " << Quote(*dumped)
                              << ", which does not load";
  FUZZ_CHECK(corouter::fuzz::StrictEqual(value, *back))
      << Quote(in) << ": " << Show(value) << " -> " << Quote(*dumped) << " -> " << Show(*back);
  const absl::StatusOr<std::string> twice = http::SerializeJson(*back);
  FUZZ_CHECK(twice.ok() && *twice == *dumped) << Quote(*dumped) << " vs " << twice.status();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in = corouter::fuzz::AsView(data, size);
  http::JsonLoadResult result = http::JsonLoads(in);
  if (auto* error = std::get_if<http::JsonDecodeError>(&result)) CheckDecodeError(in, *error);
  if (auto* value = std::get_if<http::Json>(&result)) CheckRoundTrip(in, *value);

  // Differential: strict RFC 8259 documents (nlohmann's parser, no
  // exceptions; it skips a UTF-8 BOM as Python's utf-8-sig does). Not with
  // a NUL byte: nlohmann's lexer takes one for the end of the input.
  if (PlainUtf8(in) && in.find('\0') == std::string_view::npos) {
    const http::Json reference = http::Json::parse(in.begin(), in.end(), nullptr, false);
    if (!reference.is_discarded()) {
      const int depth = Depth(reference);
      if (depth > http::kMaxJsonDepth) {
        FUZZ_CHECK(std::holds_alternative<http::JsonReadError>(result))
            << "depth " << depth << " accepted";
      } else {
        const http::Json* value = std::get_if<http::Json>(&result);
        FUZZ_CHECK(value != nullptr)
            << Quote(in) << " is RFC 8259 JSON (depth " << depth << ") but json.loads fails: "
            << (std::holds_alternative<http::JsonDecodeError>(result)
                    ? std::get<http::JsonDecodeError>(result).Message()
                    : std::get<http::JsonReadError>(result).reason);
        FUZZ_CHECK(SameValue(*value, reference))
            << Quote(in) << ": " << Show(*value) << ", nlohmann reads " << Show(reference);
      }
    }
  }
  return 0;
}
