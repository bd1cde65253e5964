"""The compression report and the requirement vector, checked by tools that are not JumpStation.

One session quantizes the tutorial teacher for the Pico and writes every document:

    report on test to "report.json" / "report.md" / "report.html"
    export "teacher_int8.tflite"      (and FILE.requirements.json beside it)
    export "teacher_int8.onnx"        (QDQ)

Then: both JSON documents validate against their published schemas (docs/schemas); the vector's
edges match what LiteRT reads from the same file, and its operators are the file's; the copy in the
`.tflite` metadata equals the file beside it; the HTML page renders in headless Chromium with its
charts visible (their bar colours are on the screenshot).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

jsonschema = pytest.importorskip("jsonschema")

RUN_TIMEOUT_S = 900
BLUE = (0x3B, 0x7D, 0xD8)  # bars (SVGChart's default colour)
RED = (0xD8, 0x45, 0x3B)  # the arena timeline's peak op

SCRIPT = """use targets
target pico
load "{data}/teacher.onnx" as teacher
dataset operational = "{data}/operational.npz" limit=64
dataset test = "{data}/test.npz" limit=64
calibrate on operational
quantize int8
eval on test
report on test to "{out}/report.json"
report to "{out}/report.md"
report on test to "{out}/report.html"
export "{out}/teacher_int8.tflite"
export "{out}/teacher_int8.onnx"
"""


@pytest.fixture(scope="module")
def documents(jumpstation: Path, repo_root: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    script = out / "session.jss"
    script.write_text(SCRIPT.format(data=repo_root / "tutorials" / "data", out=out))
    done = subprocess.run(
        [str(jumpstation), "run", str(script)], cwd=repo_root, capture_output=True, text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _schema(repo_root: Path, name: str) -> dict:
    return json.loads((repo_root / "docs" / "schemas" / name).read_text())


def test_report_json_validates_against_its_schema(documents: Path, repo_root: Path):
    report = json.loads((documents / "report.json").read_text())
    jsonschema.validate(report, _schema(repo_root, "report.schema.json"))
    assert report["model"]["name"] == "teacher_int8"
    assert report["baseline"]["name"] == "teacher"
    assert report["target"] == "pico" and report["fits"] is False
    assert {v["budget"] for v in report["verdicts"]} == {"flash", "ram"}
    assert 0.9 < report["model"]["accuracy"] <= 1 and report["model"]["agreement"] > 0.9
    assert report["model"]["flash_bytes"] * 3 < report["baseline"]["flash_bytes"]


def test_requirement_vectors_validate_and_match_litert(documents: Path, repo_root: Path):
    from ai_edge_litert.interpreter import Interpreter

    schema = _schema(repo_root, "requirements.schema.json")
    tflite = json.loads((documents / "teacher_int8.tflite.requirements.json").read_text())
    qdq = json.loads((documents / "teacher_int8.onnx.requirements.json").read_text())
    jsonschema.validate(tflite, schema)
    jsonschema.validate(qdq, schema)
    assert qdq["format"] == "onnx-qdq" and qdq["arena_bytes"] is None
    assert tflite["accuracy"]["dataset"] == "test"

    interpreter = Interpreter(model_path=str(documents / "teacher_int8.tflite"))
    for edges, details in (
        (tflite["inputs"], interpreter.get_input_details()),
        (tflite["outputs"], interpreter.get_output_details()),
    ):
        assert len(edges) == len(details)
        for edge, detail in zip(edges, details):
            assert edge["dtype"] == np.dtype(detail["dtype"]).name
            assert edge["shape"] == list(detail["shape"])
            scale, zero_point = detail["quantization"]
            assert edge["scale"] == pytest.approx(scale, rel=1e-6)
            assert edge["zero_point"] == zero_point
    ops = {op["name"] for op in tflite["operators"]}
    assert ops == {"CONV_2D", "MAX_POOL_2D", "MEAN", "RESHAPE", "FULLY_CONNECTED"}
    assert {d["device"] for d in tflite["devices"]} >= {"uno", "pico", "turbo"}


def test_tflite_metadata_holds_the_same_vector(documents: Path):
    data = (documents / "teacher_int8.tflite").read_bytes()
    start = data.find(b'{"schema":"jumpstation.requirements/1"')
    assert start >= 0, "no requirement vector in the .tflite metadata"
    embedded, _ = json.JSONDecoder().raw_decode(data[start:].decode("utf-8", errors="ignore"))
    beside = json.loads((documents / "teacher_int8.tflite.requirements.json").read_text())
    assert embedded == beside


def test_html_report_renders_with_visible_charts(documents: Path):
    from PIL import Image

    browser = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if browser is None:
        pytest.skip("no headless Chromium: scripts/setup.sh installs chromium-headless-shell")
    shot = documents / "report.png"
    done = subprocess.run(
        [
            browser, "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
            "--window-size=900,2600", (documents / "report.html").as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0 and shot.is_file(), done.stderr
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)

    def count(color: tuple[int, int, int]) -> int:
        return int(np.all(np.abs(pixels.astype(int) - color) <= 2, axis=1).sum())

    assert count(BLUE) > 2000, "no chart bars on the screenshot"
    assert count(RED) > 500, "the arena timeline's peak column is not on the screenshot"
