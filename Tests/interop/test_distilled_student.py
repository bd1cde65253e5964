"""A distilled student, exported by JumpStation, runs in ONNX Runtime, TFLite Micro and LiteRT.

JumpStation distills a small `cnn` student from the tutorial teacher on the unlabelled operational
samples, quantizes it to int8 and exports both: the float student as `.onnx`, the int8 student as a
fully-integer `.tflite`. It predicts the test samples with its own executors:

    distill student=cnn width=0.5 epochs=2 on operational from teacher as student
    quantize int8 from student as student_int8
    export "student.onnx" from student
    export "student.tflite" from student_int8
    predict student on test to "float.npy"
    predict student_int8 on test to "tflm.npy"
    predict student_int8 on test to "litert.npy" arithmetic=litert

ONNX Runtime must give the float outputs within 1e-4 relative; TFLite Micro the int8 codes bit for
bit; LiteRT's reference kernels the `arithmetic=litert` codes on at least 99.9% of outputs and within
one step on all. The student must be smaller than the teacher.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import SAMPLE_DATA

SAMPLES = 64
RUN_TIMEOUT_S = 600


def _round_half_away(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def _parameters(path: Path) -> int:
    return sum(int(np.prod(t.dims)) for t in onnx.load(str(path)).graph.initializer)


@pytest.fixture(scope="module")
def student(jumpstation: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    teacher, operational, test = (SAMPLE_DATA / name for name in ("teacher.onnx", "operational.npz", "test.npz"))
    if not all(path.is_file() for path in (teacher, operational, test)):
        pytest.skip("tutorials/data is missing (regenerate with scripts/make-sample-data.py)")
    work = tmp_path_factory.mktemp("student")
    script = work / "distill.jss"
    script.write_text(
        "seed 1\n"
        f'load "{teacher}" as teacher\n'
        f'dataset operational = "{operational}"\n'
        f'dataset test = "{test}" limit={SAMPLES}\n'
        "distill student=cnn width=0.5 epochs=2 on operational from teacher as student\n"
        "quantize int8 from student as student_int8\n"
        f'export "{work / "student.onnx"}" from student\n'
        f'export "{work / "student.tflite"}" from student_int8\n'
        f'predict student on test to "{work / "float.npy"}"\n'
        f'predict student_int8 on test to "{work / "tflm.npy"}"\n'
        f'predict student_int8 on test to "{work / "litert.npy"}" arithmetic=litert\n'
    )
    completed = subprocess.run(
        [str(jumpstation), "run", str(script)], capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert completed.returncode == 0, f"jumpstation failed:\n{completed.stdout}\n{completed.stderr}"
    return work


def _samples() -> np.ndarray:
    return np.load(SAMPLE_DATA / "test.npz")["x"][:SAMPLES].astype(np.float32)


def _run_integer(interpreter_run, path: Path, expected: np.ndarray) -> np.ndarray:
    """Runs every sample through `interpreter_run` and returns |codes - expected codes|."""
    codes, scale, zero_point = interpreter_run(path)
    predicted = (_round_half_away(expected.astype(np.float64) / scale) + zero_point).astype(np.int64)
    return np.abs(codes.astype(np.int64) - predicted.reshape(codes.shape))


def _quantized_input(sample: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    x = np.moveaxis(sample[np.newaxis], 1, -1).astype(np.float32)
    return np.clip(_round_half_away(x / np.float32(scale)) + zero_point, -128, 127).astype(np.int8)


def _tflm(path: Path):
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_file(str(path))
    input_quantization = interpreter.get_input_details(0)["quantization_parameters"]
    output_quantization = interpreter.get_output_details(0)["quantization_parameters"]
    scale, zero_point = float(input_quantization["scales"][0]), int(input_quantization["zero_points"][0])
    rows = []
    for sample in _samples():
        interpreter.set_input(_quantized_input(sample, scale, zero_point), 0)
        interpreter.invoke()
        rows.append(interpreter.get_output(0)[0])
    return np.stack(rows), float(output_quantization["scales"][0]), int(output_quantization["zero_points"][0])


def _litert(path: Path):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    input_detail, output_detail = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    scale, zero_point = input_detail["quantization"]
    rows = []
    for sample in _samples():
        interpreter.set_tensor(input_detail["index"], _quantized_input(sample, scale, zero_point))
        interpreter.invoke()
        rows.append(interpreter.get_tensor(output_detail["index"])[0])
    out_scale, out_zero = output_detail["quantization"]
    return np.stack(rows), out_scale, out_zero


def test_the_float_student_runs_in_onnx_runtime_and_is_smaller(student):
    session = ort.InferenceSession(str(student / "student.onnx"), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: _samples()})[0]
    expected = np.load(student / "float.npy")
    np.testing.assert_allclose(outputs, expected.reshape(outputs.shape), rtol=1e-4, atol=1e-5)
    assert _parameters(student / "student.onnx") < _parameters(SAMPLE_DATA / "teacher.onnx") / 4


def test_the_int8_student_runs_bit_exact_in_tflite_micro(student):
    pytest.importorskip("tflite_micro.python.tflite_micro.runtime")
    difference = _run_integer(_tflm, student / "student.tflite", np.load(student / "tflm.npy"))
    assert difference.max() == 0, f"{int((difference != 0).sum())} of {difference.size} codes differ"


def test_the_int8_student_runs_in_litert(student):
    pytest.importorskip("ai_edge_litert.interpreter")
    difference = _run_integer(_litert, student / "student.tflite", np.load(student / "litert.npy"))
    assert difference.max() <= 1
    assert (difference == 0).mean() >= 0.999, f"only {(difference == 0).mean():.3%} exact"
