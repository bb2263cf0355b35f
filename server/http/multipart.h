// server/http/multipart.h
//
// A `multipart/form-data` body (RFC 7578) as Starlette 0.26 reads it
// (starlette/formparsers.py MultiPartParser over python-multipart 0.0.5's
// MultipartParser), the whole body being one chunk. FastAPI 0.92's answers
// depend on that parser's exact leniencies, so they are reproduced:
//  - CR and LF before the first boundary are skipped; the first line must
//    then be exactly `--BOUNDARY` CR LF (else kMalformed);
//  - a part's header names may hold only ASCII letters and '-' (a digit or
//    a space before the ':' is kMalformed); a CR inside a name ends the
//    headers, leaving the parser's boundary matching as far along as the
//    name was long (the data that follows comes out odd, NULs included,
//    exactly as python-multipart gives it; too far is an IndexError, a
//    kMalformed); a value loses its leading spaces (not tabs) and ends at CR,
//    which LF must follow;
//  - the data ends at CR LF `--BOUNDARY`; then CR LF starts the next part
//    and `--` ends the body (what follows is ignored); anything else keeps
//    the bytes as data;
//  - a body that stops before a part's closing boundary loses that part
//    (python-multipart's finalize checks nothing), so an empty body, or one
//    with no closing boundary at all, is an empty form;
//  - each part needs a Content-Disposition `name` (else kRejected 'The
//    Content-Disposition header field "name" must be provided.'); the last
//    Content-Disposition of a part counts; a `filename` (even "") makes the
//    part a file (UploadedFile), otherwise it is a str field;
//  - names, filenames and str values are decoded with the request's
//    `charset` parameter (default UTF-8) and, when that fails, as Latin-1
//    (Starlette's _user_safe_decode). UTF-8, ASCII and Latin-1 are known by
//    every name Python gives them; another charset is read as Latin-1
//    (docs/differences.md);
//  - Starlette's limits: 1,000 str fields, 1,000 files ("Too many fields.
//    Maximum number of fields is 1000.", "Too many files. ..."), and 1 MiB
//    per str part ("Part exceeded maximum size of 1024KB."), all kRejected.
// The boundary and charset come from the Content-Type
// (server/http/options_header.h); a missing boundary is the caller's
// "Missing boundary in multipart." (server/routing/request_body.h).
//
// Thread safety: pure functions.
#ifndef COROUTER_SERVER_HTTP_MULTIPART_H_
#define COROUTER_SERVER_HTTP_MULTIPART_H_

#include <string>
#include <string_view>

#include "server/http/form_data.h"

namespace corouter::http {

/// The text codecs a multipart charset can name, as Python's codec lookup
/// normalises the name ("UTF8", "utf_8", " utf-8 ", "cp65001" are UTF-8).
enum class Charset { kUtf8, kLatin1, kAscii, kOther };

/// Which codec `name` (the charset parameter's bytes, read as Latin-1)
/// names; kOther for any other, known to Python or not.
Charset CharsetNamed(std::string_view name);

/// `bytes.decode(charset)`, falling back to `bytes.decode("latin-1")` when
/// that fails (kOther always does here), as UTF-8.
std::string DecodeWithFallback(std::string_view bytes, Charset charset);

/// Parses `body` with the boundary `boundary` (bytes, as the Content-Type
/// gave it) and the charset `charset`.
FormParseResult ParseMultipart(std::string_view body, std::string_view boundary, Charset charset);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_MULTIPART_H_
