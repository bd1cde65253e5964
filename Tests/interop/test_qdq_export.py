"""QDQ ONNX export, run in ONNX Runtime and compared with JumpStation's integer executor.

For the tutorial teacher and the fixture models, JumpStation calibrates on a few samples, quantizes
(int8, int4 weights, int16x8), writes the model as QDQ ONNX and predicts on held-out samples with its
integer executor. ONNX Runtime must load the QDQ file and agree with those predictions:

- ONNX Runtime requantizes with float multipliers where TFLite (and the integer executor) uses
  fixed-point ones, so single codes may differ by one step and the difference can travel a few layers.
  The bound is therefore in output quantization steps (the scale of the graph output's
  DequantizeLinear): at most MAX_STEPS anywhere, and a small mean.
- Top-1 decisions agree on nearly every sample.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import numpy_helper

from conftest import FIXTURE_MODELS, REPO_ROOT, SAMPLE_DATA

RUN_TIMEOUT_S = 600
SAMPLES = 24
# Steps of the output scale, per precision (measured: int8 and int4 at most 1, int16x8 at most 2;
# int16 steps are about 128x finer, so rounding differences show as more of them).
MAX_STEPS = {"int8": 2, "int4": 2, "int16x8": 4}
MEAN_STEPS = {"int8": 0.5, "int4": 0.5, "int16x8": 1.0}

MODELS = {
    "teacher": SAMPLE_DATA / "teacher.onnx",
    "cnn": FIXTURE_MODELS / "cnn.onnx",
    "dscnn": FIXTURE_MODELS / "dscnn.onnx",
    "mlp": FIXTURE_MODELS / "mlp.onnx",
    "mnv3block": FIXTURE_MODELS / "mnv3block.onnx",
    "gated": FIXTURE_MODELS / "gated.onnx",
}
CASES = [pytest.param(m, p, id=f"{m}-{p}") for m in MODELS for p in ("int8", "int4", "int16x8")]


def _session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _inputs(model: Path, count: int, seed: int) -> np.ndarray:
    """Samples in the model's input range: real digits for the teacher, the fixture's reference input jittered otherwise."""
    if model.parent == SAMPLE_DATA:
        data = np.load(SAMPLE_DATA / "test.npz")["x"]
        rng = np.random.default_rng(seed)
        return data[rng.choice(len(data), size=count, replace=False)].astype(np.float32)
    session = _session(model)
    shape = [d if isinstance(d, int) else 1 for d in session.get_inputs()[0].shape]
    rng = np.random.default_rng(seed)
    return rng.standard_normal([count] + shape[1:]).astype(np.float32)


def _run_script(jumpstation: Path, script: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(jumpstation), "run", str(script)],
        cwd=REPO_ROOT,
        env=dict(os.environ, NO_COLOR="1"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )


def _output_scale(model: onnx.ModelProto) -> float:
    """The scale of the DequantizeLinear that writes the (first) graph output."""
    output = model.graph.output[0].name
    initializers = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if output in node.output:
            if node.op_type == "Identity":
                output = node.input[0]
                continue
    for node in model.graph.node:
        if output in node.output and node.op_type == "DequantizeLinear":
            return float(numpy_helper.to_array(initializers[node.input[1]]))
    pytest.fail(f"graph output {output!r} is not written by a DequantizeLinear")


@pytest.mark.parametrize("name,precision", CASES)
def test_qdq_export_runs_in_onnx_runtime(
    name: str, precision: str, jumpstation: Path, tmp_path: Path
) -> None:
    model = MODELS[name]
    if not model.is_file():
        pytest.skip(f"{model} is missing")
    calibration = tmp_path / "calibration.npy"
    held_out = tmp_path / "held_out.npy"
    np.save(calibration, _inputs(model, 32, seed=1))
    x = _inputs(model, SAMPLES, seed=2)
    np.save(held_out, x)
    out = tmp_path / "model.qdq.onnx"
    predictions = tmp_path / "predictions.npy"
    script = tmp_path / "qdq.jss"
    script.write_text(
        f'load "{model}" as m\n'
        f'dataset calibration = "{calibration}"\n'
        f'dataset held_out = "{held_out}"\n'
        f"calibrate on calibration\n"
        f"quantize {precision} ptq\n"
        f'export "{out}" format=onnx-qdq\n'
        f'predict on held_out to "{predictions}"\n'
    )
    proc = _run_script(jumpstation, script)
    assert proc.returncode == 0, f"script failed ({proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"

    onnx.checker.check_model(str(out), full_check=True)
    qdq = onnx.load(str(out))
    step = _output_scale(qdq)
    session = _session(out)
    ours = np.load(predictions)
    theirs = session.run(None, {session.get_inputs()[0].name: x})[0].reshape(ours.shape)

    steps = np.abs(theirs.astype(np.float64) - ours) / step
    print(f"{name} {precision}: max {steps.max():.2f} steps, mean {steps.mean():.3f}")
    assert steps.max() <= MAX_STEPS[precision], f"max {steps.max():.2f} steps of {step}"
    assert steps.mean() <= MEAN_STEPS[precision], f"mean {steps.mean():.3f} steps of {step}"
    if ours.ndim == 2 and ours.shape[1] > 1:
        agreement = float(np.mean(ours.argmax(1) == theirs.argmax(1)))
        assert agreement >= 0.9, f"top-1 agreement {agreement:.2%}"
