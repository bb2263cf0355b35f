// The service around the engine: the route table, the health service, and
// the reflection service that generic tools use.
#include <chrono>
#include <future>
#include <string>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

namespace v1 = corouter::v1;

TEST(ListRoutes, ReturnsTheSeedRoutesInRegistrationOrderWithParameters) {
  SeedServer server(0.01);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ListRoutesResponse response;
  ASSERT_TRUE(server.stub().ListRoutes(&ctx, v1::ListRoutesRequest(), &response).ok());
  std::vector<std::string> paths;
  for (const auto& r : response.routes()) paths.push_back(r.path_template());
  // FastAPI's built-in /openapi.json comes first, as in FastAPI's app.routes.
  EXPECT_THAT(paths, ::testing::ElementsAre(
                         "/openapi.json", "/hello", "/ping", "/wait", "/slow_task/{item_id}",
                         "/fast_task/", "/sync-task", "/items", "/missing-await",
                         "/send-notification/{email}", "/blocking", "/sync-wait"));
  const v1::Route& slow = response.routes(4);
  EXPECT_EQ(slow.endpoint(), "read_item");
  EXPECT_TRUE(slow.is_async());
  EXPECT_THAT(slow.methods(), ::testing::ElementsAre("GET"));
  ASSERT_EQ(slow.parameters_size(), 2);
  EXPECT_EQ(slow.parameters(0).name(), "item_id");
  EXPECT_EQ(slow.parameters(0).location(), v1::PARAMETER_LOCATION_PATH);
  EXPECT_EQ(slow.parameters(0).type(), "int");
  EXPECT_TRUE(slow.parameters(0).required());
  EXPECT_EQ(slow.parameters(1).name(), "q");
  EXPECT_EQ(slow.parameters(1).location(), v1::PARAMETER_LOCATION_QUERY);
  EXPECT_FALSE(slow.parameters(1).required());
  EXPECT_EQ(slow.parameters(1).default_json(), "null");
  EXPECT_EQ(slow.operation_id(), "read_item_slow_task__item_id__get");
  EXPECT_EQ(slow.summary(), "Read Item");
  EXPECT_EQ(slow.parameters(0).wire_name(), "item_id");
  EXPECT_EQ(slow.parameters(0).schema_json(), R"({"title":"Item Id","type":"integer"})");
  EXPECT_EQ(slow.parameters(1).schema_json(), R"({"title":"Q","type":"string"})");
  EXPECT_FALSE(response.routes(1).is_async());       // def say_hello
  EXPECT_EQ(response.routes(0).operation_id(), "");  // not in the document
}

// One unary call with serialized bytes, for services we have no stubs for.
grpc::Status RawUnary(grpc::Channel* channel, const std::string& method,
                      const std::string& request_bytes, std::string* response_bytes) {
  grpc::GenericStub stub(channel->shared_from_this());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  auto future = done.get_future();
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no answer");
  }
  grpc::Status status = future.get();
  std::vector<grpc::Slice> slices;
  if (status.ok() && response.Dump(&slices).ok()) {
    for (const auto& s : slices)
      response_bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

TEST(Health, TheStandardHealthServiceAnswersServing) {
  SeedServer server(0.01);
  std::string reply;
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message;
  // HealthCheckResponse{status: SERVING} is field 1 = 1: bytes 08 01.
  grpc::Status status =
      RawUnary(server.channel().get(), "/grpc.health.v1.Health/Check", "", &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply, std::string("\x08\x01", 2));
}

// Waits for `tag` on `cq` (bounded); false if it did not come back ok.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  const auto status =
      cq.AsyncNext(&got, &ok, std::chrono::system_clock::now() + std::chrono::seconds(10));
  return status == grpc::CompletionQueue::GOT_EVENT && got == tag && ok;
}

TEST(Reflection, ListsTheServicesForGenericTools) {
  SeedServer server(0.01);
  grpc::GenericStub stub(server.channel());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  int tags[5];
  call->StartCall(&tags[0]);
  ASSERT_TRUE(Await(cq, &tags[0]));
  // ServerReflectionRequest{list_services: ""}: field 7, length 0.
  grpc::Slice slice(std::string("\x3a\x00", 2));
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, &tags[1]);
  ASSERT_TRUE(Await(cq, &tags[1]));
  call->WritesDone(&tags[2]);
  ASSERT_TRUE(Await(cq, &tags[2]));
  grpc::ByteBuffer response;
  call->Read(&response, &tags[3]);
  ASSERT_TRUE(Await(cq, &tags[3]));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_THAT(bytes, ::testing::HasSubstr("corouter.v1.ExecutionService"));
  EXPECT_THAT(bytes, ::testing::HasSubstr("grpc.health.v1.Health"));
  grpc::Status status;
  call->Finish(&status, &tags[4]);
  void* got;
  bool ok;
  ASSERT_EQ(cq.AsyncNext(&got, &ok, std::chrono::system_clock::now() + std::chrono::seconds(10)),
            grpc::CompletionQueue::GOT_EVENT);
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  while (cq.Next(&got, &ok)) {
  }
}

TEST(Health, CheckKnowsTheServerAndItsServiceAndNothingElse) {
  SeedServer server(0.01);
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  for (const std::string service : {"", "corouter.v1.ExecutionService"}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(health->Check(&ctx, request, &response).ok()) << service;
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("no.such.Service");
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_EQ(health->Check(&ctx, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(Health, WatchSaysServingAndEndsWhenTheServerShutsDown) {
  auto server = std::make_unique<SeedServer>(0.01);
  auto health = grpc::health::v1::Health::NewStub(server->channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  auto reader = health->Watch(&ctx, grpc::health::v1::HealthCheckRequest());
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  // An open Watch must not hold the shutdown for its whole grace period.
  const auto start = std::chrono::steady_clock::now();
  server->server().Shutdown(absl::Seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_TRUE(reader->Finish().ok());
}

}  // namespace
}  // namespace corouter::testing
