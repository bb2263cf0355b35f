// server/http/options_header.h
//
// python-multipart 0.0.5's `parse_options_header`, which Starlette 0.26
// uses for the request's Content-Type (is it a form? which boundary and
// charset?) and for each multipart part's Content-Disposition (its name and
// filename). Its rules, reproduced byte for byte:
//  - an empty value is ("", {});
//  - without ';' the whole value, lowercased (ASCII) and stripped of
//    whitespace, is the type: "Multipart/Form-Data" is multipart;
//  - with ';' the type is what precedes the first ';' as it is, neither
//    lowercased nor stripped: "Multipart/Form-Data; boundary=x" and
//    "multipart/form-data ; boundary=x" are not multipart;
//  - the parameters are the matches of
//      (?:;|^)\s*([^SPECIAL]+)\s*=\s*([^SPECIAL]+|"(?:\\.|[^"])*")
//    over the rest (SPECIAL being ()<>@,;:\"/[]?={} and tab; \s being
//    space, \t, \n, \r, \f, \v), anything between matches ignored; keys are
//    lowercased; a later key replaces an earlier one;
//  - a quoted value loses its quotes, then `\\` becomes `\` and `\"`
//    becomes `"`, in that order;
//  - a `filename` starting with `X:\` or `\\` keeps only what follows its
//    last backslash (Internet Explorer 6 sent the whole path).
//
// Thread safety: a pure function.
#ifndef COROUTER_SERVER_HTTP_OPTIONS_HEADER_H_
#define COROUTER_SERVER_HTTP_OPTIONS_HEADER_H_

#include <map>
#include <string>
#include <string_view>

namespace corouter::http {

/// A header value split as parse_options_header splits it; all bytes.
struct OptionsHeader {
  std::string value;                          // the type ("multipart/form-data")
  std::map<std::string, std::string> params;  // lowercased key -> value
};

/// Splits `value` (a header value's bytes, as sent).
OptionsHeader ParseOptionsHeader(std::string_view value);

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_OPTIONS_HEADER_H_
