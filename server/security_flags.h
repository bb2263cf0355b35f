// server/security_flags.h
//
// corouter-server's TLS and token auth flags (docs/deployment.md, "TLS and
// token auth"): --tls-cert, --tls-key, --tls-client-ca, --auth-token-file,
// and for the OTLP exporter --otlp-tls and --otlp-ca. Every file is read and
// checked when the flags are applied, before the server listens, so that a
// bad one stops it with one line naming the flag and the problem (exit 2,
// as for every other flag error).
//
// Thread safety: call from main's thread, before the server starts.
#ifndef COROUTER_SERVER_SECURITY_FLAGS_H_
#define COROUTER_SERVER_SECURITY_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "server/grpc/execution_server.h"

namespace corouter {

/// The flags' raw values (file paths), as CLI11 fills them.
struct SecurityFlags {
  std::string tls_cert{};
  std::string tls_key{};
  std::string tls_client_ca{};
  std::string auth_token_file{};
  bool otlp_tls = false;
  std::string otlp_ca{};
};

/// Adds the flags to `cli`; `flags` must outlive the parse.
void AddSecurityFlags(CLI::App& cli, SecurityFlags& flags);

/// Reads and checks the files the flags name and sets options->tls,
/// options->auth and (when options->otlp is set) options->otlp's tls and
/// ca_pem. Errors: INVALID_ARGUMENT whose message starts with the flag:
///  - "--tls-key needs --tls-cert", "--tls-cert needs --tls-key",
///    "--tls-client-ca needs --tls-cert (mutual TLS is TLS with client
///    certificates)", "--otlp-tls needs --otlp-endpoint" (and --otlp-ca);
///  - "--tls-cert: cannot read FILE: No such file or directory" (any read
///    error, security::ReadCredentialFile), or "... holds no PEM
///    certificate";
///  - "--tls-key: FILE holds no PEM private key (...)", "--tls-key: KEY:
///    the private key does not match the certificate ... of --tls-cert CERT";
///  - "--auth-token-file: FILE is empty" (after one trailing newline is
///    stripped), or a byte that is not allowed in a bearer token.
/// No message quotes a file's contents.
absl::Status ApplySecurityFlags(const SecurityFlags& flags, grpc_front::ServerOptions* options);

/// What the server prints about the flags once listening.
struct SecurityLines {
  /// For stdout: a line for TLS and one for token auth, when given.
  std::vector<std::string> info;
  /// For stderr: non-empty when a token is required without TLS.
  std::string warning;
};
SecurityLines DescribeSecurity(const SecurityFlags& flags);

}  // namespace corouter

#endif  // COROUTER_SERVER_SECURITY_FLAGS_H_
