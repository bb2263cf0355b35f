// tests/fuzz/query_string.cc
//
// QueryParams::Parse (server/http/query_string.h) on arbitrary bytes,
// against a model of what Starlette does: `parse_qsl(raw.decode("latin-1"),
// keep_blank_values=True)`, written from CPython 3.11's Lib/urllib/parse.py
// (parse_qsl, unquote with its `_asciire` split: only runs of ASCII
// characters are unquoted and decoded as UTF-8 with "replace"; the other
// characters, here Latin-1 ones, are kept as they are). Also: every name and
// value is valid UTF-8, and Last / All agree with pairs().
#include "server/http/query_string.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/request_target.h"
#include "server/http/utf8.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace http = corouter::http;
using corouter::fuzz::Quote;

// urllib.parse.unquote(s) for s = piece.decode("latin-1") with '+' already
// replaced: ASCII runs through unquote_to_bytes + decode("utf-8",
// "replace"), other characters (bytes >= 0x80, i.e. U+0080..U+00FF) kept.
std::string ModelUnquote(std::string_view latin1) {
  if (latin1.find('%') == std::string_view::npos) return http::Latin1ToUtf8(latin1);
  std::string out;
  size_t i = 0;
  while (i < latin1.size()) {
    size_t j = i;
    const bool ascii = static_cast<unsigned char>(latin1[i]) < 0x80;
    while (j < latin1.size() && (static_cast<unsigned char>(latin1[j]) < 0x80) == ascii) ++j;
    const std::string_view run = latin1.substr(i, j - i);
    if (ascii) {
      out += http::DecodeUtf8Replace(http::PercentDecodeToBytes(run));
    } else {
      out += http::Latin1ToUtf8(run);
    }
    i = j;
  }
  return out;
}

std::vector<http::QueryParams::Pair> ModelParse(std::string_view raw) {
  std::vector<http::QueryParams::Pair> pairs;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t amp = raw.find('&', start);
    if (amp == std::string_view::npos) amp = raw.size();
    const std::string_view piece = raw.substr(start, amp - start);
    start = amp + 1;
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    std::string name(piece.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    for (char& c : name) c = c == '+' ? ' ' : c;
    for (char& c : value) c = c == '+' ? ' ' : c;
    pairs.emplace_back(ModelUnquote(name), ModelUnquote(value));
  }
  return pairs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw = corouter::fuzz::AsView(data, size);
  const http::QueryParams params = http::QueryParams::Parse(raw);
  const std::vector<http::QueryParams::Pair> model = ModelParse(raw);
  FUZZ_CHECK(params.pairs().size() == model.size())
      << Quote(raw) << ": " << params.pairs().size() << " pairs, parse_qsl gives " << model.size();
  for (size_t i = 0; i < model.size(); ++i) {
    const auto& [name, value] = params.pairs()[i];
    FUZZ_CHECK(name == model[i].first && value == model[i].second)
        << Quote(raw) << " pair " << i << ": (" << Quote(name) << ", " << Quote(value)
        << "), parse_qsl gives (" << Quote(model[i].first) << ", " << Quote(model[i].second) << ")";
    FUZZ_CHECK(corouter::fuzz::IsValidUtf8(name) && corouter::fuzz::IsValidUtf8(value))
        << Quote(raw) << " pair " << i;
  }
  // Last / All for the names of the first and last eight pairs: checking
  // every name made each run quadratic in the pair count, and long inputs
  // then took the target's time instead of the parser.
  for (size_t k = 0; k < model.size(); ++k) {
    if (k == 8 && model.size() > 16) k = model.size() - 8;
    const std::string& name = model[k].first;
    std::vector<std::string_view> expected;
    for (const auto& [n, v] : model) {
      if (n == name) expected.push_back(v);
    }
    const std::vector<std::string_view> all = params.All(name);
    FUZZ_CHECK(all == expected) << Quote(raw) << ": All(" << Quote(name) << ")";
    const auto last = params.Last(name);
    FUZZ_CHECK(last.has_value() && *last == expected.back())
        << Quote(raw) << ": Last(" << Quote(name) << ")";
  }
  return 0;
}
