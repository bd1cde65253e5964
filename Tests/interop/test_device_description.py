"""The device description `target from "FILE.json"` reads, checked against its published schema
(docs/schemas/device.schema.json) by a validator that is not JumpStation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")


def _schema(repo_root: Path) -> dict:
    return json.loads((repo_root / "docs" / "schemas" / "device.schema.json").read_text())


def test_the_example_description_validates(repo_root: Path):
    example = json.loads((repo_root / "docs" / "examples" / "sensor-node.device.json").read_text())
    jsonschema.validate(example, _schema(repo_root))


def test_the_schema_refuses_what_jumpstation_refuses(repo_root: Path):
    schema = _schema(repo_root)
    good = {"name": "box", "ram": 65536, "flash": "1MB", "clock": "48MHz"}
    jsonschema.validate(good, schema)
    for bad in (
        {"name": "box", "ram": 65536, "flash": "1MB"},  # no clock
        {**good, "rma": 1},  # unknown field
        {**good, "ram": "64ms"},  # not a size
        {**good, "kind": "mcuu"},
        {**good, "name": "my box"},
        {**good, "schema": "jumpstation.requirements/1"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
