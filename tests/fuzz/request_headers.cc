// tests/fuzz/request_headers.cc
//
// CheckRequestHeaders and CheckRequestFieldValue (server/http/
// request_headers.h) against a model of the header's rules. The input is a
// list of fields, each repeated and its value repeated (so that a few
// hundred input bytes can reach the 100-field and 16 KiB limits):
//   repeat: 1 byte (1..40 copies of the field, fewer once the input has
//   crossed twice both limits), value_repeat: 2 bytes
//   (1..1200), name and value: FuzzedDataProvider random-length strings.
// Properties:
//  - OK exactly when the model says so; otherwise the message names the
//    first rule broken: a limit ("headers has" / "headers take") before any
//    field, then `headers[i].name` or `headers[i].value` of the first bad
//    field;
//  - a value is never quoted in a message (it may be a credential): masking
//    the values' accepted bytes leaves the message as it was;
//  - CheckRequestFieldValue agrees with the value rule, message "value ...".
#include "server/http/request_headers.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace http = corouter::http;
using corouter::fuzz::Quote;

// RFC 9110 5.5 (CR, LF, NUL) and h11's field_vchar (VT, FF). The model's
// own byte loops carry no coverage instrumentation: its comparisons, traced
// for every byte of values up to 16 KiB, took most of the run time and
// guide nothing in the code under test.
__attribute__((noinline, no_sanitize("coverage"))) bool ValueOk(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0' || c == '\x0b' || c == '\x0c') return false;
  }
  return true;
}

// Every byte ValueOk accepts becomes 'a'.
__attribute__((noinline, no_sanitize("coverage"))) void MaskAcceptedBytes(std::string& value) {
  for (char& c : value) c = ValueOk(std::string_view(&c, 1)) ? 'a' : c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  http::Headers headers;
  http::Headers distinct;  // each field once, however often it is repeated
  size_t total = 0;        // enough to cross both limits, and no more
  while (in.remaining_bytes() > 0 && headers.size() <= 2 * http::kMaxRequestHeaderFields &&
         total <= 2 * http::kMaxRequestHeaderBytes) {
    const int repeat = in.ConsumeIntegralInRange<int>(1, 40);
    const int value_repeat = in.ConsumeIntegralInRange<int>(1, 1200);
    std::string name = in.ConsumeRandomLengthString(80);
    const std::string piece = in.ConsumeRandomLengthString(80);
    std::string value;
    for (int i = 0; i < value_repeat && value.size() <= http::kMaxRequestHeaderBytes; ++i) {
      value += piece;
    }
    // Copies stop once both limits are crossed: more would only cost copying
    // time (a 16 KiB value 40 times made runs 10 times slower).
    for (int i = 0; i < repeat && total <= 2 * http::kMaxRequestHeaderBytes &&
                    headers.size() <= 2 * http::kMaxRequestHeaderFields;
         ++i) {
      headers.push_back({name, value});
      total += name.size() + value.size() + 4;
    }
    distinct.push_back({std::move(name), std::move(value)});
  }

  size_t bytes = 0;
  for (const http::Header& h : headers) bytes += h.name.size() + h.value.size() + 4;
  const bool too_many = headers.size() > http::kMaxRequestHeaderFields;
  const bool too_big = bytes > http::kMaxRequestHeaderBytes;
  std::string expected_prefix;  // empty: OK
  if (too_many) {
    expected_prefix = "headers has ";
  } else if (too_big) {
    expected_prefix = "headers take ";
  } else {
    for (size_t i = 0; i < headers.size(); ++i) {
      if (!corouter::fuzz::IsToken(headers[i].name)) {
        expected_prefix = absl::StrCat("headers[", i, "].name ");
        break;
      }
      if (!ValueOk(headers[i].value)) {
        expected_prefix = absl::StrCat("headers[", i, "].value ");
        break;
      }
    }
  }

  const absl::Status status = http::CheckRequestHeaders(headers);
  FUZZ_CHECK(status.ok() == expected_prefix.empty())
      << headers.size() << " fields, " << bytes << " bytes: " << status << "; expected "
      << (expected_prefix.empty() ? "OK" : expected_prefix);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument) << status;
    FUZZ_CHECK(absl::StartsWith(status.message(), expected_prefix))
        << status << "; expected a message starting " << Quote(expected_prefix);
    // No value is quoted (it may be a credential): with every byte of every
    // value that the rules accept replaced by 'a' (the refused ones, their
    // offsets and the sizes kept), the message is the same.
    http::Headers masked = headers;
    for (http::Header& h : masked) MaskAcceptedBytes(h.value);
    const absl::Status masked_status = http::CheckRequestHeaders(masked);
    FUZZ_CHECK(masked_status.message() == status.message())
        << status << " changes when the values' accepted bytes are masked: " << masked_status;
  }
  for (const http::Header& h : distinct) {
    const absl::Status value = http::CheckRequestFieldValue(h.value);
    FUZZ_CHECK(value.ok() == ValueOk(h.value)) << Quote(h.value) << ": " << value;
    if (!value.ok()) {
      FUZZ_CHECK(absl::StartsWith(value.message(), "value ")) << value;
    }
  }
  return 0;
}
