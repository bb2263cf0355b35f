// server/http/response.cc
#include "server/http/response.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

// Python's float.__repr__ (Python/pystrtod.c format_float_short with mode 'r'
// and Py_DTSF_ADD_DOT_0): the shortest digit string that reads back as the
// same double, in fixed notation when -4 <= exponent < 16, else as
// d[.ddd]e±XX with at least two exponent digits. std::to_chars without a
// precision gives the same shortest digits (both pick the candidate nearest
// the exact value); only the layout differs, so it is redone here.
void AppendPythonFloatRepr(double value, std::string* out) {
  char buffer[64];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  // buffer holds "[-]d[.ddd]e(+|-)XX"; buffer is large enough for any double.
  std::string_view text(buffer, result.ptr - buffer);
  if (text.front() == '-') {
    out->push_back('-');
    text.remove_prefix(1);
  }
  const size_t e = text.find('e');
  std::string digits;
  for (const char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  const int digit_count = static_cast<int>(digits.size());

  if (exponent < -4 || exponent >= 16) {
    out->push_back(digits[0]);
    if (digit_count > 1) absl::StrAppend(out, ".", absl::string_view(digits).substr(1));
    absl::StrAppend(out, absl::StrFormat("e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent)));
    return;
  }
  // `point` digits come before the decimal point.
  const int point = exponent + 1;
  if (point <= 0) {
    absl::StrAppend(out, "0.", std::string(-point, '0'), digits);
  } else if (point >= digit_count) {
    absl::StrAppend(out, digits, std::string(point - digit_count, '0'), ".0");
  } else {
    absl::StrAppend(out, absl::string_view(digits).substr(0, point), ".",
                    absl::string_view(digits).substr(point));
  }
}

// json.encoder.py_encode_basestring (ensure_ascii=False):
//   ESCAPE = re.compile(r'[\x00-\x1f\\"\b\f\n\r\t]')
// with the short escapes for \\ " \b \f \n \r \t and '\\u{0:04x}' for the
// other control characters.
void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t pos = 0;
  while (pos < text.size()) {
    const uint8_t byte = static_cast<uint8_t>(text[pos]);
    if (byte >= 0x80) {
      AppendUtf8(NextCodePoint(text, &pos), out);
      continue;
    }
    ++pos;
    switch (byte) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (byte < 0x20) {
          absl::StrAppend(out, absl::StrFormat("\\u%04x", byte));
        } else {
          out->push_back(static_cast<char>(byte));
        }
    }
  }
  out->push_back('"');
}

absl::Status AppendJson(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::null:
      out->append("null");
      return absl::OkStatus();
    case Json::value_t::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return absl::OkStatus();
    case Json::value_t::number_integer:
      absl::StrAppend(out, value.get<int64_t>());
      return absl::OkStatus();
    case Json::value_t::number_unsigned:
      absl::StrAppend(out, value.get<uint64_t>());
      return absl::OkStatus();
    case Json::value_t::number_float: {
      const double number = value.get<double>();
      if (!std::isfinite(number)) {
        // json.dumps(allow_nan=False) raises exactly this ValueError.
        return absl::InvalidArgumentError("Out of range float values are not JSON compliant");
      }
      AppendPythonFloatRepr(number, out);
      return absl::OkStatus();
    }
    case Json::value_t::string:
      AppendJsonString(value.get_ref<const Json::string_t&>(), out);
      return absl::OkStatus();
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& element : value) {
        if (!first) out->push_back(',');
        first = false;
        if (absl::Status status = AppendJson(element, out); !status.ok()) return status;
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, element] : value.items()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(key, out);
        out->push_back(':');
        if (absl::Status status = AppendJson(element, out); !status.ok()) return status;
      }
      out->push_back('}');
      return absl::OkStatus();
    }
    case Json::value_t::binary:
      return absl::InvalidArgumentError("binary values are not JSON serializable");
    case Json::value_t::discarded:
      break;
  }
  return absl::InvalidArgumentError("discarded values are not JSON serializable");
}

// Starlette's Response.init_headers (starlette/responses.py): content-length
// first (unless the status has no body), then content-type, with
// "; charset=utf-8" appended to text/* types.
Response MakeResponse(int status_code, std::string body, std::string_view content_type) {
  Response response;
  response.status_code = status_code;
  if (IsBodyAllowedForStatus(status_code)) {
    response.headers.push_back({"content-length", absl::StrCat(body.size())});
    response.body = std::move(body);
  }
  if (!content_type.empty()) {
    response.headers.push_back({"content-type", std::string(content_type)});
  }
  return response;
}

}  // namespace

absl::StatusOr<std::string> SerializeJson(const Json& value) {
  std::string out;
  if (absl::Status status = AppendJson(value, &out); !status.ok()) return status;
  return out;
}

bool IsBodyAllowedForStatus(int status_code) {
  return !(status_code < 200 || status_code == 204 || status_code == 304);
}

Response JsonResponse(const Json& value, int status_code) {
  absl::StatusOr<std::string> body = SerializeJson(value);
  // JSONResponse.render raises ValueError.
  if (!body.ok()) throw JsonSerializationError(std::string(body.status().message()));
  return MakeResponse(status_code, *std::move(body), "application/json");
}

Response PlainTextResponse(std::string_view text, int status_code) {
  return MakeResponse(status_code, std::string(text), "text/plain; charset=utf-8");
}

Response EmptyResponse(int status_code) { return MakeResponse(status_code, "", ""); }

Response InternalServerError() { return PlainTextResponse("Internal Server Error", 500); }

}  // namespace corouter::http
