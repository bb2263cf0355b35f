// server/http/request_headers.h
//
// Whether a request's header fields are ones an HTTP server would have
// received: the gRPC front checks them before the engine runs (see
// app::Engine::Validate), so that an app never sees a field that no HTTP
// request can carry (and that uvicorn refuses with its 400).
//
// A request's values are octets: the bytes of a value are the bytes an HTTP
// server would have read, which the engine decodes as Latin-1 as Starlette
// does (so a gRPC client's UTF-8 "\xc3\xa9" reads as "Ã©", as it would from
// an HTTP client sending UTF-8; gRPC's proto3 `string` makes the wire bytes
// valid UTF-8, nothing here requires it).
//
// The rules, field by field (index i counts from 0, in the order given):
//  - the name is an RFC 9110 token (section 5.1, field-name = token; tchar,
//    section 5.6.2); the empty name is not a token;
//  - the value has no CR, LF or NUL (RFC 9110 5.5: "Field values containing
//    CR, LF, or NUL characters are invalid and dangerous"), and no VT (0x0B)
//    or FF (0x0C): h11 0.14, uvicorn's pure-Python parser, refuses them too
//    (h11/_abnf.py: field_vchar = [^\x00\s], and only SP and HTAB between
//    them; Python's bytes `\s` is [ \t\n\r\f\v]).
//  Accepted as h11 accepts them: every other control byte (0x01..0x08,
//  0x0E..0x1F, 0x7F; h11 issue #57: real cookies hold \x01), obs-text
//  (0x80..0xFF, RFC 9110 5.5), and SP/HTAB anywhere, leading and trailing
//  included (an HTTP parser strips those as OWS, and so does app::Engine
//  before the app reads them).
//
// And the header block as a whole stays within the limits below.
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_REQUEST_HEADERS_H_
#define COROUTER_SERVER_HTTP_REQUEST_HEADERS_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "server/http/headers.h"

namespace corouter::http {

/// The most header fields a request may have: Apache httpd's default
/// `LimitRequestFields 100` (h11 and httptools count none; the byte limit
/// below bounds them there).
inline constexpr std::size_t kMaxRequestHeaderFields = 100;

/// The most bytes a request's header fields may take, counted as an
/// HTTP/1.1 header block: for each field the bytes of its name and value
/// plus 4 for the ": " and CRLF of its line. 16 KiB is the limit uvicorn
/// runs h11 with (h11 0.14 h11/_connection.py:
/// DEFAULT_MAX_INCOMPLETE_EVENT_SIZE = 16 * 1024; uvicorn 0.17.6
/// h11_impl.py creates `h11.Connection(h11.SERVER)`, so the default holds):
/// a request head still incomplete beyond it raises RemoteProtocolError
/// (status hint 431), which uvicorn 0.17.6 answers with its 400. h11 counts
/// the request line too, and checks only a head still incomplete after a
/// read (a 40 KB head that arrives whole in one read passes); corouter
/// states one firm limit on the fields alone and leaves the target to its
/// own check.
inline constexpr std::size_t kMaxRequestHeaderBytes = 16 * 1024;

/// OK when `value` follows the value rules above. Otherwise INVALID_ARGUMENT
/// with a message that starts with "value " and names the first byte
/// refused, its offset (from 0) and the rule, never quoting the value (it
/// may be a credential): `value has CR (0x0D) at byte 3; a field value must
/// not contain CR, LF or NUL (RFC 9110 5.5)`.
absl::Status CheckRequestFieldValue(std::string_view value);

/// OK when every field of `headers` follows the rules above and the block is
/// within kMaxRequestHeaderFields and kMaxRequestHeaderBytes. Otherwise
/// INVALID_ARGUMENT for the first rule broken (the limits are checked first),
/// with a message that names the field by its index, the part and the rule:
///   `headers[2].name "x:y" is not an HTTP field name token (RFC 9110 5.1)`
///   `headers[0].value has CR (0x0D) at byte 3; ...` (as
///    CheckRequestFieldValue words it, after "headers[0].")
///   `headers has 101 fields; at most 100 are accepted ...`
/// A name is quoted C-escaped (a control or non-ASCII byte as \xNN), its
/// first 64 bytes only.
absl::Status CheckRequestHeaders(const Headers& headers);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_REQUEST_HEADERS_H_
