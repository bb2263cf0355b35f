#include "server/security_flags.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/security/credential_files.h"

namespace corouter {
namespace {

absl::Status FlagError(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", message));
}

}  // namespace

void AddSecurityFlags(CLI::App& cli, SecurityFlags& flags) {
  cli.add_option("--tls-cert", flags.tls_cert,
                 "serve TLS only, with this PEM certificate chain (leaf first; needs --tls-key)")
      ->type_name("FILE");
  cli.add_option("--tls-key", flags.tls_key, "the unencrypted PEM private key of --tls-cert")
      ->type_name("FILE");
  cli.add_option("--tls-client-ca", flags.tls_client_ca,
                 "mutual TLS: require a client certificate that chains to these PEM CA "
                 "certificates (needs --tls-cert)")
      ->type_name("FILE");
  cli.add_option("--auth-token-file", flags.auth_token_file,
                 "require the metadata 'authorization: Bearer <token>' with the token in FILE "
                 "(one trailing newline stripped) on every call but grpc.health.v1; "
                 "reflection is then off")
      ->type_name("FILE");
  cli.add_flag("--otlp-tls", flags.otlp_tls,
               "connect to --otlp-endpoint over TLS (gRPC's default roots, or --otlp-ca)");
  cli.add_option("--otlp-ca", flags.otlp_ca,
                 "PEM CA certificates for the OTLP receiver's certificate (implies --otlp-tls)")
      ->type_name("FILE");
}

absl::Status ApplySecurityFlags(const SecurityFlags& flags, grpc_front::ServerOptions* options) {
  if (!flags.tls_key.empty() && flags.tls_cert.empty()) {
    return absl::InvalidArgumentError("--tls-key needs --tls-cert");
  }
  if (!flags.tls_cert.empty() && flags.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert needs --tls-key");
  }
  if (!flags.tls_client_ca.empty() && flags.tls_cert.empty()) {
    return absl::InvalidArgumentError(
        "--tls-client-ca needs --tls-cert (mutual TLS is TLS with client certificates)");
  }
  if (!flags.tls_cert.empty()) {
    grpc_front::ServerTls tls;
    absl::StatusOr<security::KeyPair> pair =
        security::ReadKeyPair("--tls-cert", flags.tls_cert, "--tls-key", flags.tls_key);
    if (!pair.ok()) return pair.status();
    tls.cert_chain_pem = std::move(pair->cert_chain_pem);
    tls.private_key_pem = std::move(pair->private_key_pem);
    if (!flags.tls_client_ca.empty()) {
      absl::StatusOr<std::string> ca = security::ReadCertificates(flags.tls_client_ca);
      if (!ca.ok()) return FlagError("--tls-client-ca", ca.status().message());
      tls.client_ca_pem = *std::move(ca);
    }
    options->tls = std::move(tls);
  }
  if (!flags.auth_token_file.empty()) {
    absl::StatusOr<std::string> token = security::ReadTokenFile(flags.auth_token_file);
    if (!token.ok()) return FlagError("--auth-token-file", token.status().message());
    options->auth.emplace(*token);
  }
  if (flags.otlp_tls || !flags.otlp_ca.empty()) {
    const char* flag = flags.otlp_ca.empty() ? "--otlp-tls" : "--otlp-ca";
    if (!options->otlp.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, " needs --otlp-endpoint"));
    }
    options->otlp->tls = true;
    if (!flags.otlp_ca.empty()) {
      absl::StatusOr<std::string> ca = security::ReadCertificates(flags.otlp_ca);
      if (!ca.ok()) return FlagError("--otlp-ca", ca.status().message());
      options->otlp->ca_pem = *std::move(ca);
    }
  }
  return absl::OkStatus();
}

SecurityLines DescribeSecurity(const SecurityFlags& flags) {
  SecurityLines lines;
  if (!flags.tls_cert.empty()) {
    lines.info.push_back(
        absl::StrCat("corouter-server: TLS with the certificate of ", flags.tls_cert,
                     flags.tls_client_ca.empty()
                         ? std::string()
                         : absl::StrCat("; client certificates required, verified against ",
                                        flags.tls_client_ca)));
  }
  if (!flags.auth_token_file.empty()) {
    lines.info.push_back(
        absl::StrCat("corouter-server: every call but grpc.health.v1 needs the bearer token of ",
                     flags.auth_token_file, " (reflection is off)"));
    if (flags.tls_cert.empty()) {
      lines.warning =
          "corouter-server: warning: --auth-token-file without --tls-cert: the token crosses "
          "the network in plaintext (RFC 6750 5.3 asks for TLS)";
    }
  }
  return lines;
}

}  // namespace corouter
