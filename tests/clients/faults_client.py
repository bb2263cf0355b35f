#!/usr/bin/env python3
"""Each route-file fault's gRPC outcome, as a Python (grpcio) client sees it.

    tests/clients/faults_client.py --server HOST:PORT --stubs DIR

Against a server of tests/clients/faults.yaml: /down ends UNAVAILABLE with
its message, /dropped ends CANCELLED (the stream was reset), /stuck lasts
until the call's 300 ms deadline (DEADLINE_EXCEEDED). Exits 0 when all three
did, 1 otherwise.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "clients", "python"))

import seed004_client  # noqa: E402  (its load_stubs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--stubs")
    args = parser.parse_args()
    import grpc

    pb, rpc = seed004_client.load_stubs(args.stubs)
    channel = grpc.insecure_channel(args.server)
    grpc.channel_ready_future(channel).result(timeout=10)
    stub = rpc.ExecutionServiceStub(channel)
    failures = []
    for target, timeout, want, message in [
        ("/down", 10, grpc.StatusCode.UNAVAILABLE, "the database is down"),
        ("/dropped", 10, grpc.StatusCode.CANCELLED, None),
        ("/stuck", 0.3, grpc.StatusCode.DEADLINE_EXCEEDED, None),
    ]:
        try:
            stub.Execute(pb.ExecuteRequest(request=pb.HttpRequest(method="GET", target=target)),
                         timeout=timeout)
            got, details = grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            got, details = e.code(), e.details()
        print(f"GET {target}: {got.name} {details!r}")
        if got != want or (message is not None and details != message):
            failures.append(f"{target}: want {want.name} {message!r}, got {got.name} {details!r}")
    channel.close()
    for f in failures:
        print(f"faults_client: FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
