#!/usr/bin/env python3
"""Regenerates the test fixtures in Tests/Fixtures/ (models and data files).

    .venv/bin/pip install torch onnxscript      # once; not part of scripts/requirements.txt
    .venv/bin/python scripts/make-fixtures.py
    .venv/bin/python scripts/make-fixtures.py gated     # only gated.onnx (added later)

Models (Tests/Fixtures/models/), small networks with random weights from fixed seeds, exported from
torch with the TorchScript exporter (dynamo=False) and, for one of them, the dynamo exporter:

  mlp.onnx               opset 13, Flatten, Gemm, Relu, Softmax; dynamic batch
  cnn.onnx               opset 15, Conv (pads, strides, dilation), unfolded BatchNormalization,
                         Relu, MaxPool, AveragePool(ceil_mode), x.view(x.size(0), -1) as a
                         Shape/Gather/Unsqueeze/Concat/Reshape subgraph; non-square input; dynamic batch
  dscnn.onnx             opset 17, depthwise-separable CNN: depthwise Conv (group=C), pointwise Conv,
                         ReLU6 as Clip, GlobalAveragePool; static batch 1
  mnv3block.onnx         opset 19, MobileNetV3-style block at 32x32: HardSwish, squeeze-excite
                         (GlobalAveragePool, HardSigmoid, Mul), residual Add, Dropout, Gemm head;
                         dynamic batch
  mnv3block_dynamo.onnx  the same network through the dynamo exporter, opset 20
  gated.onnx             opset 17, Sigmoid twice: a SiLU gate (Sigmoid, Mul) after a Conv, and a
                         multi-label Sigmoid output after GlobalAveragePool and Gemm; dynamic batch
  truncated.onnx         the first half of cnn.onnx (does not parse)
  garbage.onnx           random bytes (does not parse)
  unknown_op.onnx        a valid ONNX model with an Einsum node named "mystery_node" (unsupported op)

Exporters drop Dropout in eval mode; the script inserts an inference-mode Dropout node (identity)
before the Gemm head of the mnv3block models so the op is covered.

Every valid model gets NAME.ref.npz: `x` (a fixed random input) and `y` (ONNX Runtime's output).

Data (Tests/Fixtures/data/): good.npy (float32, C order), bad_header.npy (valid magic, broken header),
fortran.npy (fortran_order True), wrong_shape.npz (x of shape (5,3,7,7), y of 5 labels),
labels_mismatch.npz (x of 5 samples, y of 4 labels).
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "Tests" / "Fixtures" / "models"
DATA = ROOT / "Tests" / "Fixtures" / "data"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def randomize_batchnorm(model: nn.Module, gen: torch.Generator) -> None:
    """Gives every BatchNorm non-trivial running statistics and affine parameters."""
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                n = mod.num_features
                mod.running_mean.copy_(torch.randn(n, generator=gen) * 0.2)
                mod.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
                mod.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(n, generator=gen) * 0.1)


# ------------------------------------------------------------------------------------- models


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(64, 48)
        self.fc2 = nn.Linear(48, 32)
        self.fc3 = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.softmax(self.fc3(x), dim=-1)


class CNN(nn.Module):
    """Input (N, 3, 16, 20): non-square so that H/W mix-ups show."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=1, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=2, dilation=2, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.conv3 = nn.Conv2d(16, 16, (3, 1), stride=(1, 2), padding=(1, 0))
        self.fc = nn.Linear(16 * 2 * 1, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))  # 8x16x20
        x = F.max_pool2d(x, 2)  # 8x8x10
        x = F.relu(self.bn2(self.conv2(x)))  # 16x4x5
        x = F.relu(self.conv3(x))  # 16x4x3
        x = F.avg_pool2d(x, 3, stride=2, ceil_mode=True)  # 16x2x1 (floor would give 1x1)
        x = x.view(x.size(0), -1)
        return self.fc(x)


class DSCNN(nn.Module):
    """Keyword-spotting style depthwise-separable CNN on a (1, 1, 32, 16) spectrogram."""

    def __init__(self, c: int = 24, classes: int = 12) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, c, (5, 3), stride=2, padding=(2, 1), bias=False), nn.BatchNorm2d(c), nn.ReLU6()
        )
        blocks = []
        for _ in range(2):
            blocks += [
                nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False),
                nn.BatchNorm2d(c),
                nn.ReLU6(),
                nn.Conv2d(c, c, 1, bias=False),
                nn.BatchNorm2d(c),
                nn.ReLU6(),
            ]
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


class MNv3Block(nn.Module):
    """Stem + one MobileNetV3 inverted-residual block with squeeze-excite, on (N, 3, 32, 32)."""

    def __init__(self, c: int = 16, expand: int = 48, se: int = 12, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, stride=2, padding=1)  # 16x16
        self.expand = nn.Conv2d(c, expand, 1)
        self.dw = nn.Conv2d(expand, expand, 3, padding=1, groups=expand)
        self.se_reduce = nn.Conv2d(expand, se, 1)
        self.se_expand = nn.Conv2d(se, expand, 1)
        self.project = nn.Conv2d(expand, c, 1)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(c, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.hardswish(self.stem(x))
        y = F.hardswish(self.expand(x))
        y = F.hardswish(self.dw(y))
        s = F.adaptive_avg_pool2d(y, 1)
        s = F.hardsigmoid(self.se_expand(F.relu(self.se_reduce(s))))
        y = self.project(y * s)
        x = x + y
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(self.dropout(x))


class Gated(nn.Module):
    """Sigmoid inside the network (a SiLU gate) and at its output, on (N, 3, 12, 12)."""

    def __init__(self, c: int = 8, labels: int = 6) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.fc = nn.Linear(2 * c, labels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = x * torch.sigmoid(x)  # 8x12x12
        x = F.relu(self.conv2(x))  # 16x6x6
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return torch.sigmoid(self.fc(x))


# ------------------------------------------------------------------------------------- export


def export_torchscript(
    model: nn.Module, shape: tuple[int, ...], opset: int, dynamic_batch: bool, **kwargs
) -> onnx.ModelProto:
    buf = io.BytesIO()
    dynamic_axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic_batch else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.zeros(shape),),
            buf,
            dynamo=False,
            opset_version=opset,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes=dynamic_axes,
            **kwargs,
        )
    return onnx.load_from_string(buf.getvalue())


def export_dynamo(model: nn.Module, shape: tuple[int, ...], opset: int) -> onnx.ModelProto:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            model,
            (torch.zeros(shape),),
            dynamo=True,
            opset_version=opset,
            input_names=["input"],
            output_names=["output"],
            dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1, max=1024)}},
            verbose=False,
        )
    return program.model_proto


def insert_dropout_before_head(model: onnx.ModelProto) -> None:
    """Puts an inference-mode Dropout (ratio 0.2, no training_mode: identity) before the last Gemm."""
    graph = model.graph
    index = max(i for i, n in enumerate(graph.node) if n.op_type == "Gemm")
    gemm = graph.node[index]
    graph.initializer.append(numpy_helper.from_array(np.array(0.2, dtype=np.float32), "dropout_ratio"))
    dropped = gemm.input[0] + "_dropout"
    node = helper.make_node("Dropout", [gemm.input[0], "dropout_ratio"], [dropped], name="head_dropout")
    gemm.input[0] = dropped
    graph.node.insert(index, node)


def run_ort(model_bytes: bytes, x: np.ndarray) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def save_model(name: str, model: onnx.ModelProto, torch_model: nn.Module, shape: tuple[int, ...], seed: int) -> bytes:
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    (MODELS / f"{name}.onnx").write_bytes(data)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    batch = 2 if dims[0].HasField("dim_param") or not dims[0].HasField("dim_value") else shape[0]
    x = np.random.default_rng(seed).standard_normal((batch, *shape[1:])).astype(np.float32)
    y = run_ort(data, x)
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(x)).numpy()
    if not np.allclose(y, expected, rtol=1e-4, atol=1e-5):
        raise SystemExit(f"{name}: ONNX Runtime disagrees with torch (max {np.max(np.abs(y - expected))})")
    np.savez(MODELS / f"{name}.ref.npz", x=x, y=y)
    ops = sorted({n.op_type for n in model.graph.node})
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    log(f"  {name}.onnx: {len(data)} bytes, opset {opset}, ops {', '.join(ops)}")
    return data


def make_gated() -> None:
    torch.manual_seed(5)
    gated = Gated().eval()
    save_model("gated", export_torchscript(gated, (1, 3, 12, 12), 17, True), gated, (1, 3, 12, 12), 105)


def make_models() -> None:
    MODELS.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(1)
    mlp = MLP().eval()
    save_model("mlp", export_torchscript(mlp, (1, 1, 8, 8), 13, True), mlp, (1, 1, 8, 8), 101)

    torch.manual_seed(2)
    cnn = CNN().eval()
    randomize_batchnorm(cnn, torch.Generator().manual_seed(2))
    onnx_cnn = export_torchscript(
        cnn,
        (1, 3, 16, 20),
        15,
        True,
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=False,
    )
    cnn_bytes = save_model("cnn", onnx_cnn, cnn, (1, 3, 16, 20), 102)

    torch.manual_seed(3)
    dscnn = DSCNN().eval()
    randomize_batchnorm(dscnn, torch.Generator().manual_seed(3))
    save_model("dscnn", export_torchscript(dscnn, (1, 1, 32, 16), 17, False), dscnn, (1, 1, 32, 16), 103)

    torch.manual_seed(4)
    block = MNv3Block().eval()
    onnx_block = export_torchscript(block, (1, 3, 32, 32), 19, True)
    insert_dropout_before_head(onnx_block)
    save_model("mnv3block", onnx_block, block, (1, 3, 32, 32), 104)

    try:
        onnx_dyn = export_dynamo(block, (1, 3, 32, 32), 20)
        insert_dropout_before_head(onnx_dyn)
        save_model("mnv3block_dynamo", onnx_dyn, block, (1, 3, 32, 32), 104)
    except Exception as err:  # the dynamo exporter is optional for the fixture set
        log(f"  mnv3block_dynamo.onnx: dynamo export failed, skipped ({err})")

    # Malformed models.
    truncated = cnn_bytes[: len(cnn_bytes) // 2]
    garbage = np.random.default_rng(7).bytes(4096)
    for name, blob in (("truncated", truncated), ("garbage", garbage)):
        try:
            onnx.load_from_string(blob)
        except Exception:
            pass
        else:
            raise SystemExit(f"{name}.onnx unexpectedly parses as ONNX")
        (MODELS / f"{name}.onnx").write_bytes(blob)
        log(f"  {name}.onnx: {len(blob)} bytes (does not parse)")

    make_gated()
    make_unknown_op()


def make_unknown_op() -> None:
    rng = np.random.default_rng(8)
    w = numpy_helper.from_array(rng.standard_normal((16, 4)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal((4,)).astype(np.float32), "b")
    nodes = [
        helper.make_node("Flatten", ["input"], ["flat"], name="flatten", axis=1),
        helper.make_node("Einsum", ["flat", "w"], ["mixed"], name="mystery_node", equation="ni,io->no"),
        helper.make_node("Add", ["mixed", "b"], ["biased"], name="add_bias"),
        helper.make_node("Relu", ["biased"], ["output"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes,
        "unknown_op",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 4, 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4])],
        initializer=[w, b],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    run_ort(data, np.zeros((1, 1, 4, 4), np.float32))  # valid ONNX: ONNX Runtime runs it
    (MODELS / "unknown_op.onnx").write_bytes(data)
    log(f"  unknown_op.onnx: {len(data)} bytes, Einsum node 'mystery_node'")


# --------------------------------------------------------------------------------------- data


def make_data() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(9)

    good = rng.random((4, 1, 8, 8), dtype=np.float32)
    np.save(DATA / "good.npy", good)

    fortran = np.asfortranarray(np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5))
    np.save(DATA / "fortran.npy", fortran)
    assert b"'fortran_order': True" in (DATA / "fortran.npy").read_bytes()[:128]

    # Valid magic and version, header length consistent, but the header dict is cut off.
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (4, 1, 8"
    header = header + b" " * (64 - 10 - len(header) - 1) + b"\n"
    (DATA / "bad_header.npy").write_bytes(
        b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + good.tobytes()[:64]
    )
    try:
        np.load(DATA / "bad_header.npy")
    except Exception:
        pass
    else:
        raise SystemExit("bad_header.npy unexpectedly loads")

    np.savez(
        DATA / "wrong_shape.npz",
        x=rng.random((5, 3, 7, 7), dtype=np.float32),
        y=np.arange(5, dtype=np.int64),
    )
    np.savez(
        DATA / "labels_mismatch.npz",
        x=rng.random((5, 1, 32, 32), dtype=np.float32),
        y=np.arange(4, dtype=np.int64),
    )
    for p in sorted(DATA.iterdir()):
        log(f"  data/{p.name}: {p.stat().st_size} bytes")


def main() -> None:
    torch.set_num_threads(1)
    if sys.argv[1:] == ["gated"]:  # one model added later, without rewriting the others
        MODELS.mkdir(parents=True, exist_ok=True)
        make_gated()
        return
    log("writing Tests/Fixtures/models")
    make_models()
    log("writing Tests/Fixtures/data")
    make_data()


if __name__ == "__main__":
    main()
