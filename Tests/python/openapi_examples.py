#!/usr/bin/env python3
"""Checks every example in an OpenAPI 3.1 document against its schema (run by OpenAPITests).

openapi-spec-validator checks the document's structure but not its examples, and an example that
contradicts its schema misleads every reader. Prints one line per mismatch; exits 1 if there is any.
usage: openapi_examples.py DOCUMENT.json"""
import json, sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT = json.load(open(sys.argv[1]))
BASE = "urn:coffer:openapi"
# Local `#/components/…` references resolve against the document, registered under BASE.
REGISTRY = Registry().with_resource(BASE, Resource(contents=DOCUMENT, specification=DRAFT202012))


def resolve(node):
    """Follows a `$ref` to a component (responses, parameters, request bodies, examples)."""
    while isinstance(node, dict) and "$ref" in node:
        target = DOCUMENT
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def mismatches(schema, value):
    rebased = json.loads(json.dumps(schema).replace('"#/components', '"' + BASE + "#/components"))
    validator = Draft202012Validator(rebased, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message[:200]}" for error in validator.iter_errors(value)]


def media_examples(content, where):
    for media_type, media in content.items():
        for name, example in (media.get("examples") or {}).items():
            if "schema" in media:
                yield f"{where} {media_type} example {name}", media["schema"], resolve(example)["value"]


def examples():
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            body = resolve(operation.get("requestBody", {}))
            yield from media_examples(body.get("content", {}), where + " request")
            for status, response in operation["responses"].items():
                yield from media_examples(resolve(response).get("content", {}), f"{where} {status}")
            for parameter in map(resolve, operation.get("parameters", [])):
                if "example" in parameter:
                    yield f"{where} parameter {parameter['name']}", parameter["schema"], parameter["example"]
    components = DOCUMENT["components"]
    for name, schema in components["schemas"].items():
        for index, value in enumerate(schema.get("examples", [])):
            yield f"schema {name} example {index}", schema, value
    for name, response in components["responses"].items():
        yield from media_examples(response.get("content", {}), f"response {name}")


failures = 0
count = 0
for where, schema, value in examples():
    count += 1
    for problem in mismatches(schema, value):
        failures += 1
        print(f"{where} {problem}")
print(f"{count} examples checked, {failures} mismatches")
sys.exit(1 if failures else 0)
