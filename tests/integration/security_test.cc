// TLS, mutual TLS and bearer token auth (issue 10, parts 3 and 4) against
// real servers on 127.0.0.1 with OS-chosen ports, with certificates that
// tests/lib/make_test_certs.sh makes with openssl when the first test needs
// them. The client's side is both gRPC's own credentials and the CLI's
// channel (client/connection.h), whose error sentences (client/rpc_error.h)
// are checked against the statuses gRPC really gives.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/connection.h"
#include "client/rpc_error.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "server/security/bearer_auth.h"
#include "server/security/credential_files.h"
#include "server/sync/mutex.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

namespace v1 = corouter::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "s3cr3t-t0ken_for.tests";

// The certificates, made once per test binary run; removed at exit.
const std::string& CertDir() {
  static const std::string* dir = [] {
    char pattern[] = "/tmp/corouter-tls-test-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return new std::string();
    auto* made = new std::string(pattern);
    const std::string command = absl::StrCat(COROUTER_MAKE_TEST_CERTS, " ", *made, " >/dev/null");
    if (std::system(command.c_str()) != 0) made->clear();
    std::atexit([] { std::filesystem::remove_all(CertDir()); });
    return made;
  }();
  return *dir;
}

std::string Pem(const std::string& name) {
  EXPECT_FALSE(CertDir().empty()) << "tests/lib/make_test_certs.sh failed";
  absl::StatusOr<std::string> text = security::ReadCredentialFile(CertDir() + "/" + name);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

grpc_front::ServerOptions WithTls(bool mutual) {
  grpc_front::ServerOptions options;
  options.tls = grpc_front::ServerTls{Pem("server.pem"), Pem("server.key"),
                                      mutual ? Pem("ca.pem") : std::string()};
  return options;
}

grpc_front::ServerOptions WithToken(grpc_front::ServerOptions options = {}) {
  options.auth.emplace(kToken);
  return options;
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const std::string& ca,
                                          const std::string& client = "",
                                          const grpc::ChannelArguments& args = {}) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Pem(ca);
  if (!client.empty()) {
    ssl.pem_cert_chain = Pem(client + ".pem");
    ssl.pem_private_key = Pem(client + ".key");
  }
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

std::shared_ptr<grpc::Channel> PlainChannel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

void Deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
}

// rpc Execute GET /hello; `authorization` is sent as that metadata when set.
grpc::Status Hello(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& authorization = "") {
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  v1::ExecuteRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/hello");
  v1::ExecuteResponse response;
  grpc::Status status = v1::ExecutionService::NewStub(channel)->Execute(&ctx, request, &response);
  if (status.ok()) {
    EXPECT_EQ(response.response().status_code(), 200);
  }
  return status;
}

grpc::Status ListRoutes(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& authorization = "") {
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  v1::ListRoutesResponse response;
  grpc::Status status = v1::ExecutionService::NewStub(channel)->ListRoutes(&ctx, {}, &response);
  if (status.ok()) {
    EXPECT_GT(response.routes_size(), 0);
  }
  return status;
}

v1::GetStatsResponse Stats(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& authorization, grpc::Status* status = nullptr) {
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  v1::GetStatsResponse stats;
  grpc::Status s = v1::ExecutionService::NewStub(channel)->GetStats(&ctx, {}, &stats);
  if (status != nullptr) {
    *status = s;
  } else {
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  return stats;
}

grpc::Status Traced(const std::shared_ptr<grpc::Channel>& channel, const std::string& authorization,
                    size_t* events) {
  grpc::ClientContext ctx;
  Deadline(ctx);
  if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
  v1::ExecuteTracedRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/ping");
  auto reader = v1::ExecutionService::NewStub(channel)->ExecuteTraced(&ctx, request);
  v1::ExecuteTracedResponse message;
  *events = 0;
  while (reader->Read(&message)) *events += message.events_size();
  return reader->Finish();
}

// The sentence the CLI prints for `status` (client/rpc_error.h).
std::string Explained(const grpc::Status& status, const client::ChannelSecurity& security) {
  return client::ExplainTlsFailure(status, security)
      .value_or("<not explained: " + status.error_message() + ">");
}

client::ChannelSecurity CliTls(bool with_cert = false) {
  client::ChannelSecurity security;
  security.tls = true;
  security.ca_pem = Pem("ca.pem");
  if (with_cert) {
    security.cert_chain_pem = Pem("client.pem");
    security.private_key_pem = Pem("client.key");
  }
  return security;
}

TEST(Tls, ServesEveryRpcOverTlsToAClientThatTrustsItsCa) {
  SeedServer server(0.01, WithTls(/*mutual=*/false));
  auto channel = TlsChannel(server.address(), "ca.pem");
  EXPECT_TRUE(Hello(channel).ok());
  EXPECT_TRUE(ListRoutes(channel).ok());
  size_t events = 0;
  EXPECT_TRUE(Traced(channel, "", &events).ok());
  EXPECT_GT(events, 3u);
  EXPECT_EQ(Stats(channel, "").loops(0).completed(), 2u);
  // The CLI's own channel.
  EXPECT_TRUE(ListRoutes(client::CreateChannel(server.address(), CliTls())).ok());
}

TEST(Tls, APlaintextClientIsRefusedAndTheCliSaysTryTls) {
  SeedServer server(0.01, WithTls(false));
  const grpc::Status status = Hello(PlainChannel(server.address()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Explained(status, {}),
            "the server closed the connection during the handshake (is the server using TLS? "
            "try --tls)");
  client::ConnectionOptions connection;
  connection.server = server.address();
  EXPECT_EQ(client::FormatRpcError(connection, "ListRoutes", status),
            absl::StrCat("corouter: cannot connect to ", server.address(),
                         ": the server closed the connection during the handshake (is the "
                         "server using TLS? try --tls)"));
  // The server goes on serving TLS clients.
  EXPECT_TRUE(Hello(TlsChannel(server.address(), "ca.pem")).ok());
}

TEST(Tls, ATlsClientOfAPlaintextServerFailsItsHandshake) {
  SeedServer server(0.01);
  const grpc::Status status = Hello(TlsChannel(server.address(), "ca.pem"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Explained(status, CliTls()),
            "TLS handshake failed: the server did not answer in TLS (is the server using TLS? "
            "try without --tls)");
  EXPECT_TRUE(Hello(PlainChannel(server.address())).ok());
}

TEST(Tls, AClientThatDoesNotTrustTheServersCaFails) {
  SeedServer server(0.01, WithTls(false));
  const grpc::Status status = Hello(TlsChannel(server.address(), "other-ca.pem"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Explained(status, CliTls()),
            "TLS handshake failed: the server's certificate is not trusted (pass the CA that "
            "signed it with --ca)");
}

TEST(Tls, TheServersCertificateMustNameTheHost) {
  SeedServer server(0.01, WithTls(false));
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("corouter.example");  // not in its subjectAltName
  const grpc::Status status = Hello(TlsChannel(server.address(), "ca.pem", "", args));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(Explained(status, CliTls()), HasSubstr("does not name the host of --server"));
  // localhost is in it (DNS:localhost), as 127.0.0.1 is (IP:127.0.0.1).
  const std::string port = server.address().substr(server.address().rfind(':') + 1);
  EXPECT_TRUE(Hello(TlsChannel("localhost:" + port, "ca.pem")).ok());
}

TEST(Tls, StartRefusesPemThatDoesNotParseOrAKeyOfAnotherCertificate) {
  app::App app = app::BuildSeedApp({});
  struct Case {
    grpc_front::ServerTls tls;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{Pem("server.pem"), Pem("client.key"), ""}, "does not match the certificate"},
      {{Pem("server.key"), Pem("server.key"), ""}, "holds no PEM certificate"},
      {{Pem("server.pem"), Pem("server.pem"), ""}, "holds no PEM private key"},
      {{Pem("server.pem"), Pem("server.key"), "not a certificate"}, "TLS client CA holds no"},
  };
  for (const Case& c : cases) {
    grpc_front::ServerOptions options;
    options.address = "127.0.0.1:0";
    options.tls = c.tls;
    grpc_front::ExecutionServer server(app, options);
    absl::StatusOr<int> port = server.Start();
    ASSERT_FALSE(port.ok()) << c.says;
    EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(port.status().message()), HasSubstr(c.says));
  }
}

TEST(MutualTls, AClientWithACertificateTheServerTrustsIsServed) {
  SeedServer server(0.01, WithTls(/*mutual=*/true));
  EXPECT_TRUE(Hello(TlsChannel(server.address(), "ca.pem", "client")).ok());
  EXPECT_TRUE(ListRoutes(client::CreateChannel(server.address(), CliTls(true))).ok());
}

TEST(MutualTls, AClientWithoutACertificateIsRefused) {
  SeedServer server(0.01, WithTls(true));
  const grpc::Status status = Hello(TlsChannel(server.address(), "ca.pem"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Explained(status, CliTls()),
            "the server closed the connection after the TLS handshake (does it require a client "
            "certificate? pass --cert and --key)");
  EXPECT_TRUE(Hello(TlsChannel(server.address(), "ca.pem", "client")).ok());
}

TEST(MutualTls, AClientCertificateOfAnotherCaIsRefused) {
  SeedServer server(0.01, WithTls(true));
  const grpc::Status status = Hello(TlsChannel(server.address(), "ca.pem", "other-client"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Explained(status, CliTls(true)),
            "the server closed the connection after the TLS handshake (does it trust the client "
            "certificate of --cert?)");
  EXPECT_TRUE(Hello(TlsChannel(server.address(), "ca.pem", "client")).ok());
}

TEST(TokenAuth, EveryRpcWithTheTokenIsServed) {
  SeedServer server(0.01, WithToken());
  auto channel = server.channel();
  const std::string bearer = security::BearerAuthorization(kToken);
  EXPECT_TRUE(Hello(channel, bearer).ok());
  EXPECT_TRUE(Hello(channel, absl::StrCat("bearer ", kToken)).ok());  // the scheme in any case
  EXPECT_TRUE(ListRoutes(channel, bearer).ok());
  size_t events = 0;
  EXPECT_TRUE(Traced(channel, bearer, &events).ok());
  EXPECT_GT(events, 3u);
  EXPECT_EQ(Stats(channel, bearer).loops(0).completed(), 3u);
  // A WatchTraces subscriber with the token is subscribed.
  grpc::ClientContext watch;
  Deadline(watch);
  watch.AddMetadata("authorization", bearer);
  v1::WatchTracesRequest request;
  request.set_replay(1);
  auto reader = v1::ExecutionService::NewStub(channel)->WatchTraces(&watch, request);
  v1::WatchTracesResponse response;
  ASSERT_TRUE(reader->Read(&response));  // the replayed trace
  EXPECT_GT(response.events_size(), 0);
  EXPECT_EQ(Stats(channel, bearer).watch().subscribers(), 1u);
  watch.TryCancel();
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST(TokenAuth, EveryRpcWithoutTheTokenEndsUnauthenticatedAndRunsNothing) {
  SeedServer server(0.01, WithToken());
  auto channel = server.channel();
  std::vector<grpc::Status> statuses;
  statuses.push_back(Hello(channel));
  statuses.push_back(ListRoutes(channel));
  size_t events = 0;
  statuses.push_back(Traced(channel, "", &events));
  EXPECT_EQ(events, 0u);
  grpc::Status stats_status;
  Stats(channel, "", &stats_status);
  statuses.push_back(stats_status);
  {
    grpc::ClientContext watch;
    Deadline(watch);
    auto reader = v1::ExecutionService::NewStub(channel)->WatchTraces(&watch, {});
    v1::WatchTracesResponse response;
    EXPECT_FALSE(reader->Read(&response));
    statuses.push_back(reader->Finish());
  }
  for (const grpc::Status& status : statuses) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
    EXPECT_EQ(status.error_message(),
              "this server needs a bearer token: send the metadata \"authorization: Bearer "
              "<token>\" (RFC 6750 2.1)");
  }
  // Nothing ran, was counted or traced, and nobody subscribed.
  const v1::GetStatsResponse stats = Stats(channel, security::BearerAuthorization(kToken));
  EXPECT_EQ(stats.loops(0).completed(), 0u);
  EXPECT_EQ(stats.loops(0).refused(), 0u);
  EXPECT_EQ(stats.watch().history(), 0u);
  EXPECT_EQ(stats.watch().subscribers(), 0u);
  // The CLI says what to pass.
  client::ConnectionOptions connection;
  connection.server = server.address();
  EXPECT_THAT(client::FormatRpcError(connection, "ListRoutes", statuses[1]),
              HasSubstr("UNAUTHENTICATED: this server needs a bearer token: send the metadata "
                        "\"authorization: Bearer <token>\" (RFC 6750 2.1); pass --token-file "
                        "FILE or set COROUTER_TOKEN"));
}

TEST(TokenAuth, AWrongTokenOrSchemeIsRefusedWithoutBeingQuoted) {
  SeedServer server(0.01, WithToken());
  auto channel = server.channel();
  const grpc::Status wrong = Hello(channel, "Bearer guessed-t0ken");
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(wrong.error_message(), "the bearer token is not the server's");
  for (const std::string& value :
       {std::string("Basic ") + kToken, std::string(kToken), std::string("Bearer")}) {
    const grpc::Status status = ListRoutes(channel, value);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << value;
    EXPECT_THAT(status.error_message(), HasSubstr("is not \"Bearer <token>\"")) << value;
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kToken))) << value;
  }
  // Two authorization values: refused, whichever is right.
  grpc::ClientContext ctx;
  Deadline(ctx);
  ctx.AddMetadata("authorization", security::BearerAuthorization(kToken));
  ctx.AddMetadata("authorization", "Bearer other");
  v1::ListRoutesResponse response;
  const grpc::Status two = v1::ExecutionService::NewStub(channel)->ListRoutes(&ctx, {}, &response);
  EXPECT_EQ(two.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(two.error_message(), HasSubstr("2 authorization metadata values"));
}

TEST(TokenAuth, HealthChecksNeedNoToken) {
  SeedServer server(0.01, WithToken());
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  for (const std::string service : {"", "corouter.v1.ExecutionService"}) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&ctx, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  grpc::ClientContext ctx;
  Deadline(ctx);
  auto reader = health->Watch(&ctx, grpc::health::v1::HealthCheckRequest());
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  ctx.TryCancel();
  while (reader->Read(&response)) {
  }
  reader->Finish();
}

TEST(TokenAuth, ReflectionIsNotServed) {
  // gRPC's reflection service runs where the token check does not reach.
  SeedServer server(0.01, WithToken());
  grpc::GenericStub stub(server.channel());
  grpc::ClientContext ctx;
  Deadline(ctx);
  ctx.AddMetadata("authorization", security::BearerAuthorization(kToken));
  grpc::CompletionQueue cq;
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  int tags[2];
  call->StartCall(&tags[0]);
  grpc::Status status;
  call->Finish(&status, &tags[1]);
  void* got = nullptr;
  bool ok = false;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(cq.AsyncNext(&got, &ok, std::chrono::system_clock::now() + std::chrono::seconds(10)),
              grpc::CompletionQueue::GOT_EVENT);
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  cq.Shutdown();
  while (cq.Next(&got, &ok)) {
  }
  // A server without a token still serves it (service_test.cc reads it).
}

TEST(TokenAuth, OverMutualTlsWithGrpcsOwnAccessTokenCredentials) {
  SeedServer server(0.01, WithToken(WithTls(/*mutual=*/true)));
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Pem("ca.pem");
  ssl.pem_cert_chain = Pem("client.pem");
  ssl.pem_private_key = Pem("client.key");
  auto channel = grpc::CreateChannel(
      server.address(), grpc::CompositeChannelCredentials(grpc::SslCredentials(ssl),
                                                          grpc::AccessTokenCredentials(kToken)));
  EXPECT_TRUE(Hello(channel).ok());
  // The CLI's channel, whose interceptor adds the token.
  client::ChannelSecurity security = CliTls(/*with_cert=*/true);
  security.token = kToken;
  EXPECT_TRUE(ListRoutes(client::CreateChannel(server.address(), security)).ok());
  security.token = "wrong";
  EXPECT_EQ(ListRoutes(client::CreateChannel(server.address(), security)).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// An OTLP/gRPC receiver behind TLS, counting the spans it is sent.
class TlsReceiver final : public opentelemetry::proto::collector::trace::v1::TraceService::Service {
 public:
  TlsReceiver() {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({Pem("server.key"), Pem("server.pem")});
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
    EXPECT_NE(port_, 0);
  }
  ~TlsReceiver() override { server_->Shutdown(std::chrono::system_clock::now()); }
  grpc::Status Export(
      grpc::ServerContext*,
      const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* request,
      opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse*) override {
    corouter::sync::MutexLock lock(&mu_);
    for (const auto& resource : request->resource_spans()) {
      for (const auto& scope : resource.scope_spans()) spans_ += scope.spans_size();
    }
    return grpc::Status::OK;
  }
  int spans() const {
    corouter::sync::MutexLock lock(&mu_);
    return spans_;
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  mutable corouter::sync::Mutex mu_;  // not absl's: ThreadSanitizer sees it
  int spans_ = 0;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

grpc_front::ServerOptions WithTlsOtlp(const std::string& endpoint, const std::string& ca) {
  grpc_front::ServerOptions options;
  otlp::OtlpOptions o;
  o.endpoint = endpoint;
  o.schedule_delay = absl::Milliseconds(20);
  o.tls = true;
  o.ca_pem = Pem(ca);
  options.otlp = o;
  return options;
}

TEST(OtlpTls, SpansReachACollectorBehindTls) {
  TlsReceiver receiver;
  SeedServer server(0.01, WithTlsOtlp(receiver.address(), "ca.pem"));
  EXPECT_TRUE(Hello(server.channel()).ok());
  EXPECT_TRUE(Eventually([&] { return receiver.spans() >= 1; })) << receiver.spans();
}

TEST(OtlpTls, ACollectorWhoseCertificateIsNotTrustedGetsNothing) {
  TlsReceiver receiver;
  SeedServer server(0.01, WithTlsOtlp(receiver.address(), "other-ca.pem"));
  EXPECT_TRUE(Hello(server.channel()).ok());
  // The Export fails its handshake (UNAVAILABLE) and is retried.
  EXPECT_TRUE(
      Eventually([&] { return Stats(server.channel(), "").otlp().export_failures() >= 1; }));
  EXPECT_EQ(receiver.spans(), 0);
  // No grace: the exporter would retry until its end.
  server.server().Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace corouter::testing
