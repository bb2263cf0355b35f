// tests/fuzz/json_roundtrip.cc
//
// SerializeJson (server/http/response.h), FastAPI's json.dumps, on JSON
// values built from the fuzzer's bytes (any double bit pattern, NaN and
// infinities included; signed and unsigned 64-bit integers; strings and keys
// of arbitrary bytes, invalid UTF-8 included; nesting; binary values), and
// the property Python guarantees: json.loads(json.dumps(x)) == x.
//  - SerializeJson refuses exactly the values that hold NaN, an infinity or
//    a binary value;
//  - what it writes is valid UTF-8, loads (JsonLoads) without error, and
//    loads back strictly equal to x with its strings' and keys' invalid
//    UTF-8 replaced by U+FFFD as the header says (keys that become equal
//    merge as Python's dict would: first key's place, last value);
//  - serialising the loaded value gives the same bytes (unless two invalid
//    keys of one object collided as U+FFFD: see the end of the function).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "server/http/json_decode.h"
#include "server/http/response.h"
#include "server/http/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace http = corouter::http;
using corouter::fuzz::Quote;
using corouter::fuzz::Show;

struct Builder {
  FuzzedDataProvider& in;
  int nodes = 0;

  std::string Text() {
    // Mostly short strings; a high bit set now and then makes invalid UTF-8.
    return in.ConsumeRandomLengthString(24);
  }

  http::Json Value(int depth) {
    ++nodes;
    const int kind = in.ConsumeIntegralInRange<int>(0, depth >= 12 || nodes > 200 ? 6 : 9);
    switch (kind) {
      case 0:
        return nullptr;
      case 1:
        return in.ConsumeBool();
      case 2:
        return in.ConsumeIntegral<int64_t>();
      case 3:
        return in.ConsumeIntegral<uint64_t>();
      case 4: {  // any bit pattern: NaN, infinities, subnormals, -0.0
        const uint64_t bits = in.ConsumeIntegral<uint64_t>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
      }
      case 5: {  // a "nice" float: small integers and short fractions
        const double d = in.ConsumeIntegralInRange<int>(-100000, 100000) /
                         static_cast<double>(in.ConsumeIntegralInRange<int>(1, 1000));
        return d;
      }
      case 6:
        return Text();
      case 7: {
        http::Json array = http::Json::array();
        const int n = in.ConsumeIntegralInRange<int>(0, 5);
        for (int i = 0; i < n; ++i) array.push_back(Value(depth + 1));
        return array;
      }
      case 8: {
        http::Json object = http::Json::object();
        const int n = in.ConsumeIntegralInRange<int>(0, 5);
        for (int i = 0; i < n; ++i) {
          std::string key = Text();
          object[key] = Value(depth + 1);
        }
        return object;
      }
      default: {
        if (in.ConsumeIntegralInRange<int>(0, 7) != 0) return Text();
        const std::string bytes = in.ConsumeRandomLengthString(8);
        return http::Json::binary(std::vector<uint8_t>(bytes.begin(), bytes.end()));
      }
    }
  }
};

// No NaN, infinity or binary value anywhere in x (a later value for the same
// key replaces an earlier one, so this is asked of the finished value).
bool Serialisable(const http::Json& x) {
  if (x.is_binary() || x.is_discarded()) return false;
  if (x.is_number_float()) return std::isfinite(x.get<double>());
  if (x.is_structured()) {
    for (const http::Json& item : x) {
      if (!Serialisable(item)) return false;
    }
  }
  return true;
}

// x as json.loads(json.dumps(x)) should give it back: invalid UTF-8
// replaced, keys that then collide merged as a dict merges them.
// `*merged` is set when two keys of one object became equal.
http::Json Normalised(const http::Json& x, bool* merged) {
  if (x.is_string()) return http::DecodeUtf8Replace(x.get_ref<const std::string&>());
  if (x.is_array()) {
    http::Json out = http::Json::array();
    for (const http::Json& item : x) out.push_back(Normalised(item, merged));
    return out;
  }
  if (x.is_object()) {
    http::Json out = http::Json::object();
    for (const auto& item : x.items()) {
      out[http::DecodeUtf8Replace(item.key())] = Normalised(item.value(), merged);
    }
    if (out.size() != x.size()) *merged = true;
    return out;
  }
  return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Builder builder{in};
  const http::Json x = builder.Value(0);

  const absl::StatusOr<std::string> dumped = http::SerializeJson(x);
  FUZZ_CHECK(dumped.ok() == Serialisable(x))
      << "SerializeJson(" << Show(x) << "): " << dumped.status();
  if (!dumped.ok()) {
    FUZZ_CHECK(dumped.status().code() == absl::StatusCode::kInvalidArgument) << dumped.status();
    return 0;
  }
  FUZZ_CHECK(corouter::fuzz::IsValidUtf8(*dumped)) << Quote(*dumped) << " is not UTF-8";
  http::JsonLoadResult loaded = http::JsonLoads(*dumped);
  const http::Json* back = std::get_if<http::Json>(&loaded);
  FUZZ_CHECK(back != nullptr) << Show(x) << " dumps as " << Quote(*dumped) << ", which loads as "
                              << (std::holds_alternative<http::JsonDecodeError>(loaded)
                                      ? std::get<http::JsonDecodeError>(loaded).Message()
                                      : "a read error");
  bool merged = false;
  const http::Json expected = Normalised(x, &merged);
  FUZZ_CHECK(corouter::fuzz::StrictEqual(*back, expected))
      << Show(x) << " dumps as " << Quote(*dumped) << " and loads back as " << Show(*back);
  // Serialising what was loaded gives the same bytes, unless invalid keys
  // collided: {"\xff": 1, "\xfe": 2} is written {"\ufffd":1,"\ufffd":2}
  // (a duplicate key, which Python's str keys can never produce) and loads
  // as {"\ufffd": 2}.
  const absl::StatusOr<std::string> again = http::SerializeJson(*back);
  FUZZ_CHECK(again.ok() && (merged || *again == *dumped))
      << Quote(*dumped) << " re-serialises as " << (again.ok() ? Quote(*again) : "an error");
  return 0;
}
