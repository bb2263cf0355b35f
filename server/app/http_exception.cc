#include "server/app/http_exception.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace corouter::app {

std::string_view ReasonPhrase(int status_code) {
  // Python 3.11's http.HTTPStatus phrases, all of them:
  // [(s.value, s.phrase) for s in http.HTTPStatus].
  switch (status_code) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 102:
      return "Processing";
    case 103:
      return "Early Hints";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 205:
      return "Reset Content";
    case 206:
      return "Partial Content";
    case 207:
      return "Multi-Status";
    case 208:
      return "Already Reported";
    case 226:
      return "IM Used";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 305:
      return "Use Proxy";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Requested Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 418:
      return "I'm a Teapot";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Entity";
    case 423:
      return "Locked";
    case 424:
      return "Failed Dependency";
    case 425:
      return "Too Early";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 451:
      return "Unavailable For Legal Reasons";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 506:
      return "Variant Also Negotiates";
    case 507:
      return "Insufficient Storage";
    case 508:
      return "Loop Detected";
    case 510:
      return "Not Extended";
    case 511:
      return "Network Authentication Required";
  }
  return "";
}

HttpException::HttpException(int status_code, http::Json detail, http::Headers headers)
    : status_code_(status_code),
      // Starlette: `if detail is None: detail = http.HTTPStatus(status_code).phrase`,
      // which raises ValueError for a code HTTPStatus does not know.
      phrase_missing_(detail.is_null() && ReasonPhrase(status_code).empty()),
      detail_(detail.is_null() ? http::Json(std::string(ReasonPhrase(status_code)))
                               : std::move(detail)),
      headers_(std::move(headers)),
      what_(absl::StrCat("HTTPException(", status_code, ", ", detail_.dump(), ")")) {}

http::Response HttpException::ToResponse() const {
  // HTTPException(499) without a detail fails in Python before it is raised:
  // the handler's error is then an ordinary unhandled one.
  if (phrase_missing_) return http::InternalServerError();
  // fastapi/exception_handlers.py http_exception_handler: a bare
  // Response(status_code, headers) when the status has no body (1xx, 204,
  // 304), else JSONResponse({"detail": detail}, status_code, headers).
  http::Response own = http::IsBodyAllowedForStatus(status_code_)
                           ? http::JsonResponse(http::Json{{"detail", detail_}}, status_code_)
                           : http::EmptyResponse(status_code_);
  // Starlette's init_headers: the given headers first, names lowercased; its
  // own content-length and content-type only when they were not given.
  http::Response response;
  response.status_code = own.status_code;
  response.body = std::move(own.body);
  for (const http::Header& h : headers_) {
    response.headers.push_back({absl::AsciiStrToLower(h.name), h.value});
  }
  for (http::Header& h : own.headers) {
    const bool given = std::any_of(response.headers.begin(), response.headers.end(),
                                   [&h](const http::Header& g) { return g.name == h.name; });
    if (!given) response.headers.push_back(std::move(h));
  }
  return response;
}

}  // namespace corouter::app
