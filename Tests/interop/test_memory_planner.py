"""The memory planner against TFLite Micro's own arena, for every kind of `.tflite` the exporter writes.

For the tutorial teacher and the fixture models, JumpStation quantizes, exports, and reports the arena it
plans for the same file (`report memory`, which plans over the operator list the TFLite writer emits):

    load "MODEL.onnx" as m
    dataset operational = "CALIB.npz"
    calibrate m on operational
    quantize PRECISION from m as q
    export "OUT.tflite" from q io=IO
    let plan = report memory q io=IO
    "ARENA OUT " + (plan.arena / 1B)

TFLite Micro's Python interpreter (`tflite-micro`, reference kernels) then loads each file and its
RecordingMicroAllocator reports the arena: the head (tensors and kernel scratch, what the greedy planner
places) and the tail (persistent structs, op data). The planned arena must equal the head exactly; the
tail (persistent structs and op data) is modelled by `PersistentTail`: for a 64-bit build (`pointer_bits=64`,
as the Python interpreter is) head plus tail must be within 5% of TFLite Micro's total and never below it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

pytest.importorskip("tflite_micro.python.tflite_micro.runtime")

RUN_TIMEOUT_S = 900
MODELS = ["teacher", "cnn", "dscnn", "mlp", "mnv3block", "gated"]
# (precision, io); int16x8 only where every op has an int16 kernel (no float islands).
VARIANTS = [("int8", "int8"), ("int4", "int8"), ("int8", "float"), ("int16x8", "int8")]
INT16_MODELS = {"teacher", "cnn", "dscnn", "gated"}

# One process per file: TFLite Micro prints through C stdio, which Python's flush does not order.
TFLM_SCRIPT = """
import sys
from tflite_micro.python.tflite_micro import runtime
runtime.Interpreter.from_file(sys.argv[1]).print_allocations()
"""


def _model_path(repo_root: Path, name: str) -> Path:
    if name == "teacher":
        return repo_root / "tutorials" / "data" / "teacher.onnx"
    return repo_root / "Tests" / "Fixtures" / "models" / f"{name}.onnx"


def _calibration(repo_root: Path, name: str, directory: Path) -> Path:
    if name == "teacher":
        return repo_root / "tutorials" / "data" / "operational.npz"
    session = ort.InferenceSession(str(_model_path(repo_root, name)), providers=["CPUExecutionProvider"])
    shape = [int(d) for d in session.get_inputs()[0].shape[1:]]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    path = directory / f"{name}-calibration.npz"
    np.savez(path, x=rng.standard_normal([32] + shape).astype(np.float32))
    return path


@pytest.fixture(scope="module")
def planned(jumpstation, repo_root, tmp_path_factory) -> dict[str, dict[str, int]]:
    """Exports every variant; per file, JumpStation's planned head (`ARENA`) and whole arena for a
    64-bit build (`HOSTARENA`)."""
    directory = tmp_path_factory.mktemp("memory")
    lines = []
    for name in MODELS:
        lines += [
            f'load "{_model_path(repo_root, name)}" as {name}',
            f'dataset cal_{name} = "{_calibration(repo_root, name, directory)}"',
            f"calibrate {name} on cal_{name}",
        ]
        for precision, io in VARIANTS:
            if precision == "int16x8" and name not in INT16_MODELS:
                continue
            out = directory / f"{name}-{precision}-{io}.tflite"
            model = f"{name}_{precision}"
            if io == "int8":
                lines.append(f"quantize {precision} from {name} as {model}")
            lines += [
                f'export "{out}" from {model} io={io}',
                f"let plan = report memory {model} io={io}",
                f'"ARENA {out} " + (plan.arena / 1B)',
                f"let host = report memory {model} io={io} pointer_bits=64",
                f'"HOSTARENA {out} " + (host.tflm_arena / 1B)',
            ]
    script = directory / "plans.jss"
    script.write_text("\n".join(lines) + "\n")
    completed = subprocess.run(
        [str(jumpstation), "run", str(script)], capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert completed.returncode == 0, f"jumpstation failed:\n{completed.stdout}\n{completed.stderr}"
    result: dict[str, dict[str, int]] = {"ARENA": {}, "HOSTARENA": {}}
    for line in completed.stdout.splitlines():
        match = re.fullmatch(r"(ARENA|HOSTARENA) (\S+) (\d+)", line.strip())
        if match:
            result[match.group(1)][match.group(2)] = int(match.group(3))
    return result


@pytest.fixture(scope="module")
def plans(planned) -> dict[str, int]:
    """JumpStation's planned arena head per file."""
    return planned["ARENA"]


@pytest.fixture(scope="module")
def micro(plans) -> dict[str, tuple[int, int, int]]:
    """TFLite Micro's (total, head, tail) for every exported file."""
    result = {}
    for path in plans:
        completed = subprocess.run(
            [sys.executable, "-c", TFLM_SCRIPT, path], capture_output=True, text=True, timeout=RUN_TIMEOUT_S
        )
        assert completed.returncode == 0, completed.stderr
        # MicroPrintf writes to stderr.
        output = completed.stdout + completed.stderr
        sizes = dict(re.findall(r"Arena allocation (total|head|tail) (\d+) bytes", output))
        result[path] = (int(sizes["total"]), int(sizes["head"]), int(sizes["tail"]))
    return result


def test_every_variant_was_planned(plans):
    expected = sum(
        1 for name in MODELS for precision, _ in VARIANTS if precision != "int16x8" or name in INT16_MODELS
    )
    assert len(plans) == expected


def test_planned_arena_equals_tflite_micro_head(plans, micro):
    """The greedy plan over the exported op list reproduces TFLite Micro's head byte for byte."""
    rows = []
    mismatched = []
    for path, planned in sorted(plans.items()):
        total, head, tail = micro[path]
        rows.append(f"{Path(path).name:32} planned {planned:>9,}  head {head:>9,}  tail {tail:>6,}  total {total:>9,}")
        if planned != head:
            mismatched.append(path)
    print("\n" + "\n".join(rows))
    assert not mismatched, "planned arena differs from TFLite Micro's head:\n" + "\n".join(rows)


def test_the_tutorial_teacher_head_is_its_two_widest_activations(plans, micro):
    """344,064 B = 112x32x32 + 224x32x32 int8, both live while the second convolution runs."""
    teacher = next(path for path in plans if Path(path).name == "teacher-int8-int8.tflite")
    assert plans[teacher] == micro[teacher][1] == 112 * 32 * 32 + 224 * 32 * 32


def test_planned_whole_arena_is_within_five_percent_of_tflite_micro(planned, micro):
    """Head plus the modelled persistent tail (64-bit, as the Python interpreter is built) against the
    total TFLite Micro reports: within 5% and never below it, so an arena of that size always suffices."""
    rows = []
    failures = []
    for path, whole in sorted(planned["HOSTARENA"].items()):
        total = micro[path][0]
        error = (whole - total) / total
        rows.append(f"{Path(path).name:32} planned {whole:>9,}  TFLite Micro {total:>9,}  {error:+.2%}")
        if whole < total or error > 0.05:
            failures.append(path)
    print("\n" + "\n".join(rows))
    assert not failures, "whole arena off:\n" + "\n".join(rows)
