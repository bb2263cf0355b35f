// server/security/credential_files.h
//
// Reading and checking the files TLS and token auth name, for the server's
// --tls-cert, --tls-key, --tls-client-ca and --auth-token-file and the CLI's
// --ca, --cert, --key and --token-file: each is read and checked when the
// flag is parsed, so that a bad one stops the program before it listens or
// calls, with a message that names the file and the problem (the caller
// prefixes the flag). OpenSSL (the library gRPC itself uses on Debian)
// parses the PEM blocks.
//
//   absl::StatusOr<std::string> cert = security::ReadCertificates("server.pem");
//   absl::StatusOr<std::string> key = security::ReadPrivateKey("server.key");
//   absl::Status match = security::CheckKeyMatchesCertificate(*cert, *key);
//   absl::StatusOr<std::string> token = security::ReadTokenFile("token");
//
// No message quotes a file's contents: a token or a key never reaches a log.
//
// Thread safety: every function is pure apart from reading its file, and
// thread-safe.
#ifndef COROUTER_SERVER_SECURITY_CREDENTIAL_FILES_H_
#define COROUTER_SERVER_SECURITY_CREDENTIAL_FILES_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace corouter::security {

/// The largest credential file read (certificates, keys, tokens); a larger
/// one is refused.
inline constexpr size_t kMaxCredentialFileBytes = 1 << 20;

/// Reads `path` whole.
/// Errors: NOT_FOUND (no such file), PERMISSION_DENIED, INVALID_ARGUMENT (a
/// directory, more than kMaxCredentialFileBytes, or another read error),
/// each "cannot read PATH: REASON".
absl::StatusOr<std::string> ReadCredentialFile(absl::string_view path);

/// Checks that `pem` holds one or more PEM certificates ("-----BEGIN
/// CERTIFICATE-----") and nothing OpenSSL cannot parse between them.
/// `name` names the text in messages (a file's path).
/// Errors: INVALID_ARGUMENT "NAME holds no PEM certificate" or "NAME:
/// certificate N is not valid PEM (OPENSSL REASON)".
absl::Status CheckCertificates(absl::string_view pem, absl::string_view name);

/// Checks that `pem` holds an unencrypted PEM private key (PKCS#8, RSA or
/// EC). Errors: INVALID_ARGUMENT "NAME holds no PEM private key (...)",
/// "NAME holds an encrypted private key; decrypt it first (...)", or "NAME:
/// the private key is not valid PEM (OPENSSL REASON)".
absl::Status CheckPrivateKey(absl::string_view pem, absl::string_view name);

/// Checks that the private key `key_pem` belongs to the first certificate of
/// `cert_pem` (both already checked as above).
/// Errors: INVALID_ARGUMENT "the private key does not match the certificate".
absl::Status CheckKeyMatchesCertificate(absl::string_view cert_pem, absl::string_view key_pem);

/// ReadCredentialFile, then CheckCertificates. Returns the PEM text.
absl::StatusOr<std::string> ReadCertificates(absl::string_view path);

/// ReadCredentialFile, then CheckPrivateKey. Returns the PEM text.
absl::StatusOr<std::string> ReadPrivateKey(absl::string_view path);

/// A certificate chain and its private key, as PEM text.
struct KeyPair {
  std::string cert_chain_pem;
  std::string private_key_pem;
};

/// Reads the certificate chain at `cert_path` and the private key at
/// `key_path` (ReadCertificates, ReadPrivateKey) and checks that the key is
/// the first certificate's (CheckKeyMatchesCertificate). Each error names
/// the command-line flag that gave the file: INVALID_ARGUMENT
/// "CERT_FLAG: ..." or "KEY_FLAG: ...", a mismatch as "KEY_FLAG: KEY_PATH:
/// the private key does not match ... of CERT_FLAG CERT_PATH".
absl::StatusOr<KeyPair> ReadKeyPair(absl::string_view cert_flag, absl::string_view cert_path,
                                    absl::string_view key_flag, absl::string_view key_path);

/// Checks that `token` can be sent as "authorization: Bearer <token>": an
/// RFC 6750 (2.1) b64token, 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
/// "+" / "/" ) *"=". `name` names where it came from.
/// Errors: INVALID_ARGUMENT "NAME is empty", or "NAME: byte N is not allowed
/// in a bearer token (RFC 6750 2.1: letters, digits, - . _ ~ + / and
/// trailing =)"; the byte itself is never quoted.
absl::Status CheckBearerToken(absl::string_view token, absl::string_view name);

/// Reads a bearer token file: its bytes, less one trailing newline ("\n" or
/// "\r\n"), checked with CheckBearerToken.
/// Errors: as ReadCredentialFile and CheckBearerToken ("PATH is empty").
absl::StatusOr<std::string> ReadTokenFile(absl::string_view path);

}  // namespace corouter::security

#endif  // COROUTER_SERVER_SECURITY_CREDENTIAL_FILES_H_
