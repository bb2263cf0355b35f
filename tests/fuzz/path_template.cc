// tests/fuzz/path_template.cc
//
// PathTemplate::Compile and Match (server/routing/path_template.h). Input:
// a template, '\n', a path (bytes, matched as they are). Checked against
// Starlette 0.26.1's compile_path, modelled here, and against RE2 running
// the very regex compile_path builds ("^" + re.escape(literal) +
// "(?P<name>convertor.regex)" ... + "$"; RE2's leftmost-first submatches
// are Perl's, so Python's backtracking choice), with the documented
// difference that the whole path must match (RE2's FullMatch; Python's `$`
// would also match before a final "\n"):
//  - Compile succeeds exactly when the template starts with '/', every
//    `{name:conv}` names a known converter and no name repeats; the
//    parameters are PARAM_REGEX's matches, in order;
//  - a path built from the template (each parameter replaced by a value
//    its converter accepts) matches;
//  - Match agrees with RE2 on whether the path matches and on each
//    parameter's raw text (MatchPieces), and each value is the converted
//    text: int without leading zeros, float as Python's str(float).
// Matching is skipped when a backtracking match could take too long (see
// WithinBudget): that cost is Starlette's too.
#include "server/routing/path_template.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "re2/re2.h"
#include "server/http/response.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace routing = corouter::routing;
using corouter::fuzz::Quote;

struct ModelParam {
  std::string name;
  std::string converter;
  size_t start, end;  // of the `{...}` in the template
};

bool NameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool NameChar(char c) { return NameStart(c) || (c >= '0' && c <= '9'); }

// PARAM_REGEX.finditer: `{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}`.
std::vector<ModelParam> FindParams(std::string_view t) {
  std::vector<ModelParam> out;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] != '{' || i + 1 >= t.size() || !NameStart(t[i + 1])) {
      ++i;
      continue;
    }
    size_t j = i + 2;
    while (j < t.size() && NameChar(t[j])) ++j;
    std::string name(t.substr(i + 1, j - i - 1));
    std::string converter = "str";
    if (j + 1 < t.size() && t[j] == ':' && NameStart(t[j + 1])) {
      size_t k = j + 2;
      while (k < t.size() && NameChar(t[k])) ++k;
      converter = std::string(t.substr(j + 1, k - j - 1));
      j = k;
    }
    if (j < t.size() && t[j] == '}') {
      out.push_back({name, converter, i, j + 1});
      i = j + 1;
    } else {
      ++i;  // not a parameter: the '{' is literal
    }
  }
  return out;
}

const char* Regex(const std::string& converter) {
  if (converter == "str") return "[^/]+";
  if (converter == "path") return ".*";
  if (converter == "int") return "[0-9]+";
  if (converter == "float") return "[0-9]+(?:\\.[0-9]+)?";
  if (converter == "uuid") return "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  return nullptr;
}

const char* Sample(routing::Converter c) {
  switch (c) {
    case routing::Converter::kStr:
      return "s";
    case routing::Converter::kPath:
      return "p/q";
    case routing::Converter::kInt:
      return "0012";
    case routing::Converter::kFloat:
      return "1.50";
    case routing::Converter::kUuid:
      return "0123abcd-4567-89ab-cdef-0123456789ab";
  }
  return "";
}

// str(convertor.convert(text)) for text the converter accepts.
std::string Converted(routing::Converter c, const std::string& raw) {
  if (c == routing::Converter::kInt) {
    const size_t first = raw.find_first_not_of('0');
    return first == std::string::npos ? "0" : raw.substr(first);
  }
  if (c == routing::Converter::kFloat) {
    const double d = std::strtod(raw.c_str(), nullptr);  // correctly rounded, as float()
    if (std::isinf(d)) return "inf";
    return *corouter::http::SerializeJson(corouter::http::Json(d));  // repr(float)
  }
  return raw;
}

// An upper bound on the splits a backtracking match may try: C(n, k) for k
// parameters over n bytes. Starlette's regex (and PathTemplate, which
// backtracks as it does) is O(n^k) on a template with k parameters that can
// share text: "/{a}{b}{c}{d}{e}{f}!" against "/" + 50 "x" takes 0.21 s in
// CPython's re and 0.25 s in a Release build of corouter (FUZZING.md). Inputs
// beyond the budget are skipped: under ASan they would only measure that.
bool WithinBudget(size_t n, size_t k) {
  double splits = 1;
  for (size_t i = 0; i < k && i < n; ++i) splits = splits * static_cast<double>(n - i) / (i + 1);
  return splits <= 2e5;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in = corouter::fuzz::AsView(data, size);
  const size_t newline = in.find('\n');
  const std::string_view text = in.substr(0, newline);
  const std::string_view path =
      newline == std::string_view::npos ? std::string_view() : in.substr(newline + 1);

  const std::vector<ModelParam> params = FindParams(text);
  bool valid = !text.empty() && text.front() == '/';
  std::set<std::string> names;
  for (const ModelParam& p : params) {
    valid = valid && Regex(p.converter) != nullptr && names.insert(p.name).second;
  }
  const auto compiled = routing::PathTemplate::Compile(text);
  FUZZ_CHECK(compiled.ok() == valid) << "Compile(" << Quote(text) << "): " << compiled.status()
                                     << "; compile_path " << (valid ? "accepts it" : "refuses it");
  if (!compiled.ok()) {
    FUZZ_CHECK(compiled.status().code() == absl::StatusCode::kInvalidArgument) << compiled.status();
    return 0;
  }
  const routing::PathTemplate& t = *compiled;
  FUZZ_CHECK(t.text() == text) << Quote(t.text());
  const std::vector<routing::PathTemplate::Parameter> declared = t.parameters();
  FUZZ_CHECK(declared.size() == params.size())
      << Quote(text) << ": " << declared.size() << " parameters, compile_path finds "
      << params.size();
  for (size_t i = 0; i < params.size(); ++i) {
    FUZZ_CHECK(declared[i].name == params[i].name &&
               routing::ConverterName(declared[i].converter) == params[i].converter)
        << Quote(text) << " parameter " << i << ": " << declared[i].name;
    FUZZ_CHECK(t.ConverterOf(params[i].name) == declared[i].converter) << params[i].name;
  }

  // Starlette's regex, for RE2 (Latin-1: byte for byte, as Match works).
  std::string regex;
  size_t at = 0;
  for (const ModelParam& p : params) {
    regex += RE2::QuoteMeta(std::string(text.substr(at, p.start - at)));
    regex += "(" + std::string(Regex(p.converter)) + ")";
    at = p.end;
  }
  regex += RE2::QuoteMeta(std::string(text.substr(at)));
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  const RE2 re(regex, options);
  FUZZ_CHECK(re.ok()) << "RE2 refuses " << Quote(regex) << ": " << re.error();

  // A path built from the template matches it.
  std::string built;
  for (const auto& piece : t.pieces()) {
    built += piece.is_parameter ? Sample(piece.parameter.converter) : piece.literal;
  }
  if (!WithinBudget(std::max(built.size(), path.size()), params.size())) return 0;
  routing::PathParams built_params;
  FUZZ_CHECK(t.Match(built, &built_params)) << Quote(text) << " does not match " << Quote(built);

  for (const std::string_view candidate : {path, std::string_view(built)}) {
    routing::PathParams got;
    const bool matched = t.Match(candidate, &got);
    std::vector<std::string> groups(params.size());
    std::vector<RE2::Arg> args(params.size());
    std::vector<const RE2::Arg*> arg_ptrs(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      args[i] = &groups[i];
      arg_ptrs[i] = &args[i];
    }
    const bool re_matched = RE2::FullMatchN(re2::StringPiece(candidate.data(), candidate.size()),
                                            re, arg_ptrs.data(), static_cast<int>(params.size()));
    FUZZ_CHECK(matched == re_matched) << Quote(text) << " on " << Quote(candidate) << ": Match "
                                      << matched << ", Starlette's regex " << re_matched;
    std::vector<routing::RawCapture> captures;
    const bool pieces_matched =
        routing::MatchPieces(t.pieces().data(), t.pieces().size(), candidate, &captures);
    FUZZ_CHECK(pieces_matched == matched) << Quote(text) << " on " << Quote(candidate);
    if (!matched) continue;
    FUZZ_CHECK(got.size() == params.size() && captures.size() == params.size())
        << Quote(text) << " on " << Quote(candidate);
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string raw(captures[i].text);
      FUZZ_CHECK(raw == groups[i])
          << Quote(text) << " on " << Quote(candidate) << ": " << params[i].name << " captured "
          << Quote(raw) << ", Starlette's regex captures " << Quote(groups[i]);
      FUZZ_CHECK(routing::ConverterMatches(declared[i].converter, raw)) << Quote(raw);
      FUZZ_CHECK(got[i].first == params[i].name) << got[i].first;
      const std::string converted = Converted(declared[i].converter, raw);
      FUZZ_CHECK(got[i].second == converted &&
                 routing::ConvertPathValue(declared[i].converter, raw) == converted)
          << Quote(text) << " on " << Quote(candidate) << ": " << params[i].name << " = "
          << Quote(got[i].second) << ", Starlette converts " << Quote(raw) << " to "
          << Quote(converted);
    }
  }
  return 0;
}
