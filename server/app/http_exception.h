// server/app/http_exception.h
//
// HttpException: what a path operation throws to answer with an HTTP error,
// as FastAPI's `raise HTTPException(status_code, detail, headers)`. The engine
// turns it into FastAPI's http_exception_handler response
// (fastapi/exception_handlers.py): `{"detail": detail}` as JSON with the given
// headers; a status without a body (1xx, 204, 304) gets an empty one.
//
// Thread safety: plain value.
#ifndef COROUTER_SERVER_APP_HTTP_EXCEPTION_H_
#define COROUTER_SERVER_APP_HTTP_EXCEPTION_H_

#include <exception>
#include <string>

#include "server/http/headers.h"
#include "server/http/response.h"

namespace corouter::app {

class HttpException : public std::exception {
 public:
  /// `detail` defaults to the status's reason phrase ("Forbidden"), as
  /// Starlette's HTTPException uses http.HTTPStatus(code).phrase; for a code
  /// Python's HTTPStatus does not know (499) that raises ValueError, so such
  /// an exception answers 500 like any unhandled error.
  explicit HttpException(int status_code, http::Json detail = nullptr, http::Headers headers = {});

  int status_code() const { return status_code_; }
  const http::Json& detail() const { return detail_; }
  const char* what() const noexcept override { return what_.c_str(); }

  /// The response FastAPI sends for it: `{"detail": detail}` as JSON, or no
  /// body for 1xx, 204 and 304; the given headers first (names lowercased),
  /// then content-length and content-type unless given.
  http::Response ToResponse() const;

 private:
  int status_code_;
  bool phrase_missing_;
  http::Json detail_;
  http::Headers headers_;
  std::string what_;
};

/// Python's http.HTTPStatus(code).phrase ("Not Found"), or "" if unknown.
std::string_view ReasonPhrase(int status_code);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_HTTP_EXCEPTION_H_
