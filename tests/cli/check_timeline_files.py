#!/usr/bin/env python3
"""Checks the files `corouter call --trace --record/--timeline` and `corouter
watch --record` write (tests/cli/trace_files_test.sh runs it on real runs).

  check_timeline_files.py trace FILE.json [--requests N] [--blocked REQUEST_LINE]
                                          [--block-at-least MS] [--flows]
  check_timeline_files.py svg FILE.svg --request-lanes N --thread-lanes N
                                       [--blocked-lane K] [--blocked-fraction F]
  check_timeline_files.py png FILE.png [--min-width W] [--blocked] [--awaiting]
                                       [--min-pixels N]

Exits 1 with one line per problem found, 0 when the file is as the format
(the Trace Event Format; client/timeline_picture.h's picture) says.
"""
import argparse
import json
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

# client/timeline_picture.h's colours.
RUNNING = (0x2E, 0x7D, 0x32)
AWAITING = (0x90, 0xCA, 0xF9)
BLOCKED = (0xD3, 0x2F, 0x2F)
REQUEST_LANE = (0xF2, 0xF2, 0xF2)
THREAD_LANE = (0xE3, 0xE8, 0xF4)

problems = []


def problem(text):
    problems.append(text)


def ns(micros):
    """A ts or dur as Perfetto reads it: microseconds truncated to nanoseconds."""
    return int(micros * 1000)


def check_trace(args):
    with open(args.file) as f:
        trace = json.load(f)
    if not isinstance(trace, dict) or not isinstance(trace.get("traceEvents"), list):
        return problem("not a {\"traceEvents\": [...]} object")
    if trace.get("displayTimeUnit") != "ms":
        problem("displayTimeUnit is not ms")
    events = trace["traceEvents"]
    for e in events:
        if "ph" not in e or "pid" not in e:
            problem(f"an event without ph or pid: {e}")
        if e.get("ph") != "M" and not isinstance(e.get("ts"), (int, float)):
            problem(f"an event without a numeric ts: {e}")
    meta = [e for e in events if e["ph"] == "M"]
    thread_names = {e["tid"]: e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    if not any(e["name"] == "process_name" and e["args"].get("name") for e in meta):
        problem("no process_name metadata")

    # Complete events: on each thread track, slices nest (here: never overlap).
    slices = [e for e in events if e["ph"] == "X"]
    by_tid = {}
    for e in slices:
        if e["dur"] < 0:
            problem(f"negative dur: {e}")
        if e["tid"] not in thread_names:
            problem(f"a slice on an unnamed thread: {e}")
        by_tid.setdefault(e["tid"], []).append(e)
    for e in slices:
        e["start_ns"], e["end_ns"] = ns(e["ts"]), ns(e["ts"]) + ns(e["dur"])
    for tid, track in by_tid.items():
        track.sort(key=lambda e: (e["start_ns"], -e["end_ns"]))
        stack = []
        for e in track:
            while stack and stack[-1]["end_ns"] <= e["start_ns"]:
                stack.pop()
            if stack and e["end_ns"] > stack[-1]["end_ns"]:
                problem(f"slices overlap without nesting on {thread_names.get(tid)}: "
                        f"{stack[-1]['name']} and {e['name']}")
            stack.append(e)
    # B/E (if any): every B has its E on the same track.
    open_b = {}
    for e in sorted((e for e in events if e["ph"] in "BE"), key=lambda e: e["ts"]):
        stack = open_b.setdefault((e["pid"], e["tid"]), [])
        if e["ph"] == "B":
            stack.append(e)
        elif not stack:
            problem(f"an E without its B: {e}")
        else:
            stack.pop()
    for key, stack in open_b.items():
        if stack:
            problem(f"B without E on {key}")

    # Async tracks: b/e pairs match (same cat, id, name, nested), instants inside.
    async_stacks = {}
    requests = {}  # id -> (name, start, end)
    for e in events:
        if e["ph"] not in "ben":
            continue
        key = (e.get("cat"), e.get("id"))
        stack = async_stacks.setdefault(key, [])
        if e["ph"] == "b":
            if not stack:
                requests[e["id"]] = [e["name"], e["ts"], None]
            stack.append(e)
        elif e["ph"] == "e":
            if not stack or stack[-1]["name"] != e["name"]:
                problem(f"an async end without its begin: {e}")
                continue
            begin = stack.pop()
            if e["ts"] < begin["ts"]:
                problem(f"an async end before its begin: {e}")
            if not stack:
                requests[e["id"]][2] = e["ts"]
        elif not stack:
            problem(f"an instant outside its request's track: {e}")
    for key, stack in async_stacks.items():
        if stack:
            problem(f"async begin without end: {key} {[b['name'] for b in stack]}")
    if args.requests is not None and len(requests) != args.requests:
        problem(f"{len(requests)} request tracks, want {args.requests}: {requests}")

    # Flows: each s has its f (same cat, name, id), both inside slices.
    def enclosing(tid, ts):
        return [x for x in by_tid.get(tid, []) if x["start_ns"] < ns(ts) < x["end_ns"]]

    flows = {}
    for e in events:
        if e["ph"] in "stf":
            flows.setdefault((e["cat"], e["name"], e["id"]), []).append(e)
    loop_to_executor = executor_to_loop = 0
    for key, parts in flows.items():
        phases = "".join(p["ph"] for p in parts)
        if phases.count("s") != 1 or phases.count("f") != 1:
            problem(f"flow {key} is {phases}, want one s and one f")
            continue
        s = next(p for p in parts if p["ph"] == "s")
        f = next(p for p in parts if p["ph"] == "f")
        if not enclosing(s["tid"], s["ts"]) or not enclosing(f["tid"], f["ts"]):
            problem(f"flow {key} is not inside slices at both ends")
        src, dst = thread_names.get(s["tid"], ""), thread_names.get(f["tid"], "")
        if src.startswith("loop-") and dst.startswith("executor-"):
            loop_to_executor += 1
        if src.startswith("executor-") and dst.startswith("loop-"):
            executor_to_loop += 1
    if args.flows and (loop_to_executor == 0 or executor_to_loop == 0):
        problem(f"want flows loop -> executor and back, got {loop_to_executor} and "
                f"{executor_to_loop}")

    if args.blocked:
        blocked = [e for e in slices if e.get("cat") == "blocked"]
        mine = [e for e in blocked if e["name"].startswith("BLOCKED loop-")
                and e["name"].endswith(args.blocked)]
        if len(mine) != 1:
            return problem(f"want one BLOCKED slice for {args.blocked}, got "
                           f"{[e['name'] for e in blocked]}")
        block = mine[0]
        start, end = block["start_ns"], block["end_ns"]
        if block["dur"] < args.block_at_least * 1000:
            problem(f"the blocked slice lasts {block['dur']} us, want at least "
                    f"{args.block_at_least} ms")
        # Nothing else ran on that loop meanwhile...
        for e in by_tid[block["tid"]]:
            if e is not block and e["start_ns"] < end and start < e["end_ns"]:
                problem(f"{e['name']} ran on the loop during the block")
        # ... no other request took a step ...
        blocker = block["args"]["request_id"]
        for e in events:
            if e["ph"] == "n" and e["id"] != blocker and start < ns(e["ts"]) < end:
                problem(f"{e['id']} took step {e['name']} during the block")
        # ... and some other request waited for it to end.
        waited = [name for rid, (name, _, stop) in requests.items()
                  if rid != blocker and stop is not None and ns(stop) >= end]
        if not waited:
            problem("no other request was still to be served when the block ended")


def svg_rects(path):
    tree = ET.parse(path)
    rects = []
    for node in tree.iter():
        if not node.tag.endswith("path"):
            continue
        m = re.search(r"fill:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", node.get("style", ""))
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", node.get("d", ""))]
        if not m or len(numbers) < 8:
            continue
        xs, ys = numbers[0::2], numbers[1::2]
        colour = tuple(round(float(v) * 255 / 100) for v in m.groups())
        rects.append((colour, min(xs), min(ys), max(xs), max(ys)))
    return rects


def check_svg(args):
    rects = svg_rects(args.file)
    request_lanes = sorted((r for r in rects if r[0] == REQUEST_LANE), key=lambda r: r[2])
    thread_lanes = sorted((r for r in rects if r[0] == THREAD_LANE), key=lambda r: r[2])
    if len(request_lanes) != args.request_lanes:
        problem(f"{len(request_lanes)} request lanes, want {args.request_lanes}")
    if len(thread_lanes) != args.thread_lanes:
        problem(f"{len(thread_lanes)} thread lanes, want {args.thread_lanes}")
    if not request_lanes:
        return
    plot_width = request_lanes[0][3] - 316  # the plot starts after the label column

    def inside(rect, lane):
        return lane[2] <= rect[2] and rect[4] <= lane[4]

    for state, name in ((RUNNING, "running"),):
        if not any(r[0] == state and any(inside(r, l) for l in request_lanes) for r in rects):
            problem(f"no {name} stretch in the request lanes")
    if args.blocked_lane is not None:
        blocked = [r for r in rects if r[0] == BLOCKED]
        for i, lane in enumerate(request_lanes):
            wide = [r for r in blocked if inside(r, lane)
                    and r[3] - r[1] >= args.blocked_fraction * plot_width]
            if (i == args.blocked_lane) != bool(wide):
                problem(f"request lane {i}: {len(wide)} blocked stretches, want "
                        f"{1 if i == args.blocked_lane else 0}")
        if not any(inside(r, l) for r in blocked for l in thread_lanes):
            problem("no blocked stretch on a thread lane")


def png_pixels(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]:
            raise ValueError(f"bad CRC in {kind}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace != 0:
        raise ValueError(f"unexpected PNG format {header}")
    bpp = 4 if colour_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        prev = line
    pixels = {}
    for line in rows:
        for i in range(0, stride, bpp):
            colour = tuple(line[i:i + 3])
            pixels[colour] = pixels.get(colour, 0) + 1
    return width, height, pixels


def check_png(args):
    width, height, colours = png_pixels(args.file)
    if width < args.min_width or height < 100:
        problem(f"the PNG is {width}x{height}")
    if len(colours) < 5:
        problem(f"the PNG is (nearly) blank: {len(colours)} colours")
    # Beyond the legend's 14x14 swatch: a stretch of at least this many pixels.
    wanted = [(REQUEST_LANE, "request lane"), (THREAD_LANE, "thread lane")]
    if args.blocked:
        wanted.append((BLOCKED, "blocked"))
    if args.awaiting:
        wanted.append((AWAITING, "awaiting"))
    for colour, name in wanted:
        if colours.get(colour, 0) < args.min_pixels:
            problem(f"{colours.get(colour, 0)} {name} pixels in the PNG, want {args.min_pixels}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="kind", required=True)
    t = sub.add_parser("trace")
    t.add_argument("file")
    t.add_argument("--requests", type=int)
    t.add_argument("--blocked")
    t.add_argument("--block-at-least", type=float, default=0)
    t.add_argument("--flows", action="store_true")
    s = sub.add_parser("svg")
    s.add_argument("file")
    s.add_argument("--request-lanes", type=int, required=True)
    s.add_argument("--thread-lanes", type=int, required=True)
    s.add_argument("--blocked-lane", type=int)
    s.add_argument("--blocked-fraction", type=float, default=0.3)
    p = sub.add_parser("png")
    p.add_argument("file")
    p.add_argument("--min-width", type=int, default=600)
    p.add_argument("--blocked", action="store_true")
    p.add_argument("--awaiting", action="store_true")
    p.add_argument("--min-pixels", type=int, default=1000)
    args = parser.parse_args()
    {"trace": check_trace, "svg": check_svg, "png": check_png}[args.kind](args)
    for text in problems:
        print(f"{args.file}: {text}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
