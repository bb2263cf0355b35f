// server/http/query_string.cc
#include "server/http/query_string.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_split.h"
#include "server/http/request_target.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

bool IsAscii(char c) { return static_cast<uint8_t>(c) < 0x80; }

}  // namespace

// `unquote(piece.replace("+", " "))` applied to the latin-1 decoding of the
// raw bytes. urllib.parse.unquote splits its str into runs of ASCII
// characters (`_asciire`), percent-decodes each run and decodes the result
// as UTF-8 with "replace"; other characters are copied. After the latin-1
// decode each raw byte >= 0x80 is the character U+0080..U+00FF, so it comes
// out as that character's UTF-8 encoding ("\xe9" -> "é"), and it ends any
// partial sequence before it ("%C3\xa9" -> U+FFFD then "é").
std::string UnquotePlusLatin1(std::string_view piece) {
  std::string out;
  out.reserve(piece.size());
  size_t pos = 0;
  while (pos < piece.size()) {
    if (!IsAscii(piece[pos])) {
      AppendUtf8(static_cast<uint8_t>(piece[pos]), &out);
      ++pos;
      continue;
    }
    const size_t end = std::find_if_not(piece.begin() + pos, piece.end(), IsAscii) - piece.begin();
    std::string run(piece.substr(pos, end - pos));
    std::replace(run.begin(), run.end(), '+', ' ');
    out += DecodeUtf8Replace(PercentDecodeToBytes(run));
    pos = end;
  }
  return out;
}

QueryParams QueryParams::Parse(std::string_view raw) {
  // urllib.parse.parse_qsl(qs, keep_blank_values=True) (Python 3.11):
  //   for name_value in qs.split("&"):
  //       if not name_value: continue
  //       nv = name_value.split("=", 1)
  //       if len(nv) != 2: nv.append("")
  //       r.append((unquote(nv[0].replace("+", " ")),
  //                 unquote(nv[1].replace("+", " "))))
  // Debian's absl::string_view is not std::string_view
  // (ABSL_OPTION_USE_STD_STRING_VIEW 0), hence the conversions.
  std::vector<Pair> pairs;
  for (const absl::string_view piece :
       absl::StrSplit(absl::string_view(raw.data(), raw.size()), '&', absl::SkipEmpty())) {
    // Splitting into a pair leaves the value empty when there is no '='.
    const std::pair<absl::string_view, absl::string_view> name_value =
        absl::StrSplit(piece, absl::MaxSplits('=', 1));
    pairs.emplace_back(UnquotePlusLatin1({name_value.first.data(), name_value.first.size()}),
                       UnquotePlusLatin1({name_value.second.data(), name_value.second.size()}));
  }
  return QueryParams(std::move(pairs));
}

std::optional<std::string_view> QueryParams::Last(std::string_view name) const {
  for (auto it = pairs_.rbegin(); it != pairs_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::All(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [pair_name, value] : pairs_) {
    if (pair_name == name) values.push_back(value);
  }
  return values;
}

}  // namespace corouter::http
