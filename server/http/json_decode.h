// server/http/json_decode.h
//
// Python's `json.loads(body_bytes)`, as Starlette's `Request.json()` calls it
// for FastAPI (fastapi/routing.py get_request_handler), with the same result
// or the same error, position for position:
//
//  1. the bytes are decoded as json.detect_encoding says (Lib/json/__init__.py):
//     UTF-8 (a UTF-8 BOM is skipped), or UTF-16 / UTF-32 when the BOM or
//     the pattern of zero bytes says so, all with errors="surrogatepass";
//  2. the text is scanned as CPython's C scanner does (Modules/_json.c
//     scan_once_unicode, _parse_object_unicode, _parse_array_unicode,
//     scanstring_unicode, _match_number_unicode): only " \t\n\r" is
//     whitespace; NaN, Infinity and -Infinity are accepted; duplicate keys
//     keep the first key's position and the last value; a syntax error is
//     json.JSONDecodeError with its message ("Expecting value", "Expecting ','
//     delimiter", "Expecting property name enclosed in double quotes",
//     "Expecting ':' delimiter", "Unterminated string starting at", "Invalid
//     control character at", "Invalid \\escape", "Invalid \\uXXXX escape",
//     "Extra data") and its position counted in code points.
//
// FastAPI answers a JSONDecodeError with a 422 whose ctx carries msg, doc,
// pos, lineno and colno; any other failure (bytes that do not decode, a
// RecursionError from deep nesting) with 400 "There was an error parsing the
// body".
//
// Differences (listed in README.md "Differences from FastAPI"):
//  - integers beyond 64 bits become floats (Python's ints are unbounded);
//  - a lone surrogate (an unpaired "\ud800" escape, or one the decoders pass
//    through) becomes U+FFFD: a Python str may hold it, UTF-8 text may not;
//  - nesting deeper than kMaxJsonDepth is the 400; Python's limit is its
//    recursion limit minus the interpreter's stack depth at the call (967
//    under uvicorn 0.17 with FastAPI 0.92, 970 under TestClient).
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_JSON_DECODE_H_
#define COROUTER_SERVER_HTTP_JSON_DECODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "server/http/response.h"

namespace corouter::http {

/// The deepest nesting of arrays and objects JsonLoads accepts (the value
/// observed under uvicorn).
inline constexpr int kMaxJsonDepth = 967;

/// json.JSONDecodeError's attributes, in the order Python sets them.
struct JsonDecodeError {
  std::string msg;  // "Expecting value"
  std::string doc;  // the decoded document, as UTF-8
  int64_t pos = 0;  // code points before the error
  int64_t lineno = 1;
  int64_t colno = 1;

  /// str(error): "Expecting value: line 1 column 1 (char 0)".
  std::string Message() const;
};

/// The body could not be read as JSON text at all (UnicodeDecodeError,
/// RecursionError): FastAPI's 400.
struct JsonReadError {
  std::string reason;  // for logs only
};

using JsonLoadResult = std::variant<Json, JsonDecodeError, JsonReadError>;

/// Python's `json.loads(bytes)`. Never throws.
JsonLoadResult JsonLoads(std::string_view bytes);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_JSON_DECODE_H_
