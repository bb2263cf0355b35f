#!/usr/bin/env python3
"""corouter from Python: seed 004's scenario over gRPC, with grpcio.

    examples/clients/python/seed004_client.py --server 127.0.0.1:50051
    examples/clients/python/seed004_client.py --lb round_robin \
        --server ipv4:127.0.0.1:50051,127.0.0.1:50052     (replicas)

Needs Debian's python3-grpcio and python3-protobuf (scripts/install-deps.sh)
and protobuf-compiler-grpc's protoc and grpc_python_plugin: the stubs
(execution_pb2, execution_pb2_grpc) are generated from proto/ when the
client starts, into a temporary directory, or into --stubs DIR once.

What it does, as seed 004 tells it (shared/seeds/004):
 1. Execute: GET /slow_task/1?q=test, then 10 ms later GET /fast_task/, at
    once on one channel; the fast one answers first although it was sent
    second, since the slow one's await frees the event loop.
 2. ExecuteTraced: the same two, printing each request's execution steps as
    the server streams them.
 3. ListRoutes: the app's path operations.
 4. WatchTraces: a LIVE subscription that sees one more request whole.
 5. JournalService: the server's request journal lists the requests of
    step 4 in the order they were sent, each answered 200 by read_root.
Exits 0 when every step behaved as above, 1 otherwise (with the reason).
"""

import argparse
import concurrent.futures
import importlib
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "proto"))


def load_stubs(stubs_dir):
    """Generates (if needed) and imports the messages and the service stub."""
    if stubs_dir is None:
        stubs_dir = tempfile.mkdtemp(prefix="corouter-python-stubs-")
    os.makedirs(stubs_dir, exist_ok=True)
    if not os.path.exists(os.path.join(stubs_dir, "corouter", "v1", "execution_pb2_grpc.py")):
        subprocess.run(
            ["protoc", f"--proto_path={PROTO_ROOT}", f"--python_out={stubs_dir}",
             f"--grpc_out={stubs_dir}", "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
             "corouter/v1/execution.proto"],
            check=True)
    sys.path.insert(0, stubs_dir)
    pb = importlib.import_module("corouter.v1.execution_pb2")
    rpc = importlib.import_module("corouter.v1.execution_pb2_grpc")
    return pb, rpc


def request(pb, method, target):
    return pb.HttpRequest(method=method, target=target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051",
                        help="HOST:PORT, or any gRPC target: ipv4:HOST:PORT,HOST:PORT, dns:///NAME:PORT")
    parser.add_argument("--lb", choices=["pick_first", "round_robin"], default="pick_first",
                        help="how calls spread over the addresses --server resolves to")
    parser.add_argument("--stubs", help="generate the stubs here once (default: a temporary dir)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call")
    args = parser.parse_args()

    import grpc  # python3-grpcio

    pb, rpc = load_stubs(args.stubs)
    # gRPC's load-balancing policy, as a service config: round_robin connects
    # to every address and rotates the calls (deploy/README.md).
    service_config = '{"loadBalancingConfig": [{"%s": {}}]}' % args.lb
    channel = grpc.insecure_channel(args.server, options=[("grpc.service_config", service_config)])
    grpc.channel_ready_future(channel).result(timeout=args.timeout)
    stub = rpc.ExecutionServiceStub(channel)
    step_name = pb.Step.Name
    failures = []

    # 1. Execute: the slow one first, the fast one 10 ms later.
    print("== Execute: GET /slow_task/1?q=test, then GET /fast_task/ 10 ms later")
    done_order = []
    lock = threading.Lock()

    def execute(label, target):
        started = time.monotonic()
        reply = stub.Execute(pb.ExecuteRequest(request=request(pb, "GET", target)),
                             timeout=args.timeout)
        with lock:
            done_order.append(label)
        return label, target, reply, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(execute, "A", "/slow_task/1?q=test")
        time.sleep(0.01)
        fast = pool.submit(execute, "B", "/fast_task/")
        results = [slow.result(), fast.result()]
    for label, target, reply, seconds in results:
        r = reply.response
        print(f"[{label}] GET {target} -> {r.status_code} {r.body.decode()} "
              f"({seconds:.3f}s, route {reply.route.path_template} -> {reply.route.endpoint})")
    print(f"answered in the order {' '.join(done_order)}")
    if done_order != ["B", "A"]:
        failures.append(f"Execute: expected the fast request first, got {done_order}")

    # 2. ExecuteTraced: each request's steps, as the server streams them.
    print("\n== ExecuteTraced: the same two, step by step")
    steps = {}

    def traced(label, target):
        rows = []
        call = stub.ExecuteTraced(pb.ExecuteTracedRequest(request=request(pb, "GET", target)),
                                  timeout=args.timeout)
        for message in call:
            for e in message.events:
                rows.append(e)
                with lock:
                    print(f"  [{label}] {e.sequence:2d} {e.elapsed_nanos / 1e9:7.3f}s "
                          f"{step_name(e.step):22s} {e.thread:10s} {e.detail}")
        steps[label] = rows

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(traced, "A", "/slow_task/1?q=test")
        time.sleep(0.01)
        b = pool.submit(traced, "B", "/fast_task/")
        a.result()
        b.result()
    for label in ("A", "B"):
        names = [step_name(e.step) for e in steps[label]]
        if not names or names[0] != "STEP_RECEIVED" or names[-1] != "STEP_RESPONSE_SENT":
            failures.append(f"ExecuteTraced {label}: steps {names}")
    if "STEP_AWAIT_STARTED" not in [step_name(e.step) for e in steps["A"]]:
        failures.append("ExecuteTraced A: the slow request never awaited")

    # 3. ListRoutes.
    print("\n== ListRoutes")
    routes = stub.ListRoutes(pb.ListRoutesRequest(), timeout=args.timeout).routes
    for route in routes:
        kind = "async def" if route.is_async else "def"
        print(f"  {','.join(route.methods):10s} {route.path_template:34s} "
              f"{route.endpoint} ({kind})")
    if not any(r.path_template == "/slow_task/{item_id}" for r in routes):
        failures.append("ListRoutes: no /slow_task/{item_id}")

    # 4. WatchTraces: a LIVE subscriber sees the next request whole.
    print("\n== WatchTraces (LIVE): one more GET /fast_task/")
    watch = stub.WatchTraces(pb.WatchTracesRequest(mode=pb.WATCH_MODE_LIVE), timeout=args.timeout)
    seen = {}  # request id -> its steps, as the subscriber received them
    whole = []

    def read():
        try:
            for message in watch:
                for e in message.events:
                    if e.request_id.startswith("python-watch-"):
                        seen.setdefault(e.request_id, []).append(step_name(e.step))
                        if e.step == pb.STEP_RESPONSE_SENT:
                            whole.append(e.request_id)
                if whole:
                    return
        except grpc.RpcError:
            pass  # cancelled below, or the deadline

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # The subscription starts when the server has the stream, which a first
    # request may beat: send one at a time until the subscriber saw one whole.
    deadline = time.monotonic() + args.timeout
    n = 0
    while not whole and time.monotonic() < deadline:
        n += 1
        stub.Execute(pb.ExecuteRequest(request=request(pb, "GET", "/fast_task/"),
                                       request_id=f"python-watch-{n}"), timeout=args.timeout)
        reader.join(timeout=0.2)
    watch.cancel()
    reader.join(timeout=args.timeout)
    if not whole:
        failures.append(f"WatchTraces: no request seen whole after {n} ({seen})")
    else:
        names = seen[whole[0]]
        print(f"  request {whole[0]}: {' '.join(names)}")
        if names[0] != "STEP_RECEIVED":
            failures.append(f"WatchTraces: {whole[0]} began with {names[0]}")

    # 5. The journal: what reached the server, in order. With round_robin
    # over replicas the call reaches one of them, which may hold none.
    print("\n== JournalService: the requests of step 4")
    journal = rpc.JournalServiceStub(channel).ListRequests(
        pb.ListRequestsRequest(filter=pb.RequestFilter(path_templates=["/fast_task/"])),
        timeout=args.timeout)
    mine = [e for e in journal.entries if e.request_id.startswith("python-watch-")]
    for e in mine:
        print(f"  #{e.sequence} {e.request_id} {e.request.method} {e.request.target} -> "
              f"{e.status_code} {e.endpoint}")
    ids = [int(e.request_id.rsplit("-", 1)[1]) for e in mine]
    if ids != sorted(ids) or any(e.status_code != 200 or e.endpoint != "read_root" for e in mine):
        failures.append(f"JournalService: {[(e.request_id, e.status_code) for e in mine]}")
    if args.lb == "pick_first" and len(mine) != n:
        failures.append(f"JournalService: {len(mine)} of the {n} requests of step 4")

    channel.close()
    if failures:
        for f in failures:
            print(f"seed004_client: FAIL: {f}", file=sys.stderr)
        return 1
    print("\nseed004_client: every step as seed 004 tells it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
