// tests/fuzz/request_target.cc
//
// ParseRequestTarget, PercentDecode, PercentDecodeToBytes and IsHttpToken
// (server/http/request_target.h) on arbitrary bytes, against models written
// from the header's contract:
//  - a target is accepted exactly when it is non-empty, starts with '/' and
//    holds only visible ASCII (0x21..0x7E, h11's vchar);
//  - raw_path / query are the target split at its first '?', and path is
//    PercentDecode(raw_path);
//  - PercentDecodeToBytes is urllib.parse.unquote_to_bytes (model below);
//  - PercentDecode is that, decoded as UTF-8 with "replace", and is always
//    valid UTF-8;
//  - IsHttpToken is a non-empty run of RFC 9110 tchar.
#include "server/http/request_target.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using corouter::fuzz::Quote;

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lib/urllib/parse.py unquote_to_bytes: split at '%'; each later item whose
// first two characters are hex digits becomes that byte and the rest of the
// item; otherwise '%' and the item are kept.
std::string ModelUnquoteToBytes(std::string_view s) {
  std::string out;
  size_t percent = s.find('%');
  out.append(s.substr(0, percent));
  while (percent != std::string_view::npos) {
    const size_t next = s.find('%', percent + 1);
    const std::string_view item = s.substr(
        percent + 1, next == std::string_view::npos ? std::string_view::npos : next - percent - 1);
    if (item.size() >= 2 && Hex(item[0]) >= 0 && Hex(item[1]) >= 0) {
      out.push_back(static_cast<char>(Hex(item[0]) * 16 + Hex(item[1])));
      out.append(item.substr(2));
    } else {
      out.push_back('%');
      out.append(item);
    }
    percent = next;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = corouter::http;
  const std::string_view in = corouter::fuzz::AsView(data, size);

  const std::string bytes = http::PercentDecodeToBytes(in);
  const std::string model = ModelUnquoteToBytes(in);
  FUZZ_CHECK(bytes == model) << "PercentDecodeToBytes(" << Quote(in) << ") = " << Quote(bytes)
                             << ", unquote_to_bytes gives " << Quote(model);
  const std::string text = http::PercentDecode(in);
  FUZZ_CHECK(corouter::fuzz::IsValidUtf8(text))
      << "PercentDecode(" << Quote(in) << ") = " << Quote(text) << " is not UTF-8";
  FUZZ_CHECK(text == http::DecodeUtf8Replace(model))
      << "PercentDecode(" << Quote(in) << ") = " << Quote(text);

  bool acceptable = !in.empty() && in.front() == '/';
  for (char c : in) acceptable = acceptable && c >= 0x21 && c <= 0x7E;
  const auto target = http::ParseRequestTarget(in);
  FUZZ_CHECK(target.ok() == acceptable)
      << "ParseRequestTarget(" << Quote(in) << "): " << target.status();
  if (target.ok()) {
    const size_t question = in.find('?');
    FUZZ_CHECK(target->raw_path == in.substr(0, question)) << Quote(target->raw_path);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : in.substr(question + 1);
    FUZZ_CHECK(target->query == query) << Quote(target->query);
    FUZZ_CHECK(target->path == http::PercentDecode(target->raw_path)) << Quote(target->path);
  } else {
    FUZZ_CHECK(absl::StartsWith(target.status().message(), "target: ")) << target.status();
  }

  FUZZ_CHECK(http::IsHttpToken(in) == corouter::fuzz::IsToken(in))
      << "IsHttpToken(" << Quote(in) << ")";
  return 0;
}
