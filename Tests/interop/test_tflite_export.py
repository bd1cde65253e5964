"""`.tflite` export, proven in LiteRT.

For the tutorial teacher and the fixture models, JumpStation quantizes (or keeps float), exports a
`.tflite`, and predicts on sample inputs with its own integer executor:

    load "MODEL.onnx" as m
    dataset operational = "CALIB.npz"
    dataset samples = "SAMPLES.npz"
    calibrate m on operational
    quantize PRECISION from m as q
    export "OUT.tflite" from q io=IO
    predict q on samples to "PRED.npy"

LiteRT's interpreter then runs the file on the same samples (NCHW transposed to NHWC). Exactness
comparisons use LiteRT's reference kernels (`OpResolverType.BUILTIN_REF`): the default XNNPACK delegate
and optimized kernels are free to round differently, and JumpStation reproduces the reference arithmetic.

- int8 and int4 (io=int8): LiteRT's output codes equal the codes behind `predict`'s dequantized outputs,
  element for element.
- int16x8 and io=float: within one output quantization step.
- float32 (a model that was never quantized): within 1e-4 relative of ONNX Runtime on the original model.
- every kind also loads and runs with LiteRT's default resolver.
"""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

ai_edge_litert = pytest.importorskip("ai_edge_litert.interpreter")
Interpreter = ai_edge_litert.Interpreter
OpResolverType = ai_edge_litert.OpResolverType

RUN_TIMEOUT_S = 600
SAMPLE_COUNT = 16
MODELS = ["teacher", "cnn", "dscnn", "mlp", "mnv3block"]
PRECISIONS = ["int8", "int4", "int16x8"]


def _model_path(repo_root: Path, name: str) -> Path:
    if name == "teacher":
        return repo_root / "tutorials" / "data" / "teacher.onnx"
    return repo_root / "Tests" / "Fixtures" / "models" / f"{name}.onnx"


def _input_shape(path: Path) -> list[int]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    shape = session.get_inputs()[0].shape
    return [1] + [int(d) for d in shape[1:]]


@pytest.fixture(scope="module")
def data(repo_root: Path, tmp_path_factory) -> dict[str, tuple[Path, Path, np.ndarray]]:
    """Per model: calibration data, sample data and the samples themselves (float32 NCHW)."""
    directory = tmp_path_factory.mktemp("tflite-data")
    result = {}
    for name in MODELS:
        if name == "teacher":
            calibration = repo_root / "tutorials" / "data" / "operational.npz"
            samples = np.load(repo_root / "tutorials" / "data" / "test.npz")["x"][:SAMPLE_COUNT]
        else:
            shape = _input_shape(_model_path(repo_root, name))
            rng = np.random.default_rng(zlib.crc32(name.encode()))
            calibration = directory / f"{name}-calibration.npz"
            np.savez(calibration, x=rng.standard_normal([64] + shape[1:]).astype(np.float32))
            samples = rng.standard_normal([SAMPLE_COUNT] + shape[1:]).astype(np.float32)
        samples_path = directory / f"{name}-samples.npz"
        np.savez(samples_path, x=samples)
        result[name] = (calibration, samples_path, samples)
    return result


def _run_script(jumpstation: Path, script: str, directory: Path) -> None:
    path = directory / "export.jss"
    path.write_text(script)
    completed = subprocess.run(
        [str(jumpstation), "run", str(path)], capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert completed.returncode == 0, f"jumpstation failed:\n{completed.stdout}\n{completed.stderr}"


def _export(jumpstation, repo_root, data, tmp_path, name, precision, io="int8"):
    """Quantizes (or not, for precision None), exports and predicts; returns (tflite path, predictions)."""
    calibration, samples_path, _ = data[name]
    out = tmp_path / f"{name}-{precision or 'float32'}-{io}.tflite"
    predictions = tmp_path / "predictions.npy"
    lines = [
        f'load "{_model_path(repo_root, name)}" as m',
        f'dataset operational = "{calibration}"',
        f'dataset samples = "{samples_path}"',
    ]
    if precision is None:
        lines += [f'export "{out}" from m']
    else:
        lines += [
            "calibrate m on operational",
            f"quantize {precision} from m as q",
            f'export "{out}" from q io={io}',
            f'predict q on samples to "{predictions}"',
        ]
    _run_script(jumpstation, "\n".join(lines) + "\n", tmp_path)
    assert out.stat().st_size > 0
    return out, (np.load(predictions) if precision is not None else None)


def _round_half_away(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.float64)
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def _litert_run(path: Path, samples: np.ndarray, reference: bool):
    """Runs every sample; returns (outputs as stored, output scale, output zero point)."""
    kwargs = {"experimental_op_resolver_type": OpResolverType.BUILTIN_REF} if reference else {}
    interpreter = Interpreter(model_path=str(path), **kwargs)
    interpreter.allocate_tensors()
    input_detail = interpreter.get_input_details()[0]
    output_detail = interpreter.get_output_details()[0]
    scale, zero_point = input_detail["quantization"]
    rows = []
    for sample in samples:
        x = sample[np.newaxis]
        if x.ndim >= 3:
            x = np.moveaxis(x, 1, -1)
        x = x.astype(np.float32)
        if input_detail["dtype"] != np.float32:
            info = np.iinfo(input_detail["dtype"])
            q = _round_half_away(x / np.float32(scale)) + zero_point
            x = np.clip(q, info.min, info.max).astype(input_detail["dtype"])
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        y = interpreter.get_tensor(output_detail["index"])
        if y.ndim >= 3:
            y = np.moveaxis(y, -1, 1)
        rows.append(y[0])
    out_scale, out_zero = output_detail["quantization"]
    return np.stack(rows), out_scale, out_zero


def _codes(dequantized: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return (_round_half_away(dequantized.astype(np.float64) / scale) + zero_point).astype(np.int64)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("precision", ["int8", "int4"])
def test_integer_files_match_the_integer_executor_exactly(jumpstation, repo_root, data, tmp_path, name, precision):
    path, predicted = _export(jumpstation, repo_root, data, tmp_path, name, precision)
    samples = data[name][2]
    codes, scale, zero_point = _litert_run(path, samples, reference=True)
    assert codes.dtype == np.int8
    expected = _codes(predicted, scale, zero_point).reshape(codes.shape)
    mismatches = int((codes.astype(np.int64) != expected).sum())
    assert mismatches == 0, f"{mismatches} of {codes.size} codes differ; max step {np.abs(codes - expected).max()}"
    # LiteRT's default kernels (XNNPACK) load and run it too.
    default, _, _ = _litert_run(path, samples[:2], reference=False)
    assert default.shape == codes[:2].shape


@pytest.mark.parametrize("name", MODELS)
def test_int16x8_files_are_within_one_step(jumpstation, repo_root, data, tmp_path, name):
    path, predicted = _export(jumpstation, repo_root, data, tmp_path, name, "int16x8")
    codes, scale, zero_point = _litert_run(path, data[name][2], reference=True)
    assert codes.dtype == np.int16
    expected = _codes(predicted, scale, zero_point).reshape(codes.shape)
    assert np.abs(codes.astype(np.int64) - expected).max() <= 1


@pytest.mark.parametrize("name", MODELS)
def test_float_io_files_are_within_one_step(jumpstation, repo_root, data, tmp_path, name):
    path, predicted = _export(jumpstation, repo_root, data, tmp_path, name, "int8", io="float")
    interpreter = Interpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    assert interpreter.get_input_details()[0]["dtype"] == np.float32
    assert interpreter.get_output_details()[0]["dtype"] == np.float32
    # The step is the scale of the integer tensor the DEQUANTIZE reads.
    details = interpreter.get_tensor_details()
    output_name = interpreter.get_output_details()[0]["name"]
    step = next(d for d in details if d["name"] == output_name + "_int")["quantization"][0]
    outputs, _, _ = _litert_run(path, data[name][2], reference=True)
    assert np.abs(outputs - predicted.reshape(outputs.shape)).max() <= step * 1.0001


@pytest.mark.parametrize("name", MODELS)
def test_float32_files_match_onnx_runtime(jumpstation, repo_root, data, tmp_path, name):
    path, _ = _export(jumpstation, repo_root, data, tmp_path, name, None)
    samples = data[name][2]
    outputs, _, _ = _litert_run(path, samples, reference=False)
    session = ort.InferenceSession(str(_model_path(repo_root, name)), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    expected = np.concatenate([session.run(None, {input_name: s[np.newaxis]})[0] for s in samples])
    expected = expected.reshape(outputs.shape)
    error = np.abs(outputs - expected).max() / max(np.abs(expected).max(), 1e-12)
    assert error <= 1e-4, f"relative error {error}"
