"""ONNX import/export round trip through JumpStation, checked with ONNX Runtime.

For the tutorial teacher and every fixture model that has a reference (Tests/Fixtures/models/*.ref.npz),
JumpStation runs a two-line script

    load "MODEL" as m
    export "TMP/out.onnx"

and ONNX Runtime must then give bit-identical outputs for the original and the exported file, on random
inputs of batch 1 and (when the batch dimension is dynamic) batch 3. The exported file must also be valid
ONNX and keep the model's input/output names, element types and shapes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import FIXTURE_MODELS, REPO_ROOT, SAMPLE_DATA

RUN_TIMEOUT_S = 600


def _models() -> list[Path]:
    models = [SAMPLE_DATA / "teacher.onnx"]
    # Fixture models with an ONNX Runtime reference are the valid ones; the malformed fixtures
    # (truncated, garbage, unknown_op) have none and are the importer's error-path tests.
    models += sorted(p.with_name(p.name[: -len(".ref.npz")] + ".onnx") for p in FIXTURE_MODELS.glob("*.ref.npz"))
    return models


MODELS = _models()
MODEL_IDS = [p.stem if p.parent == FIXTURE_MODELS else f"tutorial-{p.stem}" for p in MODELS]

_ORT_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
}


def _session(path: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _batch_is_dynamic(session: ort.InferenceSession) -> bool:
    return not all(isinstance(i.shape[0], int) for i in session.get_inputs() if i.shape)


def _random_inputs(session: ort.InferenceSession, batch: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    feeds = {}
    for i, info in enumerate(session.get_inputs()):
        dtype = _ORT_DTYPES.get(info.type)
        if dtype is None:
            pytest.fail(f"input {info.name!r} has unsupported type {info.type}")
        shape = []
        for axis, dim in enumerate(info.shape):
            if isinstance(dim, int):
                shape.append(dim)
            else:  # symbolic: the batch axis gets `batch`, any other free axis 1
                shape.append(batch if axis == 0 else 1)
        if np.issubdtype(dtype, np.floating):
            feeds[info.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feeds[info.name] = rng.integers(0, 10, size=shape).astype(dtype)
    return feeds


def _value_signature(values) -> list[tuple[str, int, list]]:
    """(name, elem_type, dims) per graph input/output; dims as ints, or None for symbolic/unknown."""
    sig = []
    for v in values:
        t = v.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        sig.append((v.name, t.elem_type, dims))
    return sig


def _graph_inputs(model: onnx.ModelProto) -> list:
    weights = {init.name for init in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in weights]


@pytest.fixture(scope="session")
def exported(jumpstation: Path, tmp_path_factory: pytest.TempPathFactory):
    """Runs the load/export script once per model and returns the path of the exported file."""
    cache: dict[Path, tuple[subprocess.CompletedProcess, Path, Path]] = {}

    def run(model: Path) -> Path:
        if model not in cache:
            work = tmp_path_factory.mktemp(model.stem)
            out = work / "out.onnx"
            script = work / "roundtrip.jss"
            for p in (model, out):
                assert '"' not in str(p) and "\\" not in str(p), f"path not expressible as a .jss string: {p}"
            script.write_text(f'load "{model}" as m\nexport "{out}"\n')
            env = dict(os.environ, NO_COLOR="1")
            proc = subprocess.run(
                [str(jumpstation), "run", str(script)],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT_S,
            )
            cache[model] = (proc, script, out)
        proc, script, out = cache[model]
        if proc.returncode != 0:
            pytest.fail(
                f"`jumpstation run {script}` exited {proc.returncode}\n"
                f"script:\n{script.read_text()}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        assert out.is_file(), f"exit 0 but {out} was not written\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        return out

    return run


@pytest.fixture(params=MODELS, ids=MODEL_IDS)
def model(request) -> Path:
    path: Path = request.param
    if not path.is_file():
        pytest.skip(f"{path.relative_to(REPO_ROOT)} is missing (regenerate with scripts/make-*.py)")
    return path


def test_export_is_valid_onnx(model: Path, exported) -> None:
    out = exported(model)
    onnx.checker.check_model(onnx.load(str(out)))


def test_export_keeps_signature(model: Path, exported) -> None:
    original = onnx.load(str(model))
    roundtrip = onnx.load(str(exported(model)))
    assert _value_signature(_graph_inputs(roundtrip)) == _value_signature(_graph_inputs(original))
    assert _value_signature(roundtrip.graph.output) == _value_signature(original.graph.output)


@pytest.mark.parametrize("batch", [1, 3])
def test_export_gives_identical_outputs(model: Path, exported, batch: int) -> None:
    out = exported(model)
    reference = _session(model)
    candidate = _session(out)
    if batch != 1 and not _batch_is_dynamic(reference):
        pytest.skip(f"{model.name} has a static batch dimension")
    feeds = _random_inputs(reference, batch, seed=1000 + batch)
    expected = reference.run(None, feeds)
    # Feed the exported model by position so a renamed input is reported by the signature test,
    # not as a crash here.
    candidate_feeds = {info.name: value for info, value in zip(candidate.get_inputs(), feeds.values())}
    assert len(candidate_feeds) == len(feeds), "exported model has a different number of inputs"
    actual = candidate.run(None, candidate_feeds)
    assert len(actual) == len(expected), "exported model has a different number of outputs"
    for info, want, got in zip(reference.get_outputs(), expected, actual):
        assert got.dtype == want.dtype, f"output {info.name}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"output {info.name}: shape {got.shape} != {want.shape}"
        if not np.array_equal(got, want):
            diff = np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))
            pytest.fail(f"output {info.name} differs after the round trip (max abs diff {diff:.3g})")
