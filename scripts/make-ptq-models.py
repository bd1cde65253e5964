#!/usr/bin/env python3
"""Trains the three models of the PTQ peer comparison (scripts/bench-ptq) on the tutorial data.

    .venv/bin/pip install torch                   # once; not part of scripts/requirements.txt
    .venv/bin/python scripts/make-ptq-models.py   # writes tutorials/data/models/

Data: tutorials/data/train.npz (1300 digits, 1x32x32, float32 in [0, 1], labels 0-9), made by
scripts/make-sample-data.py. Test accuracy is measured on tutorials/data/test.npz (297 samples).

Models (all 10 classes, input "input" (batch, 1, 32, 32), output "logits" (batch, 10)):

  mobilenetv3_small  MobileNetV3-Small (arXiv:1905.02244, Table 2; torchvision's block order): hard-swish,
                     squeeze-excite with hard-sigmoid, BatchNorm (eps 1e-3), width 0.5 (channels through
                     torchvision's make_divisible), 1 input channel. Adapted to 32x32 input: the stem and
                     block 9 run at stride 1 instead of 2, so the total stride is 8 instead of 32 and the last
                     stage works on 4x4 maps, as the published network does on a 128x128 image. With the
                     original strides a 32x32 input is 1x1 from block 9 on.
  dscnn              DS-CNN in the keyword-spotting style of "Hello Edge" (arXiv:1711.07128): one standard
                     conv (3x3, stride 2, 64 channels), four depthwise-separable blocks (3x3 depthwise +
                     1x1 pointwise, 64 channels, BN + ReLU after each), global average pool, Linear.
  mlp                Flatten -> Linear 1024->256 -> ReLU -> Linear 256->128 -> ReLU -> Linear 128->10.

Training: deterministic on CPU (1 thread, torch.use_deterministic_algorithms, fixed seed), AdamW with a
one-cycle schedule and the teacher's augmentation (random shifts of up to 2 pixels). After training,
BatchNorm statistics are recomputed exactly over the training set (cumulative average, no augmentation),
so the exported model does not carry momentum lag from the short run.

Export: the TorchScript exporter (torch.onnx.export(dynamo=False), opset 17, eval mode, BatchNorm folded
into the convolutions by the exporter, dynamic batch), as tutorials/data/teacher.onnx. Each file is
checked with onnx.checker and against torch in ONNX Runtime (batch 1 and the whole test split), and
tutorials/data/models/README.md is written with test accuracy, parameters, ops, size and sha256.
Results are reproducible for a given torch version and thread count (both fixed below).
"""

from __future__ import annotations

import hashlib
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tutorials" / "data"
OUT = DATA / "models"

SEED = 20241125
THREADS = 1
BATCH = 64
MAX_BYTES = 2_000_000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ MobileNetV3-Small


def make_divisible(value: float, divisor: int = 8) -> int:
    """Rounds a channel count to a multiple of `divisor`, never more than 10% below `value`."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn(cin: int, cout: int, k: int, stride: int, groups: int, act: type[nn.Module] | None) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """Global pool -> 1x1 conv (ReLU) -> 1x1 conv -> hard-sigmoid -> channel-wise multiply."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        squeezed = make_divisible(channels // 4)
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.hardsigmoid(self.expand(F.relu(self.reduce(s))))
        return x * s


class Bottleneck(nn.Module):
    """1x1 expand (skipped when expanded == input) -> kxk depthwise -> SE -> 1x1 project; residual."""

    def __init__(self, cin: int, k: int, expanded: int, cout: int, se: bool, act: type[nn.Module], stride: int):
        super().__init__()
        layers: list[nn.Module] = []
        if expanded != cin:
            layers.append(conv_bn(cin, expanded, 1, 1, 1, act))
        layers.append(conv_bn(expanded, expanded, k, stride, expanded, act))
        if se:
            layers.append(SqueezeExcite(expanded))
        layers.append(conv_bn(expanded, cout, 1, 1, 1, None))
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y


# The published table (REFERENCES.md §6): kernel, expanded, out, SE, activation, stride.
MNV3_SMALL = [
    (3, 16, 16, True, "RE", 2),
    (3, 72, 24, False, "RE", 2),
    (3, 88, 24, False, "RE", 1),
    (5, 96, 40, True, "HS", 2),
    (5, 240, 40, True, "HS", 1),
    (5, 240, 40, True, "HS", 1),
    (5, 120, 48, True, "HS", 1),
    (5, 144, 48, True, "HS", 1),
    (5, 288, 96, True, "HS", 2),
    (5, 576, 96, True, "HS", 1),
    (5, 576, 96, True, "HS", 1),
]


class MobileNetV3Small(nn.Module):
    def __init__(self, width: float, classes: int, in_channels: int, stem_stride: int, stride_one_blocks: set[int]):
        super().__init__()
        c = lambda v: make_divisible(v * width)  # noqa: E731
        stem = c(16)
        layers: list[nn.Module] = [conv_bn(in_channels, stem, 3, stem_stride, 1, nn.Hardswish)]
        cin = stem
        for index, (k, exp, out, se, act, stride) in enumerate(MNV3_SMALL, start=1):
            if index in stride_one_blocks:
                stride = 1
            activation = nn.ReLU if act == "RE" else nn.Hardswish
            layers.append(Bottleneck(cin, k, c(exp), c(out), se, activation, stride))
            cin = c(out)
        last = 6 * cin
        layers.append(conv_bn(cin, last, 1, 1, 1, nn.Hardswish))
        self.features = nn.Sequential(*layers)
        hidden = c(1024)
        self.classifier = nn.Sequential(nn.Linear(last, hidden), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(hidden, classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


# ------------------------------------------------------------------------------------ DS-CNN, MLP


class DSCNN(nn.Module):
    def __init__(self, channels: int = 64, blocks: int = 4, classes: int = 10) -> None:
        super().__init__()
        layers: list[nn.Module] = [conv_bn(1, channels, 3, 2, 1, nn.ReLU)]
        for _ in range(blocks):
            layers.append(conv_bn(channels, channels, 3, 1, channels, nn.ReLU))
            layers.append(conv_bn(channels, channels, 1, 1, 1, nn.ReLU))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(torch.flatten(x, 1))


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(1024, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


# (file stem, constructor, epochs, peak learning rate, description for the README)
SPECS = [
    (
        "mobilenetv3_small",
        lambda: MobileNetV3Small(0.5, 10, 1, stem_stride=1, stride_one_blocks={9}),
        25,
        4e-3,
        "MobileNetV3-Small, width 0.5, 1 input channel, stem and block 9 at stride 1 (total stride 8, "
        "last stage 4x4), hard-swish, SE with hard-sigmoid, BN folded",
    ),
    (
        "dscnn",
        lambda: DSCNN(),
        30,
        4e-3,
        "DS-CNN: conv3x3/2 (64) + 4 x (depthwise 3x3 + pointwise 1x1, 64), BN folded, ReLU, GAP, Linear",
    ),
    ("mlp", lambda: MLP(), 30, 2e-3, "MLP 1024-256-128-10, ReLU"),
]


# ------------------------------------------------------------------------------------- training


def shift(xb: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shifts the batch by up to 2 pixels in each direction, filling with zeros."""
    dy, dx = torch.randint(-2, 3, (2,), generator=gen).tolist()
    xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
    if dy > 0:
        xb[:, :, :dy, :] = 0
    elif dy < 0:
        xb[:, :, dy:, :] = 0
    if dx > 0:
        xb[:, :, :, :dx] = 0
    elif dx < 0:
        xb[:, :, :, dx:] = 0
    return xb


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int, lr: float, seed: int) -> None:
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * math.ceil(len(x) / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    model.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(x), BATCH):
            idx = perm[i : i + BATCH]
            xb, yb = shift(xt[idx].clone(), gen), yt[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            total += len(idx)
        if epoch == 0 or (epoch + 1) % 5 == 0:
            log(f"  epoch {epoch + 1}/{epochs}: loss {loss_sum / total:.4f}, train acc {correct / total:.4f}")
    recompute_batchnorm(model, xt)
    model.eval()


@torch.no_grad()
def recompute_batchnorm(model: nn.Module, x: torch.Tensor) -> None:
    """Replaces running statistics with the exact mean/variance over `x` (cumulative average)."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not norms:
        return
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    for i in range(0, len(x), 100):  # equal batches (1300 = 13 x 100): the cumulative average is exact
        model(x[i : i + 100])
    for m, momentum in zip(norms, saved):
        m.momentum = momentum


# --------------------------------------------------------------------------------------- export


def export(model: nn.Module, path: Path) -> onnx.ModelProto:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.zeros(1, 1, 32, 32),),
            str(path),
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    return proto


def check_against_torch(model: nn.Module, path: Path, x: np.ndarray) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = THREADS
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {"input": x})[0]
    one = session.run(["logits"], {"input": x[:1]})[0]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    diff = float(np.max(np.abs(logits - expected)))
    if not np.allclose(logits, expected, rtol=1e-4, atol=1e-4):
        raise SystemExit(f"{path.name}: ONNX Runtime disagrees with torch (max abs diff {diff:.3g})")
    if not np.allclose(one, logits[:1], rtol=1e-4, atol=1e-5):
        raise SystemExit(f"{path.name}: batch-1 output differs from the batched output")
    log(f"  ONNX Runtime vs torch on {len(x)} test samples: max abs diff {diff:.2e}")
    return logits


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    train_npz, test_npz = np.load(DATA / "train.npz"), np.load(DATA / "test.npz")
    x_train, y_train = train_npz["x"], train_npz["y"]
    x_test, y_test = test_npz["x"], test_npz["y"]

    rows = []
    for index, (name, make, epochs, lr, description) in enumerate(SPECS):
        torch.manual_seed(SEED + index)
        model = make()
        params = sum(p.numel() for p in model.parameters())
        log(f"{name}: {params} parameters, {epochs} epochs, lr {lr}")
        if name == "mobilenetv3_small":
            # The layer table at width 0.5 with a 10-class head has 409,394 parameters for 3 input
            # channels (REFERENCES.md §6); the stem here reads 1 channel: 2 x 9 x 8 fewer weights.
            expected = 409_394 - 2 * 9 * make_divisible(16 * 0.5)
            if params != expected:
                raise SystemExit(f"mobilenetv3_small has {params} parameters, expected {expected}")
        train(model, x_train, y_train, epochs, lr, SEED + index)
        path = OUT / f"{name}.onnx"
        proto = export(model, path)
        logits = check_against_torch(model, path, x_test)
        accuracy = float((logits.argmax(1) == y_test).mean())
        size = path.stat().st_size
        ops: dict[str, int] = {}
        for node in proto.graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
        op_list = ", ".join(f"{k} {v}" for k, v in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0])))
        log(f"  test accuracy {accuracy:.4f}, {size} bytes, ops: {op_list}")
        if size > MAX_BYTES:
            raise SystemExit(f"{path.name} is {size} bytes, above {MAX_BYTES}")
        print(f"{name}\t{accuracy:.4f}\t{params}\t{size}\t{sha256(path)}")
        rows.append((name, description, params, accuracy, len(proto.graph.node), op_list, size, sha256(path)))

    table = "\n".join(
        f"| `{n}.onnx` | {d} | {p:,} | {a * 100:.2f} % |" for n, d, p, a, _, _, _, _ in rows
    )
    op_table = "\n".join(f"| `{n}.onnx` | {k} | {o} |" for n, _, _, _, k, o, _, _ in rows)
    files = "\n".join(f"| `{n}.onnx` | {s} | `{h}` |" for n, _, _, _, _, _, s, h in rows)
    readme = f"""# Models for the PTQ peer comparison

Generated by `scripts/make-ptq-models.py` (needs torch in the venv; not part of
`scripts/requirements.txt`). Do not edit by hand; rerun the script instead. Reproducible for
torch {torch.__version__} with {THREADS} CPU thread(s) and seed {SEED}. `scripts/bench-ptq` quantizes them,
with the tutorial teacher, in ONNX Runtime and in JumpStation.

Trained on `../train.npz` (1300 digits), test accuracy measured with ONNX Runtime on `../test.npz`
({len(y_test)} samples). All take input `input` float32 `(batch, 1, 32, 32)` and give `logits` float32
`(batch, 10)`; exported with the TorchScript exporter (opset 17, eval mode, BatchNorm folded into the
convolutions, dynamic batch) and checked against torch in ONNX Runtime.

| file | model | parameters | test accuracy |
| --- | --- | --- | --- |
{table}

MobileNetV3-Small follows the published layer table (11 bottlenecks, 1x1 expand -> kxk depthwise -> SE ->
1x1 project, residual where stride 1 and in = out; head 1x1 conv to 6x the last width, global pool, Linear,
hard-swish, dropout, Linear) at width 0.5. A 32x32 input would be 1x1 from block 9 on with the
published strides (total 32), so the stem and block 9 run at stride 1: the network downsamples 8x and
its last stage sees 4x4 maps, as the published one does on a 128x128 image.

| file | ONNX nodes | ops |
| --- | --- | --- |
{op_table}

## Files

| file | bytes | sha256 |
| --- | --- | --- |
{files}
"""
    (OUT / "README.md").write_text(readme)
    log("wrote tutorials/data/models/README.md")


if __name__ == "__main__":
    main()
