// server/routing/request_body.h
//
// How FastAPI 0.92 reads the body of a request whose path operation declares
// body parameters (fastapi/routing.py get_request_handler), before any
// parameter is validated:
//  - an empty body is no body at all (body parameters are then missing);
//  - with no content-type (or an empty one), `application/json` or
//    `application/<anything>+json` (email.message's parsing: parameters
//    dropped, surrounding whitespace stripped, case ignored, exactly one '/'),
//    the body is `json.loads(body)` (server/http/json_decode.h);
//  - any other content-type hands the raw bytes to the body parameters, which
//    then fail as pydantic fails on bytes (a model: "value is not a valid
//    dict").
// A JSONDecodeError ends the request at once with a 422 holding that single
// error: loc ["body", pos], msg str(error), type "value_error.jsondecode",
// ctx {"msg","doc","pos","lineno","colno"}. Bytes that are not text, or
// nesting too deep, end it with 400 {"detail":"There was an error parsing the
// body"}.
//
// A path operation with a Form() or File() parameter reads its body as a
// form instead (ReadRequestForm), as `await request.form()` does in
// Starlette 0.26 (starlette/requests.py Request._get_form): the first
// content-type, split by parse_options_header (server/http/options_header.h),
// picks the parser:
//  - `multipart/form-data`: server/http/multipart.h, with the boundary and
//    charset parameters; no boundary is 400 "Missing boundary in multipart.";
//  - `application/x-www-form-urlencoded`: server/http/form_urlencoded.h;
//  - anything else (JSON, none at all): an empty form, whose parameters are
//    then all missing.
// A malformed multipart body is FastAPI's 400 "There was an error parsing
// the body"; a limit or a part without a name is a 400 with Starlette's
// message as the detail.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_ROUTING_REQUEST_BODY_H_
#define COROUTER_SERVER_ROUTING_REQUEST_BODY_H_

#include <string_view>
#include <variant>

#include "server/http/form_data.h"
#include "server/http/headers.h"
#include "server/http/json_decode.h"
#include "server/http/response.h"
#include "server/routing/validation_error.h"

namespace corouter::routing {

/// The body as FastAPI hands it to the body parameters.
struct RequestBody {
  enum class Kind {
    kAbsent,  // no body (Python's None)
    kJson,    // `value` is the parsed document
    kBytes,   // `value` is a string holding the raw bytes
    kForm,    // `form` holds the fields (Starlette's FormData)
  };
  Kind kind = Kind::kAbsent;
  http::Json value;
  http::FormData form;
};

/// Whether a content-type value makes FastAPI parse the body as JSON (the
/// value as sent, before latin-1 decoding).
bool IsJsonContentType(std::string_view content_type);

/// The body, the 422 jsondecode error, or the read failure (400).
using BodyReadResult = std::variant<RequestBody, ValidationError, http::JsonReadError>;

/// Reads `body` as FastAPI does for a route with body parameters; the
/// content-type is the first `content-type` field of `headers`.
BodyReadResult ReadRequestBody(const http::Headers& headers, std::string_view body);

/// The body read as a form (kForm, possibly empty), or why it could not be.
std::variant<RequestBody, http::FormError> ReadRequestForm(const http::Headers& headers,
                                                           std::string_view body);

/// FastAPI's 400 for a FormError: the generic body-parse error for
/// kMalformed, {"detail": message} for kRejected.
http::Response FormErrorResponse(const http::FormError& error);

/// FastAPI's answer to a body it could not parse: 400
/// {"detail":"There was an error parsing the body"}.
http::Response BodyParseErrorResponse();

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_REQUEST_BODY_H_
