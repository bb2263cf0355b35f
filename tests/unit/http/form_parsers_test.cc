// tests/unit/http/form_parsers_test.cc
//
// The form parsers against answers taken from Debian bookworm's
// python-multipart 0.0.5 and Starlette 0.26 (parse_options_header,
// FormParser, MultiPartParser); the conformance suite
// (tests/conformance/apps/forms.yaml) checks the same end to end against
// FastAPI.
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http/form_data.h"
#include "server/http/form_urlencoded.h"
#include "server/http/multipart.h"
#include "server/http/options_header.h"

namespace corouter::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

using Params = std::map<std::string, std::string>;

TEST(ParseOptionsHeader, SplitsAsPythonMultipartDoes) {
  OptionsHeader h =
      ParseOptionsHeader(R"(multipart/form-data; boundary="a\\\\b\"c"; charset=utf-8)");
  EXPECT_EQ(h.value, "multipart/form-data");
  EXPECT_EQ(h.params, (Params{{"boundary", R"(a\\b"c)"}, {"charset", "utf-8"}}));
  // Junk between matches is skipped; spaces around '=' are allowed.
  h = ParseOptionsHeader("text/plain;a=1;;b = 2 junk ;c=\"x y\"");
  EXPECT_EQ(h.params, (Params{{"a", "1"}, {"b", "2"}, {"c", "x y"}}));
  // Without ';' the type is lowercased and stripped; with one, neither.
  EXPECT_EQ(ParseOptionsHeader("  A/B  ").value, "a/b");
  EXPECT_EQ(ParseOptionsHeader("A/B ; x=1").value, "A/B ");
  EXPECT_EQ(ParseOptionsHeader(";a=1").value, "");
  EXPECT_EQ(ParseOptionsHeader(";a=1").params, (Params{{"a", "1"}}));
  // Keys are lowercased, and the last one wins.
  EXPECT_EQ(ParseOptionsHeader("x;a=1;A=2").params, (Params{{"a", "2"}}));
  EXPECT_EQ(ParseOptionsHeader("x; a=\"unterminated").params, Params{});
  // \v is whitespace to Python's bytes regex (not to RE2's \s).
  EXPECT_EQ(ParseOptionsHeader("x;\va=1").params, (Params{{"a", "1"}}));
  EXPECT_EQ(ParseOptionsHeader("").value, "");
}

TEST(ParseOptionsHeader, KeepsTheLastPartOfAnInternetExplorerPath) {
  EXPECT_EQ(ParseOptionsHeader(R"(form-data; filename="C:\\\\d\\\\f.txt")").params["filename"],
            "f.txt");
  EXPECT_EQ(ParseOptionsHeader(R"(form-data; filename="\\\\\\\\srv\\\\f")").params["filename"],
            "f");
  EXPECT_EQ(ParseOptionsHeader(R"(form-data; name="C:\\\\d")").params["name"], R"(C:\\d)");
}

std::vector<std::pair<std::string, std::string>> Fields(const FormParseResult& result) {
  std::vector<std::pair<std::string, std::string>> out;
  if (const auto* error = std::get_if<FormError>(&result)) {
    out.emplace_back("ERROR", error->message);
    return out;
  }
  for (const FormField& field : std::get<FormData>(result).fields()) {
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      out.emplace_back(field.name, *text);
    } else {
      const auto& file = std::get<UploadedFile>(field.value);
      out.emplace_back(field.name, "FILE " + file.filename + ":" + file.content);
    }
  }
  return out;
}

TEST(ParseFormUrlencoded, FollowsTheQuerystringParser) {
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=1&b=2")), ElementsAre(Pair("a", "1"), Pair("b", "2")));
  // ';' separates only where no '&' follows.
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=1;b=2&c=3")),
              ElementsAre(Pair("a", "1;b=2"), Pair("c", "3")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=1;b=2")), ElementsAre(Pair("a", "1"), Pair("b", "2")));
  // A bare name is "" before a separator and lost at the end.
  EXPECT_THAT(Fields(ParseFormUrlencoded("x&a=1&y")), ElementsAre(Pair("x", ""), Pair("a", "1")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=")), ElementsAre(Pair("a", "")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("&&=v;&")), ElementsAre(Pair("", "v;")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=b=c")), ElementsAre(Pair("a", "b=c")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("")), ElementsAre());
  // unquote_plus over latin-1: '+', escapes as UTF-8, raw bytes as latin-1.
  EXPECT_THAT(Fields(ParseFormUrlencoded("n=a+b%2B%C3%A9%ZZ\xe9")),
              ElementsAre(Pair("n", "a b+\xc3\xa9%ZZ\xc3\xa9")));
}

TEST(ParseFormUrlencoded, EnforcesStarlettesLimits) {
  std::string many;
  for (int i = 0; i < kMaxFormFields; ++i) many += "a=1&";
  EXPECT_EQ(Fields(ParseFormUrlencoded(many)).size(), static_cast<size_t>(kMaxFormFields));
  EXPECT_THAT(Fields(ParseFormUrlencoded(many + "a=1")),
              ElementsAre(Pair("ERROR", "Too many fields. Maximum number of fields is 1000.")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=" + std::string(kMaxFormPartBytes, 'x'))),
              ElementsAre(Pair("ERROR", "Field exceeded maximum size of 1024KB.")));
  EXPECT_THAT(Fields(ParseFormUrlencoded("a=" + std::string(kMaxFormPartBytes - 1, 'x'))).size(),
              1u);
}

FormParseResult Multipart(std::string_view body, Charset charset = Charset::kUtf8) {
  return ParseMultipart(body, "XyZ", charset);
}

TEST(ParseMultipart, ReadsFieldsAndFiles) {
  const std::string body =
      "\r\n--XyZ\r\n"
      "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
      "one\r\n--Xy\r\n--XyZ-\r\n"
      "--XyZ\r\n"
      "content-disposition:   form-data; name=f; filename=\"x.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "hi\r\n--XyZ--epilogue";
  const FormParseResult result = Multipart(body);
  EXPECT_THAT(Fields(result),
              ElementsAre(Pair("a", "one\r\n--Xy\r\n--XyZ-"), Pair("f", "FILE x.txt:hi")));
  const auto& file = std::get<UploadedFile>(std::get<FormData>(result).fields()[1].value);
  EXPECT_EQ(file.content_type(), "text/plain");
  ASSERT_EQ(file.headers.size(), 2u);
  EXPECT_EQ(file.headers[0].name, "content-disposition");
  EXPECT_EQ(file.headers[0].value, "form-data; name=f; filename=\"x.txt\"");
}

TEST(ParseMultipart, LosesAPartThatIsNotClosed) {
  EXPECT_THAT(Fields(Multipart("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx")),
              ElementsAre());
  EXPECT_THAT(Fields(Multipart("")), ElementsAre());
}

TEST(ParseMultipart, TellsMalformedFromRejected) {
  auto kind = [](const FormParseResult& result) {
    const auto* error = std::get_if<FormError>(&result);
    return error == nullptr                             ? std::string("ok")
           : error->kind == FormError::Kind::kMalformed ? std::string("malformed")
                                                        : error->message;
  };
  EXPECT_EQ(kind(Multipart("--XyZ--\r\n")), "malformed");
  EXPECT_EQ(kind(Multipart("--Other\r\n")), "malformed");
  EXPECT_EQ(kind(Multipart("--XyZ\r\nX-1: a\r\n\r\n")), "malformed");
  EXPECT_EQ(kind(Multipart("--XyZ\r\n: a\r\n\r\n")), "malformed");
  EXPECT_EQ(kind(Multipart("--XyZ\r\nA: b\rc")), "malformed");
  EXPECT_EQ(kind(Multipart("--XyZ\r\n\r\nx\r\n--XyZ--")),
            "The Content-Disposition header field \"name\" must be provided.");
  // A CR in a header's name ends the headers.
  EXPECT_EQ(kind(Multipart("--XyZ\r\nContent\r\n\r\nx")),
            "The Content-Disposition header field \"name\" must be provided.");
  // Found by tests/fuzz/form.cc: a CR inside a long header name leaves the
  // boundary matcher past its lookbehind (IndexError in Python).
  EXPECT_EQ(kind(Multipart("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                           "Contentxxxxxxxx\r\n\r\ndata\r\n--XyZ--")),
            "malformed");
  EXPECT_EQ(kind(Multipart("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                           "Conten\r\n\r\ndata\r\n--XyZ--")),
            "ok");
  EXPECT_EQ(kind(Multipart("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n" +
                           std::string(kMaxFormPartBytes + 1, 'x'))),
            "Part exceeded maximum size of 1024KB.");
}

TEST(ParseMultipart, DecodesWithTheCharsetOrLatin1) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"\xc3\xa9\"\r\n\r\n\xe9\r\n--XyZ--";
  EXPECT_THAT(Fields(Multipart(body)), ElementsAre(Pair("\xc3\xa9", "\xc3\xa9")));
  EXPECT_THAT(Fields(Multipart(body, Charset::kLatin1)),
              ElementsAre(Pair("\xc3\x83\xc2\xa9", "\xc3\xa9")));
  EXPECT_THAT(Fields(Multipart(body, Charset::kAscii)),
              ElementsAre(Pair("\xc3\x83\xc2\xa9", "\xc3\xa9")));
}

TEST(CharsetNamed, NormalisesAsPythonsCodecLookup) {
  for (const char* name : {"utf-8", "UTF8", " utf 8 ", "utf_8", "U8", "cp65001", "utf8-ucs4"}) {
    EXPECT_EQ(CharsetNamed(name), Charset::kUtf8) << name;
  }
  for (const char* name : {"latin-1", "ISO-8859-1", "iso8859", "8859", "L1", "cp819"}) {
    EXPECT_EQ(CharsetNamed(name), Charset::kLatin1) << name;
  }
  for (const char* name : {"ascii", "US-ASCII", "ANSI_X3.4-1968", "646"}) {
    EXPECT_EQ(CharsetNamed(name), Charset::kAscii) << name;
  }
  // "u.t.f.8" and "utf.8" are LookupErrors; cp1252 is a codec corouter lacks.
  for (const char* name : {"u.t.f.8", "utf.8", "cp1252", "bogus", ""}) {
    EXPECT_EQ(CharsetNamed(name), Charset::kOther) << name;
  }
}

}  // namespace
}  // namespace corouter::http
