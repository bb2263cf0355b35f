"""Parses h2load / wrk output and prints the tables of tests/bench/run_e2e.sh.

  record RESULTS.jsonl key=value...
      Appends one measurement of one server, made of one or more rounds.
      Keys with files to parse (comma-separated, one per round):
        h2load=STDOUT,... [h2load_log=LOG,...]   h2load's summary and its
                                                 --log-file (per request:
                                                 start, status, us)
        wrk=STDOUT,...                           wrk --latency's summary
      Every other key=value is stored as is (numbers as numbers).

  table RESULTS.jsonl
      Prints the markdown tables: one row per measurement, the ratios of
      corouter to the floor and to FastAPI, and the issue's targets.
"""

import json
import re
import sys


def number(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def parse_h2load_one(stdout_path):
    text = open(stdout_path).read()
    out = {}
    m = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", text)
    if m:
        out["finished_s"] = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
        out["rps"] = float(m.group(3))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    if m:
        keys = ["total", "started", "done", "succeeded", "failed", "errored", "timeout"]
        out.update({"requests_" + k: int(v) for k, v in zip(keys, m.groups())})
    m = re.search(r"status codes: (\d+) 2xx", text)
    if m:
        out["status_2xx"] = int(m.group(1))
    return out


def parse_h2load(stdout_paths, log_paths):
    """Several rounds against one server: requests and time add up; the
    latency percentiles are over every request of every round."""
    rounds = [parse_h2load_one(p) for p in stdout_paths.split(",")]
    out = {"rounds": len(rounds)}
    for key in ("finished_s", "requests_total", "requests_succeeded", "requests_failed",
                "requests_errored", "requests_timeout", "status_2xx"):
        out[key] = sum(r.get(key, 0) for r in rounds)
    if out["finished_s"]:
        out["rps"] = out["requests_succeeded"] / out["finished_s"]
    per_round = [r["rps"] for r in rounds if "rps" in r]
    if per_round:
        out["rps_min"], out["rps_max"] = min(per_round), max(per_round)
    micros = []
    starts_ends = []
    for log_path in filter(None, (log_paths or "").split(",")):
        with open(log_path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] == "200":
                    start, took = int(parts[0]), int(parts[2])
                    micros.append(took)
                    starts_ends.append((start, start + took))
    micros.sort()
    if micros:
        out["p50_ms"] = percentile(micros, 50) / 1000
        out["p99_ms"] = percentile(micros, 99) / 1000
        out["max_ms"] = micros[-1] / 1000
        out["logged"] = len(micros)
        # First request sent to last response received (one round only).
        out["span_s"] = (max(e for _, e in starts_ends) - min(s for s, _ in starts_ends)) / 1e6
    return out


def wrk_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk_one(stdout_path):
    text = open(stdout_path).read()
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", text)
    if m:
        out["requests_total"] = int(m.group(1))
        out["finished_s"] = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
    for p in ("50", "99"):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            out[f"p{p}_ms"] = wrk_ms(m.group(1), m.group(2))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(g) for g in m.groups()) if m else 0
    return out


def parse_wrk(stdout_paths):
    """Several rounds: requests and time add up; wrk prints only percentiles,
    so p50/p99 are the median over the rounds."""
    rounds = [parse_wrk_one(p) for p in stdout_paths.split(",")]
    out = {"rounds": len(rounds)}
    for key in ("requests_total", "finished_s", "non_2xx", "socket_errors"):
        out[key] = sum(r.get(key, 0) for r in rounds)
    if out["finished_s"]:
        out["rps"] = out["requests_total"] / out["finished_s"]
    per_round = [r["rps"] for r in rounds if "rps" in r]
    if per_round:
        out["rps_min"], out["rps_max"] = min(per_round), max(per_round)
    for key in ("p50_ms", "p99_ms"):
        values = sorted(r[key] for r in rounds if key in r)
        if values:
            out[key] = values[len(values) // 2]
    return out


def cmd_record(results_path, pairs):
    record = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        record[key] = number(value)
    if "h2load" in record:
        record.update(parse_h2load(str(record.pop("h2load")), record.pop("h2load_log", None)))
    if "wrk" in record:
        record.update(parse_wrk(str(record.pop("wrk"))))
    with open(results_path, "a") as f:
        f.write(json.dumps(record) + "\n")
    shown = {k: record[k] for k in ("scenario", "server", "rps", "p50_ms", "p99_ms", "cpu_s",
                                    "hwm_kb", "finished_s") if k in record}
    print("record: " + json.dumps(shown))


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def done_requests(r):
    return r.get("requests_succeeded", r.get("requests_total")) if r else None


def cpu_per_request(r):
    """Server CPU seconds per answered request."""
    if not r or r.get("cpu_s") is None or not done_requests(r):
        return None
    return r["cpu_s"] / done_requests(r)


def cmd_table(results_path):
    rows = [json.loads(line) for line in open(results_path) if line.strip()]
    by = {(r.get("scenario"), r.get("server")): r for r in rows}
    throughput = [r for r in rows if r.get("kind") == "throughput"]
    print("| Scenario | Server | req/s (rounds min-max) | p50 ms | p99 ms "
          "| CPU s (% of 1 core) | CPU us/req | peak RSS MiB | load avg before |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in throughput:
        rps = r.get("rps")
        cpu = r.get("cpu_s")
        seconds = r.get("finished_s")
        cpu_pct = 100 * cpu / seconds if cpu is not None and seconds else None
        per_req = cpu_per_request(r)
        rps_text = fmt(rps, ",.0f")
        if r.get("rps_min") is not None:
            rps_text += f" ({r['rps_min'] / 1000:.1f}k-{r['rps_max'] / 1000:.1f}k)"
        events = r.get("events_per_call")
        if events and rps:
            rps_text += f", {rps * events:,.0f} events/s"
        print(f"| {r['scenario']} | {r['server']} | {rps_text} | {fmt(r.get('p50_ms'), '.2f')} "
              f"| {fmt(r.get('p99_ms'), '.2f')} | {fmt(cpu, '.2f')} ({fmt(cpu_pct, '.0f')}%) "
              f"| {fmt(per_req and per_req * 1e6, '.1f')} | {r.get('hwm_kb', 0) / 1024:.1f} "
              f"| {r.get('loadavg', '')} |")

    print()
    print("| Scenario | corouter/floor req/s | corouter/floor p99 | corouter/floor CPU per req "
          "| corouter/FastAPI req/s | floor/FastAPI req/s | FastAPI/corouter CPU per req |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for scenario in dict.fromkeys(r["scenario"] for r in throughput):
        c, f, p = (by.get((scenario, s)) for s in ("corouter", "floor", "fastapi"))
        if not c:
            continue
        print(f"| {scenario} | {fmt(ratio(c.get('rps'), f and f.get('rps')), '.2f')} "
              f"| {fmt(ratio(c.get('p99_ms'), f and f.get('p99_ms')), '.2f')} "
              f"| {fmt(ratio(cpu_per_request(c), cpu_per_request(f)), '.2f')} "
              f"| {fmt(ratio(c.get('rps'), p and p.get('rps')), '.2f')} "
              f"| {fmt(ratio(f and f.get('rps'), p and p.get('rps')), '.2f')} "
              f"| {fmt(ratio(cpu_per_request(p), cpu_per_request(c)), '.2f')} |")

    watched = [r for r in throughput if r.get("subscriber")]
    if watched:
        print()
        print("| Scenario | WatchTraces subscriber | events sent | events dropped |")
        print("|---|---|---:|---:|")
        for r in watched:
            print(f"| {r['scenario']} | {r['subscriber']} | {r.get('events_sent', 0):,} "
                  f"| {r.get('events_dropped', 0):,} |")

    waits = [r for r in rows if r.get("kind") == "inflight"]
    if waits:
        print()
        print("| 10,000 concurrent sleeping calls | Server | 200s | time to complete all s "
              "| p50 / max latency ms | idle RSS MiB | peak RSS MiB | RSS per in-flight KiB "
              "| load avg before |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---|")
        for r in waits:
            per = (r["hwm_kb"] - r["idle_kb"]) / r["inflight"] if "hwm_kb" in r else None
            r["per_inflight_kib"] = per
            print(f"| {r['scenario']} | {r['server']} | {r.get('status_2xx', 0)} "
                  f"| {fmt(r.get('finished_s'), '.3f')} "
                  f"| {fmt(r.get('p50_ms'), '.0f')} / {fmt(r.get('max_ms'), '.0f')} "
                  f"| {r['idle_kb'] / 1024:.1f} | {r['hwm_kb'] / 1024:.1f} | {fmt(per, '.2f')} "
                  f"| {r.get('loadavg', '')} |")

    for r in rows:
        if r.get("kind") == "skipped":
            print(f"\n{r['scenario']}: skipped: {r['reason']}")

    # The issue's targets, evaluated on this run.
    def get(scenario, server, key):
        r = by.get((scenario, server))
        return r.get(key) if r else None

    targets = []

    def target(name, value, met, text):
        targets.append((name, "n/a" if value is None else ("yes" if met else "NO"), text))

    fast = ratio(get("execute_fast_task", "corouter", "rps"),
                 get("execute_fast_task", "floor", "rps"))
    target("Execute /fast_task/ >= 0.85 x floor req/s", fast, fast is not None and fast >= 0.85,
           fmt(fast, ".2f"))
    traced = ratio(get("traced_fast_task", "corouter", "rps"),
                   get("traced_fast_task", "floor", "rps"))
    target("ExecuteTraced >= 0.6 x floor req/s", traced, traced is not None and traced >= 0.6,
           fmt(traced, ".2f"))
    for scenario in ("execute_fast_task", "execute_slow_task"):
        peer = ratio(get(scenario, "corouter", "rps"), get(scenario, "fastapi", "rps"))
        target(f">= 10 x FastAPI + uvicorn req/s ({scenario})", peer,
               peer is not None and peer >= 10, fmt(peer, ".2f"))
    p99 = ratio(get("execute_fast_task", "corouter", "p99_ms"),
                get("execute_fast_task", "floor", "p99_ms"))
    target("p99 /fast_task/ <= 1.5 x floor p99", p99, p99 is not None and p99 <= 1.5,
           fmt(p99, ".2f"))
    done = get("wait_10k", "corouter", "finished_s")
    sleep = get("wait_10k", "corouter", "sleep_s")
    done_ratio = ratio(done, sleep)
    floor_done = get("wait_10k", "floor", "finished_s")
    target("10,000 sleeping requests complete within 1.25 x the sleep", done_ratio,
           done_ratio is not None and done_ratio <= 1.25
           and get("wait_10k", "corouter", "status_2xx") == 10000,
           f"{fmt(done, '.3f')} s for a {fmt(sleep, 'g')} s sleep = {fmt(done_ratio, '.2f')} x "
           f"(the floor holding 1 s: {fmt(floor_done, '.3f')} s)")
    c = by.get(("wait_10k", "corouter"))
    f = by.get(("wait_10k", "floor"))
    if c and f and c.get("per_inflight_kib") is not None and f.get("per_inflight_kib") is not None:
        above = c["per_inflight_kib"] - f["per_inflight_kib"]
        target("<= 4 KiB RSS per in-flight request above gRPC's own", above, above <= 4,
               f"{above:.2f} KiB (corouter {c['per_inflight_kib']:.2f} - floor "
               f"{f['per_inflight_kib']:.2f})")
    # Issue 14: the trace feed.
    traced_cpu = ratio(cpu_per_request(by.get(("traced_fast_task", "corouter"), {})) or None,
                       cpu_per_request(by.get(("traced_fast_task", "floor"), {})) or None)
    target("ExecuteTraced >= 0.5 x floor req/s (issue 14)", traced,
           traced is not None and traced >= 0.5, fmt(traced, ".2f"))
    target("ExecuteTraced <= 2 x floor CPU per call (issue 14)", traced_cpu,
           traced_cpu is not None and traced_cpu <= 2, fmt(traced_cpu, ".2f"))
    live = ratio(get("watch_live_fast_task", "corouter", "rps"),
                 get("watch_live_fast_task", "floor", "rps"))
    live_drops = get("watch_live_fast_task", "corouter", "events_dropped")
    target("Execute with a LIVE subscriber >= 0.7 x floor req/s, no event lost (issue 14)", live,
           live is not None and live >= 0.7 and live_drops == 0,
           f"{fmt(live, '.2f')}, {live_drops} events dropped")
    stuck = ratio(get("watch_stuck_fast_task", "corouter", "rps"),
                  get("execute_fast_task", "corouter", "rps"))
    stuck_rss = ratio(get("watch_stuck_fast_task", "corouter", "hwm_kb"),
                      get("execute_fast_task", "corouter", "hwm_kb"))
    target("Execute with a subscriber that never reads: within 5% of none (issue 14)", stuck,
           stuck is not None and stuck >= 0.95,
           f"{fmt(stuck, '.2f')} x the req/s, {fmt(stuck_rss, '.2f')} x the peak RSS, "
           f"{get('watch_stuck_fast_task', 'corouter', 'events_dropped')} events dropped")
    target("Execute with no subscriber >= 0.9 x floor req/s (issue 14)", fast,
           fast is not None and fast >= 0.9, fmt(fast, ".2f"))
    bare = ratio(get("execute_fast_task_no_history", "corouter", "rps"),
                 get("execute_fast_task_no_history", "floor", "rps"))
    bare_cpu = ratio(cpu_per_request(by.get(("execute_fast_task_no_history", "corouter"), {})) or None,
                     cpu_per_request(by.get(("execute_fast_task_no_history", "floor"), {})) or None)
    target("Execute with no subscriber and --trace-history 0 >= 0.9 x floor req/s (issue 14)",
           bare, bare is not None and bare >= 0.9,
           f"{fmt(bare, '.2f')} ({fmt(bare_cpu, '.2f')} x the floor's CPU per call)")
    # Issue 8: OTLP export. Each scenario's corouter/floor ratio cancels the
    # machine's drift between the two scenarios.
    otlp = ratio(ratio(get("execute_fast_task_otlp", "corouter", "rps"),
                       get("execute_fast_task_otlp", "floor", "rps")),
                 ratio(get("execute_fast_task", "corouter", "rps"),
                       get("execute_fast_task", "floor", "rps")))
    otlp_cpu = ratio(cpu_per_request(by.get(("execute_fast_task_otlp", "corouter"), {})) or None,
                     cpu_per_request(by.get(("execute_fast_task", "corouter"), {})) or None)
    target("Execute with OTLP export on: within 10% of Execute's req/s (issue 8)", otlp,
           otlp is not None and otlp >= 0.9,
           f"{fmt(otlp, '.2f')} x ({fmt(otlp_cpu, '.2f')} x the CPU per call; "
           f"{get('execute_fast_task_otlp', 'corouter', 'otlp_exported')} spans exported, "
           f"{get('execute_fast_task_otlp', 'corouter', 'otlp_dropped')} dropped)")
    print()
    print("| Target (issues 5, 14 and 8) | This run | Met? |")
    print("|---|---|---|")
    for name, met, text in targets:
        print(f"| {name} | {text} | {met} |")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "record":
        cmd_record(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        cmd_table(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
