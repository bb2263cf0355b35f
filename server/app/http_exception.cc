#include "server/app/http_exception.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace corouter::app {

std::string_view ReasonPhrase(int status_code) {
  // Python's http.HTTPStatus phrases (RFC 9110 section 15).
  switch (status_code) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
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
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 418:
      return "I'm a Teapot";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
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
  }
  return "";
}

HttpException::HttpException(int status_code, http::Json detail, http::Headers headers)
    : status_code_(status_code),
      detail_(detail.is_null() ? http::Json(std::string(ReasonPhrase(status_code)))
                               : std::move(detail)),
      headers_(std::move(headers)),
      what_(absl::StrCat("HTTPException(", status_code, ", ", detail_.dump(), ")")) {}

http::Response HttpException::ToResponse() const {
  http::Response response;
  // Starlette sends no body for 1xx, 204 and 304 (responses.py init_headers).
  if (status_code_ < 200 || status_code_ == 204 || status_code_ == 304) {
    response.status_code = status_code_;
  } else {
    response = http::JsonResponse(http::Json{{"detail", detail_}}, status_code_);
  }
  // Starlette's init_headers puts the given headers first, then its own
  // content-length and content-type; names are lowercased on the wire.
  http::Headers headers;
  for (const http::Header& h : headers_)
    headers.push_back({absl::AsciiStrToLower(h.name), h.value});
  headers.insert(headers.end(), response.headers.begin(), response.headers.end());
  response.headers = std::move(headers);
  return response;
}

}  // namespace corouter::app
