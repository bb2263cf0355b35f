// server/http/response.h
//
// The HTTP response a path operation produces, and the ways FastAPI builds
// one: a JSON response (`JSONResponse`), a plain-text response, an empty one.
//
// FastAPI's JSONResponse (starlette/responses.py JSONResponse.render) writes
// `json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
// separators=(",", ":"))`: compact, UTF-8, key order kept, and NaN/Infinity
// rejected (which surfaces as a 500). Its headers are `content-length` then
// `content-type: application/json`. JsonResponse reproduces exactly that.
//
// Thread safety: plain values.
#ifndef COROUTER_SERVER_HTTP_RESPONSE_H_
#define COROUTER_SERVER_HTTP_RESPONSE_H_

#include <stdexcept>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "server/http/headers.h"

namespace corouter::http {

/// JSON values keep their key order (Python dicts keep insertion order).
using Json = nlohmann::ordered_json;

/// An HTTP response: status code, header fields in order, body bytes.
struct Response {
  int status_code = 200;
  Headers headers;
  std::string body;

  friend bool operator==(const Response&, const Response&) = default;
};

/// Serialises `value` as FastAPI's JSONResponse does (compact separators,
/// UTF-8 unescaped, key order kept). Returns INVALID_ARGUMENT when the value
/// holds NaN or an infinity (Python's `allow_nan=False` raises ValueError),
/// or a binary or discarded nlohmann value (no Python equivalent).
///
/// Byte for byte like Python's `json.dumps`:
///  - floats as Python's `repr(float)`: the shortest digits that round-trip,
///    fixed notation when the decimal exponent is in [-4, 16) and then always
///    with a fraction (`1.0`, `1e-05`, `1e+16`, `-0.0`);
///  - strings escape only `"`, `\`, and U+0000..U+001F (`\n`, `\r`, `\t`,
///    `\b`, `\f`, else `\u00xx` in lowercase hex); `/`, DEL and non-ASCII
///    are written as they are;
///  - invalid UTF-8 in a string or key is written as U+FFFD (utf8.h), so the
///    output is always valid UTF-8 (a Python str cannot hold such bytes).
absl::StatusOr<std::string> SerializeJson(const Json& value);

/// FastAPI's `is_body_allowed_for_status_code` (fastapi/utils.py): false for
/// 1xx, 204 and 304, whose responses carry no body.
bool IsBodyAllowedForStatus(int status_code);

/// What JsonResponse throws for a value it cannot serialise: the ValueError
/// of Python's `json.dumps(allow_nan=False)` ("Out of range float values are
/// not JSON compliant"). Left to propagate, it is answered as any unhandled
/// error (app::Engine): ServerErrorMiddleware's fresh 500, which carries none
/// of the headers the path operation meant to add to its response.
class JsonSerializationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A JSON response with `content-length` and `content-type:
/// application/json`, as FastAPI's JSONResponse. Throws
/// JsonSerializationError for a value that cannot be serialised (NaN, an
/// infinity), as JSONResponse.render raises.
/// For a status without a body (IsBodyAllowedForStatus) the value is still
/// serialised (so NaN still throws), but the body is empty and there is no
/// `content-length`, only `content-type`: Starlette's `init_headers` skips
/// content-length for those codes and FastAPI's request handler then sets
/// `response.body = b""` (the observed `status_code=204` row).
Response JsonResponse(const Json& value, int status_code = 200);

/// A response with `content-length` and `content-type: text/plain;
/// charset=utf-8` (Starlette's PlainTextResponse). For a status without a
/// body the text is dropped and there is no `content-length`.
Response PlainTextResponse(std::string_view text, int status_code);

/// Starlette's bare `Response(status_code=...)`: empty body, no content-type,
/// and `content-length: 0` unless the status has no body. FastAPI answers an
/// HTTPException(204) with it; a redirect is one plus a `location` header.
Response EmptyResponse(int status_code);

/// Starlette's ServerErrorMiddleware answer to an unhandled error: 500,
/// `text/plain; charset=utf-8`, body `Internal Server Error`.
Response InternalServerError();

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_RESPONSE_H_
