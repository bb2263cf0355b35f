#!/usr/bin/python3
"""Writes the OpenAPI documents FastAPI 0.92 generates for two route files:

  seed_openapi.json     examples/seed_app.yaml
  models_openapi.json   openapi_models.yaml
  methods_openapi.json  openapi_methods.yaml

Each route file becomes its FastAPI app through tests/conformance/
fastapi_adapter.py; the document is app.openapi() serialised as FastAPI's
JSONResponse serialises it. tests/unit/app/openapi_test.cc expects corouter's
BuildOpenApi to produce the same bytes. Run with Debian's Python:
    /usr/bin/python3 tests/unit/app/testdata/make_openapi_golden.py
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../.."))
sys.path.insert(0, os.path.join(ROOT, "tests/conformance"))
import fastapi_adapter  # noqa: E402

warnings.simplefilter("ignore")
for source, target in [(os.path.join(ROOT, "examples/seed_app.yaml"), "seed_openapi.json"),
                       (os.path.join(HERE, "openapi_models.yaml"), "models_openapi.json"),
                       (os.path.join(HERE, "openapi_methods.yaml"), "methods_openapi.json")]:
    document = fastapi_adapter.build_app(source).openapi()
    with open(os.path.join(HERE, target), "w", encoding="utf-8") as f:
        f.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(target, file=sys.stderr)
