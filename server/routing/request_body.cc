// server/routing/request_body.cc
#include "server/routing/request_body.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "server/http/form_urlencoded.h"
#include "server/http/multipart.h"
#include "server/http/options_header.h"

namespace corouter::routing {
namespace {

// str.isspace() for the latin-1 characters a header value decodes to:
// the C whitespace, \x1c..\x1f, U+0085 and U+00A0.
bool IsLatin1Space(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x20) || byte == 0x85 ||
         byte == 0xA0;
}

}  // namespace

bool IsJsonContentType(std::string_view content_type) {
  if (content_type.empty()) return true;  // `if not content_type_value`
  // email.message.Message.get_content_type(): _splitparam(value)[0] is the
  // text before the first ';', stripped; lowercased; anything but exactly
  // one '/' counts as "text/plain". Lowercasing latin-1 never produces ASCII
  // letters from other characters, so ASCII lowercasing decides the same.
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && IsLatin1Space(type.front())) type.remove_prefix(1);
  while (!type.empty() && IsLatin1Space(type.back())) type.remove_suffix(1);
  const std::string lower = absl::AsciiStrToLower(absl::string_view(type.data(), type.size()));
  const size_t slash = lower.find('/');
  if (slash == std::string::npos || lower.find('/', slash + 1) != std::string::npos) return false;
  const absl::string_view maintype = absl::string_view(lower).substr(0, slash);
  const absl::string_view subtype = absl::string_view(lower).substr(slash + 1);
  return maintype == "application" && (subtype == "json" || absl::EndsWith(subtype, "+json"));
}

BodyReadResult ReadRequestBody(const http::Headers& headers, std::string_view body) {
  RequestBody out;
  if (body.empty()) return out;  // `if body_bytes:`
  const std::optional<std::string_view> content_type = http::FindHeader(headers, "content-type");
  if (content_type.has_value() && !IsJsonContentType(*content_type)) {
    out.kind = RequestBody::Kind::kBytes;
    out.value = std::string(body);
    return out;
  }
  http::JsonLoadResult loaded = http::JsonLoads(body);
  if (auto* read_error = std::get_if<http::JsonReadError>(&loaded)) return std::move(*read_error);
  if (auto* decode_error = std::get_if<http::JsonDecodeError>(&loaded)) {
    // RequestValidationError([ErrorWrapper(e, ("body", e.pos))]): the ctx is
    // the exception's __dict__.
    const http::JsonDecodeError& e = *decode_error;
    return ValidationError{http::Json::array({"body", e.pos}), e.Message(),
                           "value_error.jsondecode",
                           http::Json{{"msg", e.msg},
                                      {"doc", e.doc},
                                      {"pos", e.pos},
                                      {"lineno", e.lineno},
                                      {"colno", e.colno}}};
  }
  out.kind = RequestBody::Kind::kJson;
  out.value = std::move(std::get<http::Json>(loaded));
  return out;
}

std::variant<RequestBody, http::FormError> ReadRequestForm(const http::Headers& headers,
                                                           std::string_view body) {
  const std::string_view content_type = http::FindHeader(headers, "content-type").value_or("");
  const http::OptionsHeader parsed = http::ParseOptionsHeader(content_type);
  http::FormParseResult form;
  if (parsed.value == "multipart/form-data") {
    auto boundary = parsed.params.find("boundary");
    if (boundary == parsed.params.end()) {
      return http::FormError{http::FormError::Kind::kRejected, "Missing boundary in multipart."};
    }
    auto charset = parsed.params.find("charset");
    form =
        http::ParseMultipart(body, boundary->second,
                             charset == parsed.params.end() ? http::Charset::kUtf8
                                                            : http::CharsetNamed(charset->second));
  } else if (parsed.value == "application/x-www-form-urlencoded") {
    form = http::ParseFormUrlencoded(body);
  }
  if (auto* error = std::get_if<http::FormError>(&form)) return std::move(*error);
  RequestBody out;
  out.kind = RequestBody::Kind::kForm;
  out.form = std::get<http::FormData>(std::move(form));
  return out;
}

http::Response FormErrorResponse(const http::FormError& error) {
  if (error.kind == http::FormError::Kind::kMalformed) return BodyParseErrorResponse();
  return http::JsonResponse(http::Json{{"detail", error.message}}, 400);
}

http::Response BodyParseErrorResponse() {
  return http::JsonResponse(http::Json{{"detail", "There was an error parsing the body"}}, 400);
}

}  // namespace corouter::routing
