// server/http/sendable_headers.h
//
// Whether a response's header fields can go out as an HTTP server would send
// them. Starlette encodes every name and value as Latin-1 when the response
// starts (starlette/responses.py Response.init_headers,
// starlette/datastructures.py MutableHeaders): a value with a character
// beyond U+00FF raises UnicodeEncodeError, and ServerErrorMiddleware answers
// with its plain-text 500. corouter reproduces that, and holds one more rule
// where uvicorn's behaviour is an accident of its parser: a field HTTP
// forbids (a name that is not a token, RFC 9110 5.1; a value with CR, LF, NUL
// or another control character but HTAB, RFC 9110 5.5) is the same 500,
// never bytes on the wire (uvicorn's httptools writer would send them as
// they are; its h11 writer raises).
//
// Values are UTF-8 in corouter (and on the gRPC wire): a Latin-1 character
// such as U+00E9 stands for the byte 0xE9 an HTTP server would send.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_SENDABLE_HEADERS_H_
#define COROUTER_SERVER_HTTP_SENDABLE_HEADERS_H_

#include "absl/status/status.h"
#include "server/http/headers.h"

namespace corouter::http {

/// OK when every field of `headers` can be sent. Otherwise INVALID_ARGUMENT
/// naming the first bad field and why, in Python's words for the Latin-1
/// case: "header x-price: 'latin-1' codec can't encode character '\u20ac' in
/// position 3: ordinal not in range(256)" (position: the code point's index
/// in the value).
absl::Status CheckSendable(const Headers& headers);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_SENDABLE_HEADERS_H_
