// tests/fuzz/form.cc
//
// The form parsers (server/http/form_urlencoded.h, server/http/multipart.h,
// server/http/options_header.h). The first byte picks what the rest is:
//   0: an url-encoded body, parsed as it is: no crash, at most 1,000
//      fields, every name and value valid UTF-8;
//   1: a Content-Type value then (after the first '\n') a multipart body,
//      split by ParseOptionsHeader and parsed with its boundary and
//      charset: no crash; names, values and filenames valid UTF-8;
//   2: fields (split at '\0', each "name=value"), written as a multipart
//      body as any client writes one, and parsed back: the same fields,
//      each value decoded as UTF-8 or else Latin-1 (decode(encode(x)) ==
//      x), whatever bytes the values hold (no field at all: malformed, as
//      python-multipart finds the closing boundary alone);
//   3: the same fields percent-encoded byte by byte into an url-encoded
//      body: parsed back to the same fields, decoded as UTF-8 with U+FFFD.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/http/form_data.h"
#include "server/http/form_urlencoded.h"
#include "server/http/multipart.h"
#include "server/http/options_header.h"
#include "server/http/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace http = corouter::http;
using corouter::fuzz::Quote;

void CheckUtf8(const http::FormParseResult& result) {
  const auto* form = std::get_if<http::FormData>(&result);
  if (form == nullptr) return;
  FUZZ_CHECK(form->fields().size() <= static_cast<size_t>(2 * http::kMaxFormFields));
  for (const http::FormField& field : form->fields()) {
    FUZZ_CHECK(!http::FindUtf8Error(field.name).has_value()) << Quote(field.name);
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      FUZZ_CHECK(!http::FindUtf8Error(*text).has_value()) << Quote(*text);
    } else {
      const auto& file = std::get<http::UploadedFile>(field.value);
      FUZZ_CHECK(!http::FindUtf8Error(file.filename).has_value()) << Quote(file.filename);
    }
  }
}

std::vector<std::pair<std::string, std::string>> SplitFields(std::string_view data) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const absl::string_view piece :
       absl::StrSplit(absl::string_view(data.data(), data.size()), '\0')) {
    const std::pair<absl::string_view, absl::string_view> nv =
        absl::StrSplit(piece, absl::MaxSplits('=', 1));
    fields.emplace_back(std::string(nv.first), std::string(nv.second));
    if (fields.size() == 64) break;
  }
  return fields;
}

// A name a client can put in a quoted Content-Disposition parameter.
std::string SafeName(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto b = static_cast<uint8_t>(c);
    if (b >= 0x20 && b != 0x7F && c != '"' && c != '\\') out.push_back(c);
  }
  return out.empty() ? std::string("f") : out;
}

void MultipartRoundTrip(std::string_view data) {
  const std::string boundary = "----corouterFuzzBoundary7MA4YWxk";
  const std::string delimiter = "\r\n--" + boundary;
  std::string body;
  std::vector<std::pair<std::string, std::string>> want;
  for (auto& [name, value] : SplitFields(data)) {
    // A value holding the delimiter cannot be sent (RFC 2046 5.1.1: the
    // client picks a boundary that does not occur); leave such a field out.
    if (absl::StrContains(absl::string_view("\r\n" + value + "\r"), delimiter)) continue;
    const std::string safe = SafeName(name);
    absl::StrAppend(&body, "--", boundary, "\r\nContent-Disposition: form-data; name=\"", safe,
                    "\"\r\n\r\n", value, "\r\n");
    want.emplace_back(http::DecodeWithFallback(safe, http::Charset::kUtf8),
                      http::DecodeWithFallback(value, http::Charset::kUtf8));
  }
  absl::StrAppend(&body, "--", boundary, "--\r\n");
  const http::FormParseResult result = http::ParseMultipart(body, boundary, http::Charset::kUtf8);
  if (want.empty()) {
    // A form of no part: python-multipart wants CR LF after the first
    // boundary, so the closing one alone is malformed (FastAPI's 400).
    const auto* error = std::get_if<http::FormError>(&result);
    FUZZ_CHECK(error != nullptr && error->kind == http::FormError::Kind::kMalformed);
    return;
  }
  const auto* form = std::get_if<http::FormData>(&result);
  FUZZ_CHECK(form != nullptr) << std::get<http::FormError>(result).message << " for "
                              << Quote(body);
  FUZZ_CHECK(form->fields().size() == want.size())
      << form->fields().size() << " != " << want.size() << " for " << Quote(body);
  for (size_t i = 0; i < want.size(); ++i) {
    const http::FormField& got = form->fields()[i];
    FUZZ_CHECK(got.name == want[i].first) << Quote(got.name) << " != " << Quote(want[i].first);
    const auto* text = std::get_if<std::string>(&got.value);
    FUZZ_CHECK(text != nullptr && *text == want[i].second)
        << "field " << i << " of " << Quote(body);
  }
}

void UrlencodedRoundTrip(std::string_view data) {
  std::string body;
  std::vector<std::pair<std::string, std::string>> want;
  auto encode = [](std::string_view raw) {
    std::string out;
    for (const char c : raw) {
      out += absl::StrCat("%", absl::Hex(static_cast<uint8_t>(c), absl::kZeroPad2));
    }
    return out;
  };
  for (const auto& [name, value] : SplitFields(data)) {
    if (!body.empty()) body.push_back('&');
    absl::StrAppend(&body, encode(name), "=", encode(value));
    want.emplace_back(http::DecodeUtf8Replace(name), http::DecodeUtf8Replace(value));
  }
  if (body.size() > http::kMaxFormPartBytes) return;
  const http::FormParseResult result = http::ParseFormUrlencoded(body);
  const auto* form = std::get_if<http::FormData>(&result);
  FUZZ_CHECK(form != nullptr) << Quote(body);
  FUZZ_CHECK(form->fields().size() == want.size()) << Quote(body);
  for (size_t i = 0; i < want.size(); ++i) {
    const http::FormField& got = form->fields()[i];
    FUZZ_CHECK(got.name == want[i].first && std::get<std::string>(got.value) == want[i].second)
        << "field " << i << " of " << Quote(body);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0] % 4) {
    case 0:
      CheckUtf8(http::ParseFormUrlencoded(data));
      break;
    case 1: {
      const size_t newline = data.find('\n');
      const std::string_view content_type = data.substr(0, newline);
      const std::string_view body =
          newline == std::string_view::npos ? std::string_view() : data.substr(newline + 1);
      const http::OptionsHeader parsed = http::ParseOptionsHeader(content_type);
      auto boundary = parsed.params.find("boundary");
      auto charset = parsed.params.find("charset");
      CheckUtf8(http::ParseMultipart(body, boundary == parsed.params.end() ? "" : boundary->second,
                                     charset == parsed.params.end()
                                         ? http::Charset::kUtf8
                                         : http::CharsetNamed(charset->second)));
      break;
    }
    case 2:
      MultipartRoundTrip(data);
      break;
    case 3:
      UrlencodedRoundTrip(data);
      break;
  }
  return 0;
}
