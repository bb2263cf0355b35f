#include "server/routing/path_template.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/http/response.h"
#include "server/routing/coercion.h"

namespace corouter::routing {
namespace {

bool IsIdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdent(char c) { return absl::ascii_isalnum(c) || c == '_'; }

bool ParseConverter(std::string_view name, Converter* out) {
  if (name == "str")
    *out = Converter::kStr;
  else if (name == "path")
    *out = Converter::kPath;
  else if (name == "int")
    *out = Converter::kInt;
  else if (name == "float")
    *out = Converter::kFloat;
  else if (name == "uuid")
    *out = Converter::kUuid;
  else
    return false;
  return true;
}

bool IsLowerHex(char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); }

// The lengths of every prefix of `s` that the converter's regex matches as a
// whole, longest first (Python's greedy backtracking order).
std::vector<size_t> Candidates(Converter converter, std::string_view s) {
  std::vector<size_t> out;
  switch (converter) {
    case Converter::kStr: {  // [^/]+
      size_t n = 0;
      while (n < s.size() && s[n] != '/') ++n;
      for (size_t len = n; len >= 1; --len) out.push_back(len);
      break;
    }
    case Converter::kPath: {  // .* (no DOTALL: '.' does not match '\n')
      size_t n = 0;
      while (n < s.size() && s[n] != '\n') ++n;
      for (size_t len = n + 1; len-- > 0;) out.push_back(len);
      break;
    }
    case Converter::kInt: {  // [0-9]+
      size_t n = 0;
      while (n < s.size() && absl::ascii_isdigit(s[n])) ++n;
      for (size_t len = n; len >= 1; --len) out.push_back(len);
      break;
    }
    case Converter::kFloat: {  // [0-9]+(\.[0-9]+)?
      size_t n = 0;
      while (n < s.size() && absl::ascii_isdigit(s[n])) ++n;
      if (n == 0) break;
      if (n + 1 < s.size() && s[n] == '.' && absl::ascii_isdigit(s[n + 1])) {
        size_t m = n + 1;
        while (m < s.size() && absl::ascii_isdigit(s[m])) ++m;
        for (size_t len = m; len >= n + 2; --len) out.push_back(len);
      }
      for (size_t len = n; len >= 1; --len) out.push_back(len);
      break;
    }
    case Converter::kUuid: {
      static constexpr std::string_view kShape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
      if (s.size() < kShape.size()) break;
      for (size_t i = 0; i < kShape.size(); ++i) {
        if (kShape[i] == '-' ? s[i] != '-' : !IsLowerHex(s[i])) return out;
      }
      out.push_back(kShape.size());
      break;
    }
  }
  return out;
}

}  // namespace

std::string ConvertPathValue(Converter converter, std::string_view text) {
  switch (converter) {
    case Converter::kInt: {
      size_t i = 0;
      while (i + 1 < text.size() && text[i] == '0') ++i;  // int("007") == 7
      return std::string(text.substr(i));
    }
    case Converter::kFloat: {
      // float("01.50") == 1.5, written as Python's str ("1.5", "3.0",
      // "1e+16", and "inf" for 400 nines).
      const Coerced<double> coerced = CoerceFloat(text);
      const double* value = std::get_if<double>(&coerced);
      if (value == nullptr) return std::string(text);  // unreachable: the pattern is decimal
      if (std::isinf(*value)) return "inf";
      return *http::SerializeJson(http::Json(*value));
    }
    default:
      return std::string(text);
  }
}

bool ConverterMatches(Converter converter, std::string_view text) {
  // The patterns of Candidates, anchored at both ends, without allocating.
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return absl::ascii_isdigit(static_cast<unsigned char>(c));
    });
  };
  switch (converter) {
    case Converter::kStr:
      return !text.empty() && text.find('/') == std::string_view::npos;
    case Converter::kPath:
      return text.find('\n') == std::string_view::npos;
    case Converter::kInt:
      return digits(text);
    case Converter::kFloat: {
      const size_t dot = text.find('.');
      return dot == std::string_view::npos
                 ? digits(text)
                 : digits(text.substr(0, dot)) && digits(text.substr(dot + 1));
    }
    case Converter::kUuid: {
      static constexpr std::string_view kShape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
      if (text.size() != kShape.size()) return false;
      for (size_t i = 0; i < kShape.size(); ++i) {
        if (kShape[i] == '-' ? text[i] != '-' : !IsLowerHex(text[i])) return false;
      }
      return true;
    }
  }
  return false;
}

std::string_view ConverterName(Converter converter) {
  switch (converter) {
    case Converter::kStr:
      return "str";
    case Converter::kPath:
      return "path";
    case Converter::kInt:
      return "int";
    case Converter::kFloat:
      return "float";
    case Converter::kUuid:
      return "uuid";
  }
  return "str";
}

absl::StatusOr<PathTemplate> PathTemplate::Compile(std::string_view text_view) {
  // Debian's Abseil has its own string_view: StrCat takes absl::string_view.
  const absl::string_view text(text_view.data(), text_view.size());
  if (text.empty() || text.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("path template \"", text, "\" must start with '/'"));
  }
  PathTemplate out;
  out.text_ = std::string(text);
  absl::flat_hash_set<std::string> seen;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{') {
      size_t j = i + 1;
      if (j < text.size() && IsIdentStart(text[j])) {
        size_t k = j + 1;
        while (k < text.size() && IsIdent(text[k])) ++k;
        absl::string_view name = text.substr(j, k - j);
        absl::string_view conv_name = "str";
        if (k < text.size() && text[k] == ':') {
          size_t m = k + 1;
          if (m < text.size() && IsIdentStart(text[m])) {
            size_t e = m + 1;
            while (e < text.size() && IsIdent(text[e])) ++e;
            conv_name = text.substr(m, e - m);
            k = e;
          }
        }
        if (k < text.size() && text[k] == '}') {
          Converter converter;
          if (!ParseConverter(std::string_view(conv_name.data(), conv_name.size()), &converter)) {
            return absl::InvalidArgumentError(absl::StrCat("path template \"", text,
                                                           "\": unknown converter '", conv_name,
                                                           "' (str, path, int, float, uuid)"));
          }
          if (!seen.insert(std::string(name)).second) {
            return absl::InvalidArgumentError(absl::StrCat(
                "path template \"", text, "\": duplicated parameter name '", name, "'"));
          }
          if (!literal.empty()) out.pieces_.push_back(Piece{false, std::move(literal), {}});
          literal.clear();
          out.pieces_.push_back(Piece{true, "", Parameter{std::string(name), converter}});
          i = k + 1;
          continue;
        }
      }
      // Not a parameter: Starlette's regex leaves it as literal text.
    }
    literal.push_back(c);
    ++i;
  }
  if (!literal.empty()) out.pieces_.push_back(Piece{false, std::move(literal), {}});
  return out;
}

bool PathTemplate::Match(std::string_view path, PathParams* params) const {
  params->clear();
  std::vector<RawCapture> captures;
  if (!MatchPieces(pieces_.data(), pieces_.size(), path, &captures)) return false;
  for (const RawCapture& c : captures) {
    params->emplace_back(c.parameter->name, ConvertPathValue(c.parameter->converter, c.text));
  }
  return true;
}

bool MatchPieces(const PathTemplate::Piece* pieces, size_t count, std::string_view rest,
                 std::vector<RawCapture>* captures) {
  if (count == 0) return rest.empty();
  const PathTemplate::Piece& piece = pieces[0];
  if (!piece.is_parameter) {
    if (rest.substr(0, piece.literal.size()) != piece.literal) return false;
    return MatchPieces(pieces + 1, count - 1, rest.substr(piece.literal.size()), captures);
  }
  // A parameter followed by nothing must take the whole rest: try that first.
  if (count == 1) {
    if (!ConverterMatches(piece.parameter.converter, rest)) return false;
    captures->push_back({&piece.parameter, rest});
    return true;
  }
  for (size_t len : Candidates(piece.parameter.converter, rest)) {
    captures->push_back({&piece.parameter, rest.substr(0, len)});
    if (MatchPieces(pieces + 1, count - 1, rest.substr(len), captures)) return true;
    captures->pop_back();
  }
  return false;
}

std::optional<Converter> PathTemplate::ConverterOf(std::string_view name) const {
  for (const Piece& p : pieces_) {
    if (p.is_parameter && p.parameter.name == name) return p.parameter.converter;
  }
  return std::nullopt;
}

std::vector<PathTemplate::Parameter> PathTemplate::parameters() const {
  std::vector<Parameter> out;
  for (const Piece& p : pieces_) {
    if (p.is_parameter) out.push_back(p.parameter);
  }
  return out;
}

}  // namespace corouter::routing
