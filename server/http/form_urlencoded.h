// server/http/form_urlencoded.h
//
// An `application/x-www-form-urlencoded` body as Starlette 0.26 reads it
// (starlette/formparsers.py FormParser over python-multipart 0.0.5's
// QuerystringParser, non-strict), the whole body being one chunk:
//  - fields are separated by '&'; a ';' separates only when no '&' follows
//    it (the parser looks for '&' first, then for ';');
//  - runs of separators are skipped;
//  - a field is split at its first '='; a field without '=' followed by a
//    separator has the value "", but one at the very end of the body is
//    dropped (the parser never ends it);
//  - names and values are decoded as `unquote_plus(bytes.decode("latin-1"))`
//    (server/http/query_string.h UnquotePlusLatin1): '+' is a space, %XX
//    escapes are UTF-8 with U+FFFD, raw bytes >= 0x80 are Latin-1;
//  - Starlette's limits: over 1,000 fields is "Too many fields. Maximum
//    number of fields is 1000.", a field whose name and value pass 1 MiB is
//    "Field exceeded maximum size of 1024KB." (both FormError::kRejected).
// Unlike the query string (QueryParams::Parse), ';' can separate and a
// trailing bare name is lost: the two parsers differ in FastAPI too.
//
// Thread safety: a pure function.
#ifndef COROUTER_SERVER_HTTP_FORM_URLENCODED_H_
#define COROUTER_SERVER_HTTP_FORM_URLENCODED_H_

#include <string_view>

#include "server/http/form_data.h"

namespace corouter::http {

/// Parses a url-encoded form body: its fields (every value a str), or the
/// FormError::kRejected Starlette raises.
FormParseResult ParseFormUrlencoded(std::string_view body);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_FORM_URLENCODED_H_
