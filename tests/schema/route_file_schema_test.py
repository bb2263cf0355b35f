#!/usr/bin/env python3
"""docs/route-file.schema.json stays in step with the route-file loader.

    tests/schema/route_file_schema_test.py SERVER_BIN

1. Every route file the project commits (examples, the conformance apps,
   test data, the fuzz corpus files the loader accepts) passes
   `corouter-server --check` and validates against the schema: the schema
   is never stricter than the loader.
2. Every key the loader accepts (each `Entries(..., {keys})` list and the
   step names of server/app/route_file.cc) is a property the schema names,
   and every property the schema names is a key the loader accepts.
3. Files with an unknown key, an unknown step, or a fault without its
   fail_rate are refused by both.
Uses Debian's python3-jsonschema and python3-yaml. Exits 0 when all hold.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMA = json.load(open(os.path.join(ROOT, "docs", "route-file.schema.json")))
LOADER = open(os.path.join(ROOT, "server", "app", "route_file.cc")).read()
server_bin = sys.argv[1]
failures = []


def check(path):
    run = subprocess.run([server_bin, "--check", path], capture_output=True, text=True, timeout=30)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


def schema_errors(path):
    with open(path, "rb") as f:
        document = yaml.safe_load(f)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


# 1. The committed route files.
files = sorted(set(
    glob.glob(os.path.join(ROOT, "examples", "*.yaml"))
    + glob.glob(os.path.join(ROOT, "tests", "conformance", "apps", "*.yaml"))
    + glob.glob(os.path.join(ROOT, "tests", "unit", "app", "testdata", "*.yaml"))
    + glob.glob(os.path.join(ROOT, "tests", "clients", "*.yaml"))
    + glob.glob(os.path.join(ROOT, "tests", "bench", "*.yaml"))
    + glob.glob(os.path.join(ROOT, "tests", "fuzz", "corpus", "route_file", "*.yaml"))))
accepted = 0
for path in files:
    ok, said = check(path)
    if not ok:
        if "/fuzz/" not in path:
            failures.append(f"{path}: --check refused it: {said}")
        continue  # a fuzz input the loader refuses on purpose
    accepted += 1
    try:
        errors = schema_errors(path)
    except yaml.YAMLError as e:
        errors = [f"PyYAML: {e}"]
    for error in errors:
        failures.append(f"{os.path.relpath(path, ROOT)}: the loader accepts it, the schema does not: {error}")
print(f"{accepted} committed route files pass --check and the schema")


# 2. Keys: the loader's lists against the schema's property names.
def schema_properties(node, out):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out.update(value.keys())
            schema_properties(value, out)
    elif isinstance(node, list):
        for item in node:
            schema_properties(item, out)
    return out


loader_keys = set()
for match in re.finditer(r'Entries\(\s*[^,]+,\s*"[^"]+",\s*\{([^}]*)\}', LOADER, re.S):
    loader_keys.update(re.findall(r'"([^"]+)"', match.group(1)))
steps = re.search(r"kSteps = \{([^}]*)\}", LOADER, re.S)
loader_keys.update(re.findall(r'"([^"]+)"', steps.group(1)))
# Keys the loader reads outside those lists: a model's Config, an await
# beside a step, a dependency use's fields (a vector, not a brace list).
loader_keys.update({"Config", "await", "dependency", "name", "use_cache"})
names = schema_properties(SCHEMA, set())
for key in sorted(loader_keys - names):
    failures.append(f"the loader accepts `{key}`, the schema does not name it")
for key in sorted(names - loader_keys):
    failures.append(f"the schema names `{key}`, the loader does not accept it")
print(f"{len(loader_keys)} loader keys, {len(names)} schema properties")

# 3. What both refuse.
bad = {
    "an unknown route key": "routes:\n  - {name: f, path: /f, pth: /g}\n",
    "an unknown step": "routes:\n  - {name: f, path: /f, steps: [{slep: 1s}]}\n",
    "a fault without its fail_rate": "routes:\n  - {name: f, path: /f, fault: {reset: null}}\n",
    "an unknown gRPC code": "routes:\n  - {name: f, path: /f, steps: [{abort: NOPE}]}\n",
}
with tempfile.TemporaryDirectory() as tmp:
    for what, text in bad.items():
        path = os.path.join(tmp, "bad.yaml")
        open(path, "w").write(text)
        ok, _ = check(path)
        if ok:
            failures.append(f"--check accepts {what}")
        if not schema_errors(path):
            failures.append(f"the schema accepts {what}")
print(f"{len(bad)} bad files refused by both" if not failures else "")

for f in failures:
    print(f"route_file_schema_test: FAIL: {f}", file=sys.stderr)
sys.exit(1 if failures else 0)
