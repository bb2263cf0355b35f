"""Request bytes and reply checks for tests/bench/run_e2e.sh.

Both subcommands use message classes generated from
proto/corouter/v1/execution.proto (by protoc, into a temporary directory), so
the bytes that h2load posts are never written by hand.

  frames OUT_DIR
      Writes one file per scenario: a gRPC length-prefixed message (1 byte
      "not compressed", 4 bytes big-endian length, then the serialized
      request), which is what h2load posts as the body of one unary call.

  check --server HOST:PORT --file F --method /pkg.Service/Method --kind K
      Sends the message in F (the same bytes h2load posts) N times over a real
      gRPC client (grpcio) and asserts every call ends with gRPC status OK,
      and for K=execute an HTTP 200 response, for K=traced a stream whose last
      event is STEP_RESPONSE_SENT with HTTP 200, for K=echo a reply equal to
      the request (the floor server). Prints one line:
        check: N calls, status OK N, events/call E
      and exits 1 on the first failure.

  stuck-watch --server HOST:PORT
      Opens a WatchTraces stream (LIVE, every event) and never reads it,
      until SIGTERM: the subscriber that never reads.

  watch-stats --server HOST:PORT
      Prints GetStats' watch counters as key=value words:
        subscribers=N events_sent=N events_dropped=N

Run with Debian's python (/usr/bin/python3: python3-grpcio, python3-protobuf).
"""

import argparse
import atexit
import concurrent.futures
import importlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_ROOT = os.path.join(REPO, "proto")
PROTO_FILE = "corouter/v1/execution.proto"


def load_messages():
    """Generates execution_pb2 with protoc and imports it."""
    out = tempfile.mkdtemp(prefix="corouter-bench-pb2-")
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    subprocess.run(
        ["protoc", f"--proto_path={PROTO_ROOT}", f"--python_out={out}", PROTO_FILE],
        check=True)
    sys.path.insert(0, out)
    return importlib.import_module("corouter.v1.execution_pb2")


def frame(message_bytes):
    """The gRPC length-prefixed message: uncompressed flag, length, bytes."""
    return struct.pack(">BI", 0, len(message_bytes)) + message_bytes


def unframe(data):
    compressed, length = struct.unpack(">BI", data[:5])
    if compressed != 0 or length != len(data) - 5:
        raise ValueError("not one uncompressed gRPC message")
    return data[5:]


# Scenario name -> (message type, method, target).
SCENARIOS = {
    "fast_task.execute": ("ExecuteRequest", "GET", "/fast_task/"),
    "slow_task.execute": ("ExecuteRequest", "GET", "/slow_task/1?q=test"),
    "fast_task.traced": ("ExecuteTracedRequest", "GET", "/fast_task/"),
    "wait.execute": ("ExecuteRequest", "GET", "/wait"),
}


def cmd_frames(args):
    pb = load_messages()
    os.makedirs(args.out_dir, exist_ok=True)
    for name, (type_name, method, target) in SCENARIOS.items():
        message = getattr(pb, type_name)()
        message.request.method = method
        message.request.target = target
        path = os.path.join(args.out_dir, name + ".bin")
        with open(path, "wb") as f:
            f.write(frame(message.SerializeToString()))
        print(f"frames: {path} ({type_name} {method} {target})")


def cmd_check(args):
    import grpc  # Debian's python3-grpcio

    pb = load_messages()
    with open(args.file, "rb") as f:
        request = unframe(f.read())
    channel = grpc.insecure_channel(args.server)
    grpc.channel_ready_future(channel).result(timeout=10)

    if args.kind == "traced":
        call = channel.unary_stream(args.method)
    else:
        call = channel.unary_unary(args.method)

    def one(_):
        if args.kind == "traced":
            replies = list(call(request, timeout=args.timeout))
        else:
            replies = [call(request, timeout=args.timeout)]
        if args.kind == "echo":
            if replies != [request]:
                raise AssertionError("the floor's reply is not the request")
            return 1
        if args.kind == "execute":
            reply = pb.ExecuteResponse.FromString(replies[0])
            if reply.response.status_code != 200:
                raise AssertionError(f"HTTP {reply.response.status_code}: {reply.response.body!r}")
            return 1
        events = [e for r in replies for e in pb.ExecuteTracedResponse.FromString(r).events]
        last = events[-1]
        if last.step != pb.STEP_RESPONSE_SENT or last.response.status_code != 200:
            raise AssertionError(f"last event {pb.Step.Name(last.step)}, "
                                 f"HTTP {last.response.status_code}")
        return len(events)

    ok = 0
    events = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        for n in pool.map(one, range(args.n)):  # raises on a failed call
            ok += 1
            events += n
    channel.close()
    print(f"check: {args.n} calls, status OK {ok}, events/call {events / max(ok, 1):g}")


def cmd_stuck_watch(args):
    import signal
    import grpc

    pb = load_messages()
    channel = grpc.insecure_channel(args.server)
    grpc.channel_ready_future(channel).result(timeout=10)
    call = channel.unary_stream("/corouter.v1.ExecutionService/WatchTraces",
                                request_serializer=pb.WatchTracesRequest.SerializeToString,
                                response_deserializer=pb.WatchTracesResponse.FromString)
    stream = call(pb.WatchTracesRequest(mode=pb.WATCH_MODE_LIVE))  # started, never read
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    stream.cancel()


def cmd_watch_stats(args):
    import grpc

    pb = load_messages()
    channel = grpc.insecure_channel(args.server)
    call = channel.unary_unary("/corouter.v1.ExecutionService/GetStats",
                               request_serializer=pb.GetStatsRequest.SerializeToString,
                               response_deserializer=pb.GetStatsResponse.FromString)
    stats = call(pb.GetStatsRequest(), timeout=10)
    w = stats.watch
    words = (f"subscribers={w.subscribers} events_sent={w.events_sent} "
             f"events_dropped={w.events_dropped}")
    if stats.HasField("otlp"):
        o = stats.otlp
        words += (f" otlp_exported={o.spans_exported} otlp_dropped={o.spans_dropped} "
                  f"otlp_failures={o.export_failures}")
    print(words)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("frames")
    p.add_argument("out_dir")
    p.set_defaults(fn=cmd_frames)
    p = sub.add_parser("check")
    p.add_argument("--server", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--method", required=True)
    p.add_argument("--kind", choices=["execute", "traced", "echo"], required=True)
    p.add_argument("-n", type=int, default=100)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("stuck-watch")
    p.add_argument("--server", required=True)
    p.set_defaults(fn=cmd_stuck_watch)
    p = sub.add_parser("watch-stats")
    p.add_argument("--server", required=True)
    p.set_defaults(fn=cmd_watch_stats)
    args = parser.parse_args()
    try:
        args.fn(args)
    except Exception as e:  # grpc.RpcError included: report and fail
        print(f"check: FAILED: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
