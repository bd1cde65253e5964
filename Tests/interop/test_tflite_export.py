"""`.tflite` export, proven in TFLite Micro and LiteRT.

For the tutorial teacher and the fixture models, JumpStation quantizes (or keeps float), exports a
`.tflite`, and predicts on sample inputs with its own integer executor:

    load "MODEL.onnx" as m
    dataset operational = "CALIB.npz"
    dataset samples = "SAMPLES.npz"
    calibrate m on operational
    quantize PRECISION from m as q [skip=[...]]
    export "OUT.tflite" from q io=IO
    predict q on samples to "PRED.npy"

The interpreters then run the file on the same samples (NCHW transposed to NHWC, inputs quantized as
TFLite's QUANTIZE does) and the output codes are compared with the codes behind `predict`'s
dequantized outputs:

- TFLite Micro (`tflite-micro`), the runtime the files are for: int8, int4 and int16x8 bit for bit;
  `io=float` files give the same floats.
- LiteRT's reference kernels (`OpResolverType.BUILTIN_REF`), against `predict ... arithmetic=litert`
  (its per-channel FULLY_CONNECTED rounds once where TFLite Micro rounds twice): int8 and int4 bit for
  bit on at least 99.9% of outputs (all of them here), int16x8 within one step (its kernels use a
  16-bit multiplier). LiteRT's default kernels (XNNPACK, which requantizes in float) within one step.
- Layers kept in float (`skip=`): within one step (float kernels may sum in another order).
- float32 (a model never quantized): within 1e-4 relative of ONNX Runtime on the original model.
- every integer file also loads and runs with LiteRT's default resolver.
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
tflm_runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")
OpResolverType = ai_edge_litert.OpResolverType

RUN_TIMEOUT_S = 600
SAMPLE_COUNT = 16
MODELS = ["teacher", "cnn", "dscnn", "mlp", "mnv3block", "gated"]
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


def _export(jumpstation, repo_root, data, tmp_path, name, precision, io="int8", skip=None, arithmetic="tflm"):
    """Quantizes (or not, for precision None), exports and predicts with `arithmetic`'s integer arithmetic;
    returns (tflite path, predictions)."""
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
            f"quantize {precision} from m as q" + (f" skip={skip}" if skip else ""),
            f'export "{out}" from q io={io}',
            f'predict q on samples to "{predictions}" arithmetic={arithmetic}',
        ]
    _run_script(jumpstation, "\n".join(lines) + "\n", tmp_path)
    assert out.stat().st_size > 0
    return out, (np.load(predictions) if precision is not None else None)


def _round_half_away(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.float64)
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def _to_file_input(sample: np.ndarray, dtype, scales, zero_points) -> np.ndarray:
    """One NCHW sample as the file's input: NHWC, quantized as TFLite's QUANTIZE would when integer."""
    x = sample[np.newaxis]
    if x.ndim >= 3:
        x = np.moveaxis(x, 1, -1)
    x = x.astype(np.float32)
    if dtype != np.float32:
        info = np.iinfo(dtype)
        q = _round_half_away(x / np.float32(scales[0])) + int(zero_points[0])
        x = np.clip(q, info.min, info.max).astype(dtype)
    return x


def _from_file_output(y: np.ndarray) -> np.ndarray:
    """One output back in NCHW, without its batch axis."""
    if y.ndim >= 3:
        y = np.moveaxis(y, -1, 1)
    return y[0]


def _litert_run(path: Path, samples: np.ndarray, reference: bool):
    """Runs every sample; returns (outputs as stored, output scale, output zero point)."""
    kwargs = {"experimental_op_resolver_type": OpResolverType.BUILTIN_REF} if reference else {}
    interpreter = Interpreter(model_path=str(path), **kwargs)
    interpreter.allocate_tensors()
    input_detail = interpreter.get_input_details()[0]
    output_detail = interpreter.get_output_details()[0]
    parameters = input_detail["quantization_parameters"]
    rows = []
    for sample in samples:
        x = _to_file_input(sample, input_detail["dtype"], parameters["scales"], parameters["zero_points"])
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        rows.append(_from_file_output(interpreter.get_tensor(output_detail["index"])))
    out_scale, out_zero = output_detail["quantization"]
    return np.stack(rows), out_scale, out_zero


def _codes(dequantized: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return (_round_half_away(dequantized.astype(np.float64) / scale) + zero_point).astype(np.int64)


def _tflm_run(path: Path, samples: np.ndarray):
    """Runs every sample in TFLite Micro's interpreter; returns (outputs as stored, scale, zero point)."""
    interpreter = tflm_runtime.Interpreter.from_file(str(path))
    input_detail = interpreter.get_input_details(0)
    output_detail = interpreter.get_output_details(0)
    parameters = input_detail["quantization_parameters"]
    rows = []
    for sample in samples:
        x = _to_file_input(sample, input_detail["dtype"], parameters["scales"], parameters["zero_points"])
        interpreter.set_input(x, 0)
        interpreter.invoke()
        rows.append(_from_file_output(interpreter.get_output(0)))
    out = output_detail["quantization_parameters"]
    scale = float(out["scales"][0]) if len(out["scales"]) else 0.0
    zero_point = int(out["zero_points"][0]) if len(out["zero_points"]) else 0
    return np.stack(rows), scale, zero_point


def _step_difference(codes: np.ndarray, predicted: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    expected = _codes(predicted, scale, zero_point).reshape(codes.shape)
    return np.abs(codes.astype(np.int64) - expected)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("precision", PRECISIONS)
def test_integer_files_match_the_integer_executor_in_tflite_micro(
    jumpstation, repo_root, data, tmp_path, name, precision
):
    """TFLite Micro, the runtime the files are for, computes exactly what `predict` computes; int16x8 files
    are integer from end to end (HARD_SWISH is written as int16 ADD, MUL, MUL)."""
    path, predicted = _export(jumpstation, repo_root, data, tmp_path, name, precision)
    codes, scale, zero_point = _tflm_run(path, data[name][2])
    assert codes.dtype == (np.int16 if precision == "int16x8" else np.int8)
    ops = {op["op_name"] for op in Interpreter(model_path=str(path))._get_ops_details()}
    assert "DEQUANTIZE" not in ops, f"float islands: {sorted(ops)}"
    difference = _step_difference(codes, predicted, scale, zero_point)
    assert int((difference != 0).sum()) == 0, f"{int((difference != 0).sum())} of {codes.size} codes differ"


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("precision", PRECISIONS)
def test_integer_files_run_in_litert(jumpstation, repo_root, data, tmp_path, name, precision):
    """LiteRT's reference kernels compute what `predict ... arithmetic=litert` computes.

    Its int16x8 kernels requantize with a 16-bit multiplier, so int16 outputs may differ by one step;
    its default kernels (XNNPACK) requantize in float and stay within one step.
    """
    path, predicted = _export(jumpstation, repo_root, data, tmp_path, name, precision, arithmetic="litert")
    samples = data[name][2]
    codes, scale, zero_point = _litert_run(path, samples, reference=True)
    difference = _step_difference(codes, predicted, scale, zero_point)
    assert difference.max() <= 1
    if precision != "int16x8":
        assert (difference == 0).mean() >= 0.999, f"only {(difference == 0).mean():.2%} exact"
    default, _, _ = _litert_run(path, samples, reference=False)
    assert _step_difference(default, predicted, scale, zero_point).max() <= 1


@pytest.mark.parametrize("radius", [3.0, 8.0, 12.0])
def test_int16_logistic_is_bit_exact_on_every_input_code(jumpstation, tmp_path, radius):
    """A lone Sigmoid in int16x8 over all 65,536 input codes: TFLite Micro equals `predict` on every one
    (its interpolated 256-entry table, rebuilt from the formula), LiteRT's reference kernels within one step."""
    import onnx
    from onnx import TensorProto, helper

    width = 256
    graph = helper.make_graph(
        [helper.make_node("Sigmoid", ["input"], ["output"], name="sigmoid")],
        "sigmoid",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", width])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    model_path = tmp_path / "sigmoid.onnx"
    onnx.save(model, str(model_path))
    calibration = tmp_path / "calibration.npz"
    np.savez(calibration, x=np.linspace(-radius, radius, 4 * width, dtype=np.float32).reshape(4, width))
    out = tmp_path / "sigmoid.tflite"
    head = [
        f'load "{model_path}" as m',
        f'dataset operational = "{calibration}"',
        "calibrate m on operational",
        "quantize int16x8 from m as q",
    ]
    _run_script(jumpstation, "\n".join(head + [f'export "{out}" from q']) + "\n", tmp_path)
    scale = float(Interpreter(model_path=str(out)).get_input_details()[0]["quantization"][0])
    codes = np.arange(-32768, 32768, dtype=np.int64).reshape(-1, width)
    samples = (codes * np.float32(scale)).astype(np.float32)
    samples_path = tmp_path / "samples.npz"
    np.savez(samples_path, x=samples)
    predictions = {}
    for arithmetic in ("tflm", "litert"):
        target = tmp_path / f"{arithmetic}.npy"
        lines = head + [
            f'dataset samples = "{samples_path}"',
            f'predict q on samples to "{target}" arithmetic={arithmetic}',
        ]
        _run_script(jumpstation, "\n".join(lines) + "\n", tmp_path)
        predictions[arithmetic] = np.load(target)
    micro, out_scale, out_zero = _tflm_run(out, samples)
    assert micro.dtype == np.int16 and out_zero == 0 and out_scale == pytest.approx(1 / 32768)
    # The inputs reach the kernel as the codes themselves.
    assert np.array_equal(
        _to_file_input(samples[0], np.int16, [scale], [0]).reshape(-1), codes[0].astype(np.int16)
    )
    difference = _step_difference(micro, predictions["tflm"], out_scale, out_zero)
    assert int((difference != 0).sum()) == 0, f"{int((difference != 0).sum())} of {micro.size} codes differ"
    litert, _, _ = _litert_run(out, samples, reference=True)
    litert_difference = _step_difference(litert, predictions["litert"], out_scale, out_zero)
    assert litert_difference.max() <= 1
    print(f"radius {radius}: LiteRT reference exact on {(litert_difference == 0).mean():.2%} of 65,536 codes")


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
    # TFLite Micro runs it to the same floats `predict` writes.
    micro, _, _ = _tflm_run(path, data[name][2])
    np.testing.assert_array_equal(micro, predicted.reshape(micro.shape))


@pytest.mark.parametrize(
    "name,skip,precision",
    [
        ("mnv3block", '["HARD_SWISH"]', "int8"),
        ("teacher", '["/head/Gemm"]', "int8"),
        ("mnv3block", '["HARD_SWISH"]', "int16x8"),
        ("mlp", '["SOFTMAX"]', "int16x8"),
    ],
)
def test_skipped_layers_are_float_ops_between_dequantize_and_quantize(
    jumpstation, repo_root, data, tmp_path, name, skip, precision
):
    """Layers kept in float run as TFLite float ops; float kernels may sum in another order, so the
    integer outputs agree within one step (a float output within 1e-4 relative)."""
    path, predicted = _export(jumpstation, repo_root, data, tmp_path, name, precision, skip=skip)
    samples = data[name][2]
    for run in (_tflm_run, lambda p, s: _litert_run(p, s, reference=True)):
        outputs, scale, zero_point = run(path, samples)
        if outputs.dtype == np.float32:
            error = np.abs(outputs - predicted.reshape(outputs.shape)).max() / np.abs(predicted).max()
            assert error <= 1e-4
        else:
            assert _step_difference(outputs, predicted, scale, zero_point).max() <= 1
    interpreter = Interpreter(model_path=str(path))
    ops = {op["op_name"] for op in interpreter._get_ops_details()}
    assert {"DEQUANTIZE"} <= ops


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


@pytest.mark.parametrize("model", ["teacher.onnx", "models/mobilenetv3_small.onnx"])
def test_int8_files_on_the_test_split_are_the_devices_numbers(jumpstation, repo_root, tmp_path, model):
    """The acceptance run: the sample teacher and the trained MobileNetV3-Small, int8, the whole test split.

    TFLite Micro equals `predict` (its arithmetic, the default) on every output, LiteRT's reference
    kernels equal `predict ... arithmetic=litert` on every output, and the accuracy on the test split is
    the same in all three.
    """
    data = repo_root / "tutorials" / "data"
    out = tmp_path / "model.tflite"
    script = f"""
load "{data / model}" as m
dataset operational = "{data / 'operational.npz'}"
dataset test = "{data / 'test.npz'}"
calibrate m on operational
quantize int8 from m as q
export "{out}" from q
predict q on test to "{tmp_path / 'tflm.npy'}"
predict q on test to "{tmp_path / 'litert.npy'}" arithmetic=litert
"""
    _run_script(jumpstation, script, tmp_path)
    test = np.load(data / "test.npz")
    samples, labels = test["x"], test["y"]
    tflm_codes, scale, zero_point = _tflm_run(out, samples)
    assert _step_difference(tflm_codes, np.load(tmp_path / "tflm.npy"), scale, zero_point).max() == 0
    litert_codes, scale, zero_point = _litert_run(out, samples, reference=True)
    litert_difference = _step_difference(litert_codes, np.load(tmp_path / "litert.npy"), scale, zero_point)
    # Every code: LiteRT's MUL multiplier comes from float scales (modelled by `arithmetic=litert`); with
    # TFLite Micro's double multiplier 2 squeeze-excite products once moved 7 of MobileNetV3-Small's logits.
    assert int((litert_difference != 0).sum()) == 0, f"{int((litert_difference != 0).sum())} codes differ"
    accuracies = {
        name: float((codes.reshape(len(labels), -1).argmax(axis=1) == labels).mean())
        for name, codes in [
            ("tflm", tflm_codes),
            ("litert", litert_codes),
            ("predict", np.load(tmp_path / "tflm.npy").reshape(len(labels), -1)),
        ]
    }
    assert len(set(accuracies.values())) == 1, accuracies
