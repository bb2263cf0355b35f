// server/http/options_header.cc
#include "server/http/options_header.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"

namespace corouter::http {
namespace {

// Python's bytes `\s`: [ \t\n\r\f\v] (RE2's \s lacks \v, so it is spelled
// out). SPECIAL_CHARS is re.escape(b'()<>@,;:\\"/[]?={} \t').
#define COROUTER_WS "[ \\t\\n\\r\\f\\v]"
#define COROUTER_TOKEN "[^()<>@,;:\\\\\"/\\[\\]?={} \\t]+"
#define COROUTER_OPTION                                                                \
  COROUTER_WS "*(" COROUTER_TOKEN ")" COROUTER_WS "*=" COROUTER_WS "*(" COROUTER_TOKEN \
              "|\"(?:\\\\.|[^\"])*\")"

const RE2& OptionAfterSemicolon() {
  static const RE2* const re = [] {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingLatin1);
    return new RE2(";" COROUTER_OPTION, options);
  }();
  return *re;
}

// The `^` branch: a match at the start of the text, where no ';' is needed.
const RE2& OptionAtStart() {
  static const RE2* const re = [] {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingLatin1);
    return new RE2(COROUTER_OPTION, options);
  }();
  return *re;
}

#undef COROUTER_OPTION
#undef COROUTER_TOKEN
#undef COROUTER_WS

std::string Lower(std::string_view bytes) {
  std::string out(bytes);
  for (char& c : out) c = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

OptionsHeader ParseOptionsHeader(std::string_view value) {
  OptionsHeader out;
  if (value.empty()) return out;
  const size_t semicolon = value.find(';');
  if (semicolon == std::string_view::npos) {
    // value.lower().strip(): bytes.strip() drops ASCII whitespace.
    out.value = std::string(absl::StripAsciiWhitespace(absl::string_view(Lower(value))));
    return out;
  }
  out.value = std::string(value.substr(0, semicolon));
  const std::string_view rest = value.substr(semicolon + 1);
  const re2::StringPiece text(rest.data(), rest.size());
  re2::StringPiece groups[3];
  size_t pos = 0;
  // OPTION_RE.finditer(rest): the `^` branch only at 0, then matches that
  // start with ';', each search from where the last match ended.
  bool found = OptionAtStart().Match(text, 0, text.size(), RE2::ANCHOR_START, groups, 3);
  if (!found) {
    found = OptionAfterSemicolon().Match(text, 0, text.size(), RE2::UNANCHORED, groups, 3);
  }
  while (found) {
    const std::string key = Lower(std::string_view(groups[1].data(), groups[1].size()));
    std::string param(groups[2].data(), groups[2].size());
    if (param.size() >= 2 && param.front() == '"' && param.back() == '"') {
      param = param.substr(1, param.size() - 2);
      param = absl::StrReplaceAll(param, {{"\\\\", "\\"}});
      param = absl::StrReplaceAll(param, {{"\\\"", "\""}});
    }
    if (key == "filename" && ((param.size() >= 3 && param.compare(1, 2, ":\\") == 0) ||
                              param.compare(0, 2, "\\\\") == 0)) {
      param = param.substr(param.rfind('\\') + 1);
    }
    out.params[key] = std::move(param);
    pos = static_cast<size_t>(groups[0].data() + groups[0].size() - text.data());
    found = OptionAfterSemicolon().Match(text, pos, text.size(), RE2::UNANCHORED, groups, 3);
  }
  return out;
}

}  // namespace corouter::http
