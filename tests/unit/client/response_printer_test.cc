// Unit tests of response printing (client/response_printer.h).
#include "client/response_printer.h"

#include "corouter/v1/execution.pb.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

corouter::v1::HttpResponse JsonResponse(int status, const std::string& body) {
  corouter::v1::HttpResponse response;
  response.set_status_code(status);
  auto* content_type = response.add_headers();
  content_type->set_name("content-type");
  content_type->set_value("application/json");
  auto* content_length = response.add_headers();
  content_length->set_name("content-length");
  content_length->set_value(std::to_string(body.size()));
  response.set_body(body);
  return response;
}

TEST(FormatRequestLabelTest, NamesTheLabelMethodAndTarget) {
  corouter::v1::HttpRequest request;
  request.set_method("GET");
  request.set_target("/fast_task/");
  EXPECT_EQ(FormatRequestLabel("A", request), "[A] GET /fast_task/");
}

TEST(FormatResponseTest, PrintsStatusHeadersBlankLineAndBodyWithANewline) {
  EXPECT_EQ(FormatResponse(JsonResponse(200, R"({"item_id":1,"q":"test"})")),
            "HTTP 200\n"
            "content-type: application/json\n"
            "content-length: 24\n"
            "\n"
            "{\"item_id\":1,\"q\":\"test\"}\n");
}

TEST(FormatResponseTest, PrintsErrorStatusesLikeAnyOther) {
  EXPECT_EQ(FormatResponse(JsonResponse(404, R"({"detail":"Not Found"})")),
            "HTTP 404\n"
            "content-type: application/json\n"
            "content-length: 22\n"
            "\n"
            "{\"detail\":\"Not Found\"}\n");
}

TEST(FormatResponseTest, DoesNotAddASecondNewlineToABodyThatEndsInOne) {
  corouter::v1::HttpResponse response;
  response.set_status_code(200);
  response.set_body("line\n");
  EXPECT_EQ(FormatResponse(response), "HTTP 200\n\nline\n");
}

TEST(FormatResponseTest, EndsAfterTheBlankLineWhenTheBodyIsEmpty) {
  corouter::v1::HttpResponse response;
  response.set_status_code(204);
  EXPECT_EQ(FormatResponse(response), "HTTP 204\n\n");
}

TEST(FormatResponseTest, WritesTheBodyByteForByte) {
  corouter::v1::HttpResponse response;
  response.set_status_code(200);
  response.set_body(std::string("a\0b\tc", 5));
  EXPECT_EQ(FormatResponse(response), std::string("HTTP 200\n\na\0b\tc\n", 16));
}

}  // namespace
}  // namespace corouter::client
