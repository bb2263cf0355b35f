"""Async versus sync with a CPU-bound body (issue 12, part 5): the driver of
tests/bench/async_vs_sync.sh.

Seed 001's myth-buster says async "adds overhead and may be slower" for
CPU-bound or very fast work, and that sync is better there. This measures it
on corouter and on the real FastAPI 0.92:

  servers (all on 127.0.0.1, ports from the OS, started once, kept up):
    corouter      corouter-server --app async_vs_sync.yaml (1 loop, 40 executor threads)
    corouter_x2   the same with --executor-threads 2 (the machine's cores), for /cpu_sync/
    fastapi       uvicorn + async_vs_sync_fastapi.py, busy loop on thread CPU time
    fastapi_wall  the same with AVS_BUSY_CLOCK=wall (elapsed time, as corouter's
                  `cpu:` step), for the two cpu routes
  cases (the route the 32 callers load):
    idle          no load: the /fast_task/ probe alone (its floor)
    cpu_async     /cpu_async/, 2 ms of computation on the event loop
    cpu_sync      /cpu_sync/, the same computation on the executor
    fast_async    /fast_task/ (async def, returns at once)
    fast_sync     /fast_sync/ (def, returns at once)

  Each measurement: the load (h2load -t1 -cCALLERS -m1 over gRPC, unary
  corouter.v1.ExecutionService/Execute, request bytes from the proto; wrk
  -t1 -cCALLERS over HTTP/1.1 for FastAPI) runs SECONDS; from 0.3 s in until
  0.3 s before its end one more caller, in this process, calls /fast_task/
  again and again, one call at a time (grpcio for corouter, http.client with
  keep-alive for FastAPI), and times each call. Server CPU is
  utime + stime of the server process (all its threads) over the
  measurement, divided by its length: the cores it kept busy.
  Rounds are interleaved: round after round, case after case, server after
  server (the server order alternates per round), so that a change in the
  machine's load hits every side alike.

  python3 tests/bench/async_vs_sync.py --server-bin build/release/server/corouter-server \
      --out build/release/async_vs_sync/TIME [--rounds 3] [--seconds 3] [--callers 32]

Writes results.jsonl (one line per measurement), report.md (the table) and the
servers' logs to --out. Exits 1 when a server does not start, a reply check
fails or a load reports errors. Run with Debian's python (/usr/bin/python3).
"""

import argparse
import http.client
import json
import math
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import grpc_requests  # noqa: E402  (load_messages, frame)

CASES = ["idle", "cpu_async", "cpu_sync", "fast_async", "fast_sync"]
CASE_PATH = {
    "cpu_async": "/cpu_async/",
    "cpu_sync": "/cpu_sync/",
    "fast_async": "/fast_task/",
    "fast_sync": "/fast_sync/",
}
EXPECTED_BODY = {
    "/fast_task/": {"message": "This is fast!"},
    "/fast_sync/": {"message": "This is fast!"},
    "/cpu_async/": {"kind": "async", "cpu": "2ms"},
    "/cpu_sync/": {"kind": "sync", "cpu": "2ms"},
}
PROBE_PATH = "/fast_task/"
EXECUTE = "/corouter.v1.ExecutionService/Execute"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CALL_TIMEOUT_S = 10.0

live = []  # Popen objects started here and not reaped yet


def log(message):
    print(f"async_vs_sync: {message}", flush=True)


def stop(proc, grace_s=5.0):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if proc in live:
        live.remove(proc)


def stop_all():
    for proc in list(live):
        stop(proc)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def machine_ticks():
    """(busy, total) ticks of all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal
    return total - idle, total


def self_cpu_s():
    """CPU of this process, all threads (the probe and grpcio's threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_with_rusage(proc, timeout_s):
    """Reaps proc within timeout_s; returns its CPU seconds."""
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(proc.args, timeout_s)
        time.sleep(0.02)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def percentile(sorted_values, q):
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


class Server:
    def __init__(self, name, label, protocol, cases):
        self.name = name
        self.label = label
        self.protocol = protocol  # "grpc" or "http"
        self.cases = cases
        self.proc = None
        self.port = None
        self.channel = None


def start_corouter(server, binary, app, out, extra):
    port_file = os.path.join(out, f"{server.name}.port")
    logf = open(os.path.join(out, f"{server.name}.log"), "wb")
    server.proc = subprocess.Popen(
        [binary, "--app", app, "--listen", "127.0.0.1:0", "--port-file", port_file,
         "--grace", "1s", *extra], stdout=logf, stderr=subprocess.STDOUT)
    live.append(server.proc)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and server.proc.poll() is None:
        if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
            with open(port_file) as f:
                server.port = int(f.read().strip())
            return
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} did not start (see {logf.name})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fastapi(server, out, clock):
    server.port = free_port()
    logf = open(os.path.join(out, f"{server.name}.log"), "wb")
    env = dict(os.environ, AVS_BUSY_CLOCK=clock)
    server.proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "async_vs_sync_fastapi:app", "--app-dir", HERE,
         "--host", "127.0.0.1", "--port", str(server.port), "--workers", "1",
         "--no-access-log", "--log-level", "warning"],
        stdout=logf, stderr=subprocess.STDOUT, env=env)
    live.append(server.proc)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.proc.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", PROBE_PATH)
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not start (see {logf.name})")


class Caller:
    """One sequential caller of one server: a gRPC channel, or an HTTP/1.1
    connection with keep-alive (reopened per measurement)."""

    def __init__(self, server, pb):
        self.server = server
        self.pb = pb
        if server.protocol == "grpc":
            import grpc  # Debian's python3-grpcio
            if server.channel is None:
                server.channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
                grpc.channel_ready_future(server.channel).result(timeout=10)
            self.call = server.channel.unary_unary(EXECUTE)
        else:
            self.conn = http.client.HTTPConnection("127.0.0.1", server.port,
                                                   timeout=CALL_TIMEOUT_S)

    def get(self, path):
        """Returns (status, parsed body)."""
        if self.server.protocol == "grpc":
            request = self.pb.ExecuteRequest()
            request.request.method = "GET"
            request.request.target = path
            reply = self.pb.ExecuteResponse.FromString(
                self.call(request.SerializeToString(), timeout=CALL_TIMEOUT_S))
            return reply.response.status_code, reply.response.body
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self):
        if self.server.protocol == "http":
            self.conn.close()


def check(server, pb):
    caller = Caller(server, pb)
    for path, expected in EXPECTED_BODY.items():
        status, body = caller.get(path)
        if status != 200 or json.loads(body) != expected:
            raise RuntimeError(f"{server.name} GET {path}: {status} {body!r}")
    caller.close()


def probe(server, pb, start_at, end_at, result):
    """Sequential GET /fast_task/ from start_at to end_at (monotonic)."""
    caller = Caller(server, pb)
    latencies = []
    failures = 0
    try:
        caller.get(PROBE_PATH)  # connect; not timed
        while time.monotonic() < start_at:
            time.sleep(0.005)
        while time.monotonic() < end_at:
            t0 = time.perf_counter()
            try:
                status, _ = caller.get(PROBE_PATH)
                ok = status == 200
            except Exception:  # grpc.RpcError, OSError: counted
                ok = False
            dt = time.perf_counter() - t0
            if ok:
                latencies.append(dt)
            else:
                failures += 1
                if server.protocol == "http":  # the connection may be gone
                    caller.close()
                    caller = Caller(server, pb)
    finally:
        caller.close()
    result["latencies"] = latencies
    result["failures"] = failures


def load_command(server, path, seconds, callers, frames, out_base):
    if server.protocol == "grpc":
        return ["h2load", "-t1", f"-c{callers}", "-m1", "-D", str(seconds),
                "--log-file", out_base + ".h2load.log",
                "-H", "content-type: application/grpc", "-H", "te: trailers",
                "--data", frames[path],
                f"http://127.0.0.1:{server.port}{EXECUTE}"]
    return ["wrk", "-t1", f"-c{callers}", f"-d{seconds}s", "--latency", "--timeout", "10s",
            f"http://127.0.0.1:{server.port}{path}"]


def parse_h2load(text, log_path):
    done = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("finished in"):
            done["duration_s"] = float(line.split()[2].rstrip("s,"))
        elif line.startswith("requests:"):
            words = line.replace(",", "").split()
            # requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout
            done.update(total=int(words[1]), succeeded=int(words[7]), failed=int(words[9]),
                        errored=int(words[11]), timeout=int(words[13]))
    latencies = []
    bad_status = 0
    with open(log_path) as f:
        for row in f:
            cols = row.split("\t")
            if len(cols) < 3:
                continue
            if cols[1] != "200":
                bad_status += 1
            else:
                latencies.append(int(cols[2]) / 1e6)
    latencies.sort()
    return {
        "calls": done.get("succeeded", 0),
        "duration_s": done["duration_s"],
        "errors": done.get("failed", 0) + done.get("errored", 0) + done.get("timeout", 0)
        + bad_status,
        "p50_s": percentile(latencies, 0.5),
        "p99_s": percentile(latencies, 0.99),
    }


def wrk_seconds(word):
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
        if word.endswith(unit):
            return float(word[:-len(unit)]) * scale
    raise ValueError(word)


def parse_wrk(text):
    result = {"errors": 0}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 5 and words[1] == "requests" and words[2] == "in":
            result["calls"] = int(words[0])
            result["duration_s"] = wrk_seconds(words[3].rstrip(","))
        elif line.strip().startswith("50%"):
            result["p50_s"] = wrk_seconds(words[1])
        elif line.strip().startswith("99%"):
            result["p99_s"] = wrk_seconds(words[1])
        elif line.strip().startswith("Non-2xx"):
            result["errors"] += int(words[-1])
        elif line.strip().startswith("Socket errors"):
            result["errors"] += sum(int(w.rstrip(",")) for w in words[3::2])
    result["calls"] -= min(result["errors"], result["calls"])
    return result


def measure(server, case, round_no, args, pb, frames, results_file):
    out_base = os.path.join(args.out, f"{case}.{server.name}.{round_no}")
    seconds = args.seconds
    pid = server.proc.pid
    load = None
    t_cpu0 = cpu_ticks(pid)
    machine0 = machine_ticks()
    self0 = self_cpu_s()
    t0 = time.monotonic()
    if case != "idle":
        cmd = load_command(server, CASE_PATH[case], seconds, args.callers, frames, out_base)
        load_out = open(out_base + ".load.txt", "w")
        load = subprocess.Popen(cmd, stdout=load_out, stderr=subprocess.STDOUT)
        live.append(load)
    result = {}
    prober = threading.Thread(target=probe, args=(server, pb, t0 + 0.3, t0 + seconds - 0.3,
                                                  result))
    prober.start()
    prober.join(timeout=seconds + 3 * CALL_TIMEOUT_S)
    if prober.is_alive():
        raise RuntimeError(f"{server.name} {case}: the probe did not finish")
    record = {"server": server.name, "case": case, "round": round_no}
    if load is not None:
        try:
            record["load_cpu_s"] = wait_with_rusage(load, seconds + 30)
        except subprocess.TimeoutExpired:
            stop(load)
            raise RuntimeError(f"{server.name} {case}: the load did not finish")
        live.remove(load)
        load_out.close()
        with open(out_base + ".load.txt") as f:
            text = f.read()
        if load.returncode != 0:
            raise RuntimeError(f"{server.name} {case}: {cmd[0]} exited {load.returncode}:\n{text}")
        if server.protocol == "grpc":
            record["load"] = parse_h2load(text, out_base + ".h2load.log")
            os.remove(out_base + ".h2load.log")  # large; the figures are in results.jsonl
        else:
            record["load"] = parse_wrk(text)
    else:
        while time.monotonic() < t0 + seconds:
            time.sleep(0.01)
    t_cpu1 = cpu_ticks(pid)
    machine1 = machine_ticks()
    record["probe_process_cpu_s"] = self_cpu_s() - self0
    record["machine_busy_cores"] = (os.cpu_count() * (machine1[0] - machine0[0])
                                    / max(1, machine1[1] - machine0[1]))
    lat = sorted(result["latencies"])
    record["probe"] = {
        "n": len(lat),
        "failures": result["failures"],
        "p50_s": percentile(lat, 0.5),
        "p99_s": percentile(lat, 0.99),
        "max_s": lat[-1] if lat else float("nan"),
        "latencies_s": [round(x, 7) for x in result["latencies"]],
    }
    record["server_cpu_s"] = (t_cpu1 - t_cpu0) / CLK_TCK
    record["wall_s"] = time.monotonic() - t0
    record["loadavg"] = loadavg()
    results_file.write(json.dumps(record) + "\n")
    results_file.flush()
    load_part = ""
    if "load" in record:
        ld = record["load"]
        load_part = (f"load {ld['calls'] / ld['duration_s']:8.0f} calls/s "
                     f"(p50 {ld['p50_s'] * 1e3:6.2f} ms, errors {ld['errors']}), ")
    log(f"round {round_no} {case:10} {server.name:12} {load_part}"
        f"/fast_task/ p50 {record['probe']['p50_s'] * 1e3:7.2f} ms "
        f"p99 {record['probe']['p99_s'] * 1e3:7.2f} ms (n {len(lat)}), "
        f"server CPU {record['server_cpu_s']:.2f} s")
    return record


def warm_up(server, args, frames):
    for case, path in CASE_PATH.items():
        if case not in server.cases:
            continue
        if server.protocol == "grpc":
            n = 300 if case.startswith("cpu") else 2000
            cmd = ["h2load", "-t1", f"-c{args.callers}", "-m1", "-n", str(n),
                   "-H", "content-type: application/grpc", "-H", "te: trailers",
                   "--data", frames[path], f"http://127.0.0.1:{server.port}{EXECUTE}"]
        else:
            cmd = ["wrk", "-t1", f"-c{args.callers}", "-d1s", "--timeout", "10s",
                   f"http://127.0.0.1:{server.port}{path}"]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=60, check=True)


def fmt_ms(seconds):
    if seconds != seconds:  # nan
        return "-"
    ms = seconds * 1e3
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def spread(values, fmt):
    if len(values) < 2:
        return ""
    return f" ({fmt(min(values))} to {fmt(max(values))})"


def report(records, servers, callers):
    """The markdown table: per server and case, rounds pooled."""
    labels = {s.name: s.label for s in servers}
    order = [s.name for s in servers]
    rows = [
        f"| Server | Load ({callers} callers) | Load calls/s (rounds' range) | Load p50 ms | "
        "/fast_task/ p50 ms (rounds' range) | /fast_task/ p99 ms | /fast_task/ calls | "
        "Server CPU, cores |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in order:
        for case in CASES:
            rs = [r for r in records if r["server"] == name and r["case"] == case]
            if not rs:
                continue
            lat = sorted(x for r in rs for x in r["probe"]["latencies_s"])
            probe_p50s = [r["probe"]["p50_s"] for r in rs]
            failures = sum(r["probe"]["failures"] for r in rs)
            n_probe = len(lat)
            if case == "idle":
                load_cols = ["-", "-"]
                calls = 0
            else:
                calls = sum(r["load"]["calls"] for r in rs)
                duration = sum(r["load"]["duration_s"] for r in rs)
                per_round = [r["load"]["calls"] / r["load"]["duration_s"] for r in rs]
                p50 = statistics.median(r["load"]["p50_s"] for r in rs)
                load_cols = [f"{calls / duration:,.0f}{spread(per_round, lambda v: f'{v:,.0f}')}",
                             fmt_ms(p50)]
            cores = sum(r["server_cpu_s"] for r in rs) / sum(r["wall_s"] for r in rs)
            what = "none (probe alone)" if case == "idle" else f"`{case}` {CASE_PATH[case]}"
            rows.append(
                f"| {labels[name]} | {what} | {load_cols[0]} | {load_cols[1]} | "
                f"{fmt_ms(percentile(lat, 0.5))}{spread(probe_p50s, fmt_ms)} | "
                f"{fmt_ms(percentile(lat, 0.99))} | {n_probe}"
                f"{f' ({failures} failed)' if failures else ''} | {cores:.2f} |")
    rows += [
        "",
        "| Server | Load | Server, cores | Load generator, cores | Probe process, cores | "
        "Whole machine busy, cores | Others (not this run), cores |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name in order:
        for case in CASES:
            rs = [r for r in records if r["server"] == name and r["case"] == case]
            if not rs:
                continue
            wall = sum(r["wall_s"] for r in rs)
            server_c = sum(r["server_cpu_s"] for r in rs) / wall
            load_c = sum(r.get("load_cpu_s", 0.0) for r in rs) / wall
            probe_c = sum(r["probe_process_cpu_s"] for r in rs) / wall
            machine_c = sum(r["machine_busy_cores"] * r["wall_s"] for r in rs) / wall
            others = machine_c - server_c - load_c - probe_c
            rows.append(f"| {labels[name]} | `{case}` | {server_c:.2f} | {load_c:.2f} | "
                        f"{probe_c:.2f} | {machine_c:.2f} | {others:.2f} |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-bin", required=True)
    parser.add_argument("--app", default=os.path.join(HERE, "async_vs_sync.yaml"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--callers", type=int, default=32)
    parser.add_argument("--report-only", action="store_true",
                        help="rebuild report.md from --out/results.jsonl")
    args = parser.parse_args()
    if args.seconds < 2:
        parser.error("--seconds must be at least 2")

    servers = [
        Server("corouter", "corouter (1 loop, 40 executor threads)", "grpc", CASES),
        Server("corouter_x2", "corouter `--executor-threads 2`", "grpc", ["cpu_sync"]),
        Server("fastapi", "FastAPI 0.92 + uvicorn (busy loop on thread CPU time)", "http", CASES),
        Server("fastapi_wall", "FastAPI, busy loop on elapsed time (`AVS_BUSY_CLOCK=wall`)",
               "http", ["cpu_async", "cpu_sync"]),
    ]
    results_path = os.path.join(args.out, "results.jsonl")
    if args.report_only:
        with open(results_path) as f:
            records = [json.loads(line) for line in f]
        table = report(records, servers, args.callers)
        print(table)
        with open(os.path.join(args.out, "report.md"), "w") as f:
            f.write(table + "\n")
        return

    os.makedirs(args.out, exist_ok=True)
    # A private copy: a rebuild of the build tree during the run cannot swap it.
    server_bin = os.path.join(args.out, "corouter-server")
    shutil.copy2(args.server_bin, server_bin)
    pb = grpc_requests.load_messages()
    frames = {}
    for path in CASE_PATH.values():
        request = pb.ExecuteRequest()
        request.request.method = "GET"
        request.request.target = path
        frames[path] = os.path.join(args.out, path.strip("/") + ".execute.bin")
        with open(frames[path], "wb") as f:
            f.write(grpc_requests.frame(request.SerializeToString()))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        log(f"output in {args.out}; load average {loadavg()}")
        start_corouter(servers[0], server_bin, args.app, args.out, [])
        start_corouter(servers[1], server_bin, args.app, args.out, ["--executor-threads", "2"])
        start_fastapi(servers[2], args.out, "thread")
        start_fastapi(servers[3], args.out, "wall")
        for server in servers:
            check(server, pb)
            warm_up(server, args, frames)
        log("servers up, replies checked, warmed up")
        records = []
        with open(results_path, "w") as results_file:
            for round_no in range(1, args.rounds + 1):
                order = servers if round_no % 2 else list(reversed(servers))
                for case in CASES:
                    for server in order:
                        if case in server.cases:
                            records.append(measure(server, case, round_no, args, pb, frames,
                                                   results_file))
        errors = [r for r in records if r.get("load", {}).get("errors")]
        table = report(records, servers, args.callers)
        print()
        print(table)
        with open(os.path.join(args.out, "report.md"), "w") as f:
            f.write(table + "\n")
        log(f"load average at the end {loadavg()}; report: {args.out}/report.md")
        if errors:
            log(f"{len(errors)} measurements had load errors (see results.jsonl)")
            sys.exit(1)
    finally:
        for server in servers:
            if server.channel is not None:
                server.channel.close()
        stop_all()


if __name__ == "__main__":
    main()
