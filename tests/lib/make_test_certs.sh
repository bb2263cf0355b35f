#!/usr/bin/env bash
# tests/lib/make_test_certs.sh DIR: throwaway certificates for the TLS tests,
# made with Debian's openssl at test time (nothing is checked in). Writes
# into DIR (created if missing), every key an EC P-256 key:
#   ca.pem ca.key             a CA ("corouter test CA")
#   server.pem server.key     a server certificate signed by ca, with
#                             subjectAltName IP:127.0.0.1, DNS:localhost
#   client.pem client.key     a client certificate signed by ca (clientAuth)
#   other-ca.pem other-ca.key another CA, which neither side trusts
#   other-client.pem .key     a client certificate signed by other-ca
#   other-server.pem .key     a server certificate for 127.0.0.1 signed by
#                             other-ca
# Every certificate is valid from now for 2 days (the tests run on the
# machine that made them, so no clock skew applies).
# Exits non-zero, saying why on stderr, if openssl fails.
set -euo pipefail
dir=${1:?usage: make_test_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME SUBJECT
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() {  # leaf NAME CA SUBJECT EXTENSIONS
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3"
  printf '%s\n' "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
    -days 2 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

server_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost'
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

ca ca "corouter test CA"
ca other-ca "corouter other test CA"
leaf server ca "corouter test server" "$server_ext"
leaf client ca "corouter test client" "$client_ext"
leaf other-client other-ca "corouter other test client" "$client_ext"
leaf other-server other-ca "corouter other test server" "$server_ext"
rm -f ./*.srl
chmod 600 ./*.key
