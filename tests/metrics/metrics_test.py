#!/usr/bin/env python3
"""corouter-server --metrics-listen: GET /metrics, end to end.

Starts the real server (seed app, at its own durations) with its metrics endpoint
on an OS-picked port, runs a known load over gRPC (200s, a 404, a 422, a
blocking call, offloads and a call cancelled by its deadline), then checks
that:
  - /metrics parses with Debian's python3-prometheus-client parser
    (text_string_to_metric_families) and has the documented families;
  - every histogram is cumulative and ends with +Inf == _count;
  - its counters equal the known load and agree with GetStats;
  - other paths are 404 and POST /metrics is 405.

  metrics_test.py --server build/test/server/corouter-server
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The seed app's own durations: /blocking holds the loop 2 s, /items awaits
# 100 ms, /slow_task sleeps 5 s. The loop-lag check needs /blocking to start
# while /items awaits: 100 ms leaves room for a loaded CI machine (5 ms, at a
# time scale of 0.05, did not).
TIME_SCALE = 1.0


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}")


def wait_for_file(path, process, log, seconds=20):
    deadline = time.monotonic() + seconds
    while not (os.path.exists(path) and open(path).read().strip()):
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            fail(f"corouter-server did not start: {log.read().strip()}")
        time.sleep(0.02)
    return int(open(path).read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    args = parser.parse_args()
    import grpc

    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "--python_out", work,
                        os.path.join(ROOT, "proto/corouter/v1/execution.proto")], check=True)
        sys.path.insert(0, work)
        from corouter.v1 import execution_pb2 as pb

        port_file = os.path.join(work, "port")
        metrics_file = os.path.join(work, "metrics_port")
        log = open(os.path.join(work, "server.log"), "w+")
        process = subprocess.Popen(
            [args.server, "--listen", "127.0.0.1:0", "--port-file", port_file,
             "--metrics-listen", "127.0.0.1:0", "--metrics-port-file", metrics_file,
             "--time-scale", str(TIME_SCALE), "--grace", "1s"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            port = wait_for_file(port_file, process, log)
            metrics_port = wait_for_file(metrics_file, process, log)
            channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            execute = channel.unary_unary(
                "/corouter.v1.ExecutionService/Execute",
                request_serializer=pb.ExecuteRequest.SerializeToString,
                response_deserializer=pb.ExecuteResponse.FromString)
            get_stats = channel.unary_unary(
                "/corouter.v1.ExecutionService/GetStats",
                request_serializer=pb.GetStatsRequest.SerializeToString,
                response_deserializer=pb.GetStatsResponse.FromString)

            def call(method, target, timeout=20):
                request = pb.ExecuteRequest()
                request.request.method = method
                request.request.target = target
                return execute(request, timeout=timeout)

            # The known load.
            load = [("GET", "/fast_task/", 200)] * 7 + [
                ("GET", "/hello", 200), ("GET", "/hello", 200),    # def: offloaded
                ("GET", "/nowhere", 404),
                ("GET", "/slow_task/abc", 422),
                ("POST", "/fast_task/", 405),
                ("GET", "/blocking", 200),                          # holds the loop 2 s
                ("GET", "/slow_task/1?q=x", 200),
            ]
            for method, target, status in load:
                reply = call(method, target)
                if reply.response.status_code != status:
                    fail(f"{method} {target}: {reply.response.status_code}, expected {status}")
            # A timer due while the loop is held: /items awaits 100 ms; once it
            # is seen in flight, /blocking holds the loop 2 s, so the timer
            # runs ~1.9 s late. If /items is done before it is seen (a loaded
            # machine), the pair is tried again, at most 5 times; every
            # request sent counts in the known load.
            paired = False
            for _ in range(5):
                request = pb.ExecuteRequest()
                request.request.method = "GET"
                request.request.target = "/items"
                pending = execute.future(request, timeout=20)
                load.append(("GET", "/items", 200))
                while (get_stats(pb.GetStatsRequest(), timeout=20).in_flight < 1
                       and not pending.done()):
                    time.sleep(0.001)
                if not pending.done():
                    call("GET", "/blocking")
                    load.append(("GET", "/blocking", 200))
                    paired = True
                if pending.result().response.status_code != 200:
                    fail("GET /items did not answer 200")
                if paired:
                    break
            check(paired, "GET /blocking was sent while GET /items awaited")
            try:  # sleeps 5 s; its deadline is 50 ms
                call("GET", "/slow_task/2", timeout=0.05)
                fail("GET /slow_task/2 with a 50 ms deadline completed")
            except grpc.RpcError as e:
                check(e.code() == grpc.StatusCode.DEADLINE_EXCEEDED,
                      f"the 50 ms call ended DEADLINE_EXCEEDED ({e.code()})")
            # The cancelled handler wakes at its await and is counted at once;
            # wait (bounded) until nothing is in flight.
            deadline = time.monotonic() + 10
            while get_stats(pb.GetStatsRequest(), timeout=20).in_flight > 0:
                if time.monotonic() > deadline:
                    fail("requests still in flight after 10 s")
                time.sleep(0.01)

            base = f"http://127.0.0.1:{metrics_port}"
            with urllib.request.urlopen(base + "/metrics", timeout=20) as r:
                content_type = r.headers["Content-Type"]
                text = r.read().decode("utf-8")
            stats = get_stats(pb.GetStatsRequest(), timeout=20)

            # Other paths and methods.
            for method, path, code in (("GET", "/", 404), ("GET", "/metrics/x", 404),
                                       ("POST", "/metrics", 405)):
                request = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
                try:
                    urllib.request.urlopen(request, timeout=20)
                    fail(f"{method} {path} answered 2xx")
                except urllib.error.HTTPError as e:
                    check(e.code == code, f"{method} {path} is {code} ({e.code})")
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

        check(content_type.startswith("text/plain; version=0.0.4"),
              f"Content-Type is the 0.0.4 text format ({content_type})")
        families = {f.name: f for f in text_string_to_metric_families(text)}
        # The parser strips _total from counter names.
        expected = {
            "corouter_requests": "counter", "corouter_request_duration_seconds": "histogram",
            "corouter_requests_in_flight": "gauge", "corouter_requests_refused": "counter",
            "corouter_requests_cancelled": "counter",
            "corouter_requests_deadline_exceeded": "counter",
            "corouter_loop_busy_ratio": "gauge", "corouter_loop_blocking_slices": "counter",
            "corouter_loop_longest_slice_seconds": "gauge",
            "corouter_loop_lag_seconds": "histogram", "corouter_executor_running": "gauge",
            "corouter_executor_queued": "gauge", "corouter_executor_capacity": "gauge",
            "corouter_watch_subscribers": "gauge", "corouter_watch_events_sent": "counter",
            "corouter_watch_events_dropped": "counter", "corouter_uptime_seconds": "gauge",
        }
        for name, kind in expected.items():
            check(name in families and families[name].type == kind, f"{name} is a {kind}")

        def samples(family, suffix=""):
            return [s for s in families[family].samples if s.name == family + suffix]

        # Histograms: cumulative, +Inf last and equal to _count.
        for family in ("corouter_request_duration_seconds", "corouter_loop_lag_seconds"):
            series = {}
            for s in samples(family, "_bucket"):
                key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
                series.setdefault(key, []).append((float(s.labels["le"]), s.value))
            counts = {tuple(sorted(s.labels.items())): s.value for s in samples(family, "_count")}
            for key, buckets in series.items():
                values = [v for _, v in buckets]
                if values != sorted(values) or buckets[-1][0] != float("inf"):
                    fail(f"{family}{dict(key)} is not cumulative ending at +Inf: {buckets}")
                if buckets[-1][1] != counts[key]:
                    fail(f"{family}{dict(key)}: +Inf {buckets[-1][1]} != _count {counts[key]}")
            check(len(series) > 0, f"{family}: {len(series)} series, each cumulative to +Inf")

        # corouter_requests_total against the known load and GetStats.
        requests = {(s.labels["route"], s.labels["method"], s.labels["status"]): s.value
                    for s in samples("corouter_requests", "_total")}
        want = {}
        for method, target, status in load:
            route = {"/fast_task/": "/fast_task/", "/hello": "/hello", "/blocking": "/blocking",
                     "/items": "/items",
                     "/nowhere": "none"}.get(target.split("?")[0], "/slow_task/{item_id}")
            if method == "POST":
                route = "none"  # a 405 matched no route
            want[(route, method, str(status))] = want.get((route, method, str(status)), 0) + 1
        want[("/slow_task/{item_id}", "GET", "cancelled")] = 1
        check(requests == want, f"corouter_requests_total is the known load: {requests}")
        from_stats = {}
        for r in stats.routes:
            for c in r.responses:
                key = (r.path_template or "none", c.method,
                       "cancelled" if c.status_code == 0 else str(c.status_code))
                from_stats[key] = c.count
        check(requests == from_stats, "corouter_requests_total agrees with GetStats")
        durations = {s.labels["route"]: s.value
                     for s in samples("corouter_request_duration_seconds", "_count")}
        check(all(durations[r.path_template or "none"] == r.count for r in stats.routes),
              "request duration counts equal GetStats' route counts")
        sums = {s.labels["route"]: s.value
                for s in samples("corouter_request_duration_seconds", "_sum")}
        blocking_calls = sum(1 for _, target, _ in load if target == "/blocking")
        check(sums["/blocking"] >= blocking_calls * 2.0 * TIME_SCALE,
              f"each /blocking call took its 2 s ({sums['/blocking']:.3f}s)")

        loop0 = stats.loops[0]

        def loop_value(family, suffix=""):
            return {s.labels["loop"]: s.value for s in samples(family, suffix)}["0"]

        check(loop_value("corouter_requests_cancelled", "_total") == loop0.cancelled == 1,
              "one cancelled request, as GetStats says")
        check(loop_value("corouter_requests_deadline_exceeded", "_total") ==
              loop0.deadline_exceeded == 1, "one deadline exceeded, as GetStats says")
        check(loop_value("corouter_requests_refused", "_total") == loop0.refused == 0,
              "no refused request")
        check(loop_value("corouter_loop_blocking_slices", "_total") == loop0.blocking_slices >= 1,
              f"blocking slices agree with GetStats ({loop0.blocking_slices})")
        check(loop_value("corouter_loop_lag_seconds", "_count") == loop0.lag.count > 0,
              f"loop lag samples agree with GetStats ({loop0.lag.count})")
        lag = {float(s.labels["le"]): s.value for s in samples("corouter_loop_lag_seconds", "_bucket")}
        check(lag[float("inf")] - lag[1.0] >= 1,
              f"the timer due during /blocking ran over 1 s late (lag buckets {lag})")
        check(samples("corouter_requests_in_flight")[0].value == 0, "nothing in flight")
        check(samples("corouter_executor_capacity")[0].value == stats.executor.capacity == 40,
              "executor capacity 40, as GetStats says")
        check("corouter_otlp_spans_exported" not in families, "no OTLP families without OTLP")

        print("all metrics checks passed")


if __name__ == "__main__":
    main()
