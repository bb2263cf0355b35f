// server/http/query_string.h
//
// Query-string parsing as Starlette does it (starlette/datastructures.py
// QueryParams): the raw bytes are decoded as latin-1 and passed to
// `urllib.parse.parse_qsl(qs, keep_blank_values=True)`:
//  - only '&' separates pairs (';' is an ordinary character);
//  - empty pieces (`a=1&&b=2`) are skipped;
//  - a piece is split at its first '='; a piece without '=' has value "";
//  - in both name and value '+' becomes a space, then `%XX` escapes are
//    decoded and the bytes read as UTF-8 with U+FFFD for invalid sequences
//    (invalid escapes kept literally).
// Because of the latin-1 step a raw byte >= 0x80 is the character
// U+0080..U+00FF ("\xe9" -> "é") while "%E9" is an invalid UTF-8 byte
// (-> U+FFFD). Request targets are ASCII (h11 rejects anything else), so only
// a query string that did not come through ParseRequestTarget can tell.
//
// Thread safety: pure functions and plain values.
#ifndef COROUTER_SERVER_HTTP_QUERY_STRING_H_
#define COROUTER_SERVER_HTTP_QUERY_STRING_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corouter::http {

/// Decoded (name, value) pairs in the order they appear; repeated names kept.
class QueryParams {
 public:
  using Pair = std::pair<std::string, std::string>;

  QueryParams() = default;
  explicit QueryParams(std::vector<Pair> pairs) : pairs_(std::move(pairs)) {}

  /// Parses a raw query string (without the leading '?').
  static QueryParams Parse(std::string_view raw);

  /// The last value of `name` (case-sensitive), or nullopt. Last wins, as
  /// Starlette's `QueryParams.__getitem__` (ImmutableMultiDict) returns it.
  std::optional<std::string_view> Last(std::string_view name) const;

  /// Every value of `name`, in order (Starlette's `getlist`).
  std::vector<std::string_view> All(std::string_view name) const;

  const std::vector<Pair>& pairs() const { return pairs_; }

 private:
  std::vector<Pair> pairs_;
};

/// `urllib.parse.unquote_plus(raw.decode("latin-1"))`, as UTF-8: '+' is a
/// space, `%XX` escapes are decoded and each run of them read as UTF-8 with
/// U+FFFD for invalid sequences, and a raw byte >= 0x80 is the character
/// U+0080..U+00FF. Starlette decodes query strings and url-encoded form
/// fields (starlette/formparsers.py FormParser) this way.
std::string UnquotePlusLatin1(std::string_view raw);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_QUERY_STRING_H_
