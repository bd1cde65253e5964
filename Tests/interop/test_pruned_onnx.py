"""A structurally pruned model, exported by JumpStation, runs in ONNX Runtime and LiteRT.

JumpStation prunes 30% of the tutorial teacher's channels (`prune 0.3 structured=true`), writes the
result as `.onnx` and as a float `.tflite`, and predicts the first test samples with its own float
executor. ONNX Runtime (and LiteRT, when installed) must load the files and give the same outputs
(within 1e-4 relative), and the ONNX file must hold fewer parameters than the original, with every
pruned convolution narrower.
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

from conftest import REPO_ROOT, SAMPLE_DATA

SAMPLES = 16


@pytest.fixture(scope="module")
def pruned(jumpstation: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    teacher = SAMPLE_DATA / "teacher.onnx"
    test = SAMPLE_DATA / "test.npz"
    if not teacher.is_file() or not test.is_file():
        pytest.skip("tutorials/data is missing (regenerate with scripts/make-sample-data.py)")
    work = tmp_path_factory.mktemp("pruned")
    out, predictions, script = work / "slim.onnx", work / "slim.npy", work / "prune.jss"
    tflite = work / "slim.tflite"
    script.write_text(
        f'load "{teacher}" as teacher\n'
        f'dataset test = "{test}" limit={SAMPLES}\n'
        "prune 0.3 structured=true\n"
        f'export "{out}"\n'
        f'export "{tflite}"\n'
        f'predict on test to "{predictions}"\n'
    )
    proc = subprocess.run(
        [str(jumpstation), "run", str(script)],
        cwd=REPO_ROOT,
        env=dict(os.environ, NO_COLOR="1"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"`jumpstation run` exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return out, predictions, tflite


def _parameters(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}


def _test_samples() -> np.ndarray:
    return np.load(SAMPLE_DATA / "test.npz")["x"][:SAMPLES].astype(np.float32)


def _relative(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-12))


def test_onnx_runtime_runs_the_pruned_model(pruned: tuple[Path, Path, Path]) -> None:
    out, predictions, _ = pruned
    onnx.checker.check_model(onnx.load(str(out)))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(out), options, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: _test_samples()})
    want = np.load(predictions)
    assert got.shape == want.shape == (SAMPLES, 10)
    relative = _relative(got, want)
    assert relative < 1e-4, f"ONNX Runtime and JumpStation differ by {relative:.3g} (relative)"


def test_litert_runs_the_pruned_tflite(pruned: tuple[Path, Path, Path]) -> None:
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    _, predictions, tflite = pruned
    want = np.load(predictions)
    interpreter = litert.Interpreter(model_path=str(tflite))
    interpreter.allocate_tensors()
    (input_detail,) = interpreter.get_input_details()
    (output_detail,) = interpreter.get_output_details()
    x = _test_samples()
    rows = []
    for sample in x:  # the float .tflite is written at batch 1
        interpreter.set_tensor(input_detail["index"], sample[None].reshape(input_detail["shape"]))
        interpreter.invoke()
        rows.append(interpreter.get_tensor(output_detail["index"]).reshape(-1))
    relative = _relative(np.stack(rows), want)
    assert relative < 1e-4, f"LiteRT and JumpStation differ by {relative:.3g} (relative)"


def test_the_pruned_model_is_smaller(pruned: tuple[Path, Path, Path]) -> None:
    out, _, _ = pruned
    original = onnx.load(str(SAMPLE_DATA / "teacher.onnx"))
    slim = onnx.load(str(out))
    count = lambda model: sum(int(a.size) for a in _parameters(model).values())  # noqa: E731
    assert count(slim) < 0.6 * count(original)
    convs = [n for n in original.graph.node if n.op_type == "Conv"]
    before, after = _parameters(original), _parameters(slim)
    slim_convs = {n.name: n for n in slim.graph.node if n.op_type == "Conv"}
    for node in convs:
        weight = node.input[1]
        other = slim_convs[node.name].input[1]
        assert after[other].shape[0] < before[weight].shape[0], f"{node.name} kept all its channels"


def test_a_residual_block_pruned_jointly_runs_in_onnx_runtime(jumpstation: Path, tmp_path: Path) -> None:
    """mnv3block's stem and projection meet at a residual Add: they lose the same channels, and the
    narrower file still computes what JumpStation computes."""
    fixture = REPO_ROOT / "Tests" / "Fixtures" / "models" / "mnv3block.onnx"
    samples = np.random.default_rng(7).standard_normal((8, 3, 32, 32)).astype(np.float32)
    np.savez(tmp_path / "samples.npz", x=samples)
    out, predictions, script = tmp_path / "slim.onnx", tmp_path / "slim.npy", tmp_path / "prune.jss"
    script.write_text(
        f'load "{fixture}" as block\n'
        f'dataset samples = "{tmp_path / "samples.npz"}"\n'
        "prune 0.3 structured=true\n"
        f'export "{out}"\n'
        f'predict on samples to "{predictions}"\n'
    )
    proc = subprocess.run(
        [str(jumpstation), "run", str(script)], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, f"jumpstation failed:\n{proc.stdout}\n{proc.stderr}"
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: samples})
    relative = _relative(got, np.load(predictions).reshape(got.shape))
    assert relative < 1e-4, f"ONNX Runtime and JumpStation differ by {relative:.3g} (relative)"
    original, slim = onnx.load(str(fixture)), onnx.load(str(out))
    count = lambda model: sum(int(a.size) for a in _parameters(model).values())  # noqa: E731
    assert count(slim) < 0.85 * count(original)
    # Both inputs of every Add keep the same channel count (the graph checks it when ONNX Runtime loads it).
    assert any(node.op_type == "Add" for node in slim.graph.node)
