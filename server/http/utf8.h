// server/http/utf8.h
//
// UTF-8 decoding with Python's "replace" error handler. Python decodes
// request paths, query strings and JSON text this way, and never produces
// invalid UTF-8; corouter's text is byte strings, so every place where Python
// would have decoded bytes calls these functions to get the same characters.
//
// Python's UTF-8 decoder (Objects/stringlib/codecs.h) replaces each *maximal
// subpart* of an ill-formed sequence with one U+FFFD, as Unicode's "best
// practice" (Unicode 14, section 3.9, U+FFFD substitution) recommends:
//  - b"\xff", b"\x80", b"\xc0": one U+FFFD each (bytes that never start a
//    sequence);
//  - b"\xe2\x82" then end or a non-continuation byte: one U+FFFD for both;
//  - b"\xed\xa0\x80" (an encoded surrogate): three U+FFFD, since 0xED may only
//    be followed by 0x80..0x9F;
//  - b"\xf4\x90\x80\x80" (beyond U+10FFFF): four U+FFFD.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_UTF8_H_
#define COROUTER_SERVER_HTTP_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace corouter::http {

/// The replacement character U+FFFD.
inline constexpr char32_t kReplacementCharacter = U'\uFFFD';

/// Decodes the code point starting at `bytes[*pos]` and advances `*pos` past
/// it. An ill-formed sequence yields U+FFFD and advances past its maximal
/// subpart (at least one byte). Requires `*pos < bytes.size()`.
char32_t NextCodePoint(std::string_view bytes, size_t* pos);

/// Appends the UTF-8 encoding of `code_point` (which must be a Unicode scalar
/// value: at most U+10FFFF and not a surrogate) to `out`.
void AppendUtf8(char32_t code_point, std::string* out);

/// Python's `len()` of the str `bytes.decode("utf-8", "replace")`: the
/// number of code points, each ill-formed subpart counting as one.
size_t CodePointCount(std::string_view bytes);

/// Python's `bytes.decode("utf-8", "replace")`, re-encoded as UTF-8: valid
/// input is returned unchanged; each ill-formed subpart becomes U+FFFD.
std::string DecodeUtf8Replace(std::string_view bytes);

/// Where Python's strict `bytes.decode("utf-8")` stops, as its
/// UnicodeDecodeError reports it: the bytes [start, end) of the first
/// ill-formed subpart and the reason ("invalid start byte", "invalid
/// continuation byte" or "unexpected end of data").
struct Utf8Error {
  size_t start = 0;
  size_t end = 0;
  std::string_view reason;
};

/// The first ill-formed subpart of `bytes` at or after `from`, or
/// `std::nullopt` when the rest is well-formed UTF-8.
std::optional<Utf8Error> FindUtf8Error(std::string_view bytes, size_t from = 0);

/// `str(UnicodeDecodeError)` for `error` in `bytes`:
/// "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
/// or "... decode bytes in position 0-1: ..." when it spans several bytes
/// (Objects/exceptions.c UnicodeDecodeError_str).
std::string Utf8ErrorMessage(std::string_view bytes, const Utf8Error& error);

/// Python's `bytes.decode("latin-1")` re-encoded as UTF-8: each byte is the
/// code point of the same value. Starlette reads header values this way.
std::string Latin1ToUtf8(std::string_view bytes);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_UTF8_H_
