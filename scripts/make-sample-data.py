#!/usr/bin/env python3
"""Regenerates the tutorial sample data and teacher model in tutorials/data/.

    .venv/bin/pip install torch scikit-learn      # once; not part of scripts/requirements.txt
    .venv/bin/python scripts/make-sample-data.py

Data: scikit-learn's bundled "digits" set (1797 images of 8x8, no download needed), upsampled to
32x32 with bilinear interpolation, float32 in [0, 1], NCHW (N, 1, 32, 32), split with a fixed seed
into train.npz (x, y), operational.npz (x only: operational data is unlabelled) and test.npz (x, y).
train/test are written with np.savez_compressed (deflated zip entries), operational.npz with plain
np.savez (stored entries), so readers meet both kinds.

Teacher: a plain CNN of the kind users bring (conv/BN/ReLU blocks, max pooling, global average
pooling, a Linear head), trained deterministically on CPU and exported with the TorchScript ONNX
exporter (opset 17, input "input", output "logits", dynamic batch). Its first two convolutions run at
full 32x32 resolution with many channels, so that its INT8 activation peak is well above the 264 KB
of RAM of a Raspberry Pi Pico: quantization alone cannot fit it there.

The script checks the exported file against torch in ONNX Runtime, measures test accuracy with ONNX
Runtime, and writes tutorials/data/README.md with the numbers and the sha256 of every file.
Results are reproducible for a given torch version and thread count (both fixed below).
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tutorials" / "data"

SEED = 20240601
THREADS = 2
N_TRAIN, N_OPERATIONAL = 1300, 200  # the rest (297) is the test split
EPOCHS = 20
BATCH = 64
PICO_RAM = 264 * 1024

# Channel widths: two full-resolution convs (32x32) then two at lower resolution.
WIDTHS = (112, 224, 160, 224)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- data


def make_data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    digits = load_digits()
    images = torch.from_numpy(digits.images.astype(np.float32) / 16.0).unsqueeze(1)  # (N,1,8,8)
    up = F.interpolate(images, size=(32, 32), mode="bilinear", align_corners=False)
    x = up.clamp(0.0, 1.0).numpy().astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(x))
    train = order[:N_TRAIN]
    operational = order[N_TRAIN : N_TRAIN + N_OPERATIONAL]
    test = order[N_TRAIN + N_OPERATIONAL :]
    return {
        "train": (x[train], y[train]),
        "operational": (x[operational], y[operational]),
        "test": (x[test], y[test]),
    }


def save_data(splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    x, y = splits["train"]
    np.savez_compressed(OUT / "train.npz", x=x, y=y)
    x, y = splits["test"]
    np.savez_compressed(OUT / "test.npz", x=x, y=y)
    x, _ = splits["operational"]
    np.savez(OUT / "operational.npz", x=x)  # unlabelled, uncompressed on purpose


# -------------------------------------------------------------------------------------- model


class DigitsCNN(nn.Module):
    """conv-BN-ReLU x2 at 32x32, pool, conv-BN-ReLU at 16x16, pool, conv-BN-ReLU at 8x8, GAP, Linear."""

    def __init__(self, widths: tuple[int, int, int, int] = WIDTHS, classes: int = 10) -> None:
        super().__init__()
        c1, c2, c3, c4 = widths

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        self.features = nn.Sequential(
            *block(1, c1),
            *block(c1, c2),
            nn.MaxPool2d(2),
            *block(c2, c3),
            nn.MaxPool2d(2),
            *block(c3, c4),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(c4, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.features(x))
        return self.head(torch.flatten(x, 1))


def train(model: nn.Module, x: np.ndarray, y: np.ndarray) -> None:
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = EPOCHS * math.ceil(len(x) / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    model.train()
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(x), generator=gen)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(x), BATCH):
            idx = perm[i : i + BATCH]
            xb, yb = xt[idx], yt[idx]
            # Light augmentation: shift by up to 2 pixels (zero fill), reproducible via `gen`.
            dx, dy = (torch.randint(-2, 3, (2,), generator=gen)).tolist()
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            if dy > 0:
                xb[:, :, :dy, :] = 0
            elif dy < 0:
                xb[:, :, dy:, :] = 0
            if dx > 0:
                xb[:, :, :, :dx] = 0
            elif dx < 0:
                xb[:, :, :, dx:] = 0
            opt.zero_grad()
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            total += len(idx)
        log(f"epoch {epoch + 1}/{EPOCHS}: loss {loss_sum / total:.4f}, train acc {correct / total:.4f}")
    model.eval()


# ------------------------------------------------------------------------------------- export


def export(model: nn.Module, path: Path) -> None:
    dummy = torch.zeros(1, 1, 32, 32)
    torch.onnx.export(
        model,
        (dummy,),
        str(path),
        dynamo=False,
        opset_version=17,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)


def int8_activation_peak(path: Path) -> tuple[int, str]:
    """Largest sum of sizes of tensors live across one op, 1 byte per element, batch 1.

    Ops run in the file's order; a tensor is live from the op that makes it to its last consumer
    (graph outputs to the end). Relu/Clip right after a Conv/Gemm/MatMul/Add are fused into it, as
    TFLite does, so they add no buffer of their own. Weights (initializers) are not activations.
    """
    model = onnx.load(str(path))
    for vi in list(model.graph.input) + list(model.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = 1
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    graph = model.graph
    sizes: dict[str, int] = {}
    for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
        dims = vi.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            sizes[vi.name] = int(np.prod([d.dim_value for d in dims], dtype=np.int64))
    weights = {init.name for init in graph.initializer}

    consumers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1
    producer = {out: node.op_type for node in graph.node for out in node.output}
    alias: dict[str, str] = {}
    nodes = []
    for node in graph.node:
        inputs = [alias.get(n, n) for n in node.input if n]
        if (
            node.op_type in ("Relu", "Clip")
            and producer.get(node.input[0]) in ("Conv", "Gemm", "MatMul", "Add")
            and consumers.get(node.input[0]) == 1
        ):
            alias[node.output[0]] = inputs[0]
            continue
        nodes.append((node.name or node.op_type, inputs, list(node.output)))
    outputs = {alias.get(o.name, o.name) for o in graph.output}

    last_use: dict[str, int] = {}
    for i, (_, inputs, _) in enumerate(nodes):
        for name in inputs:
            last_use[name] = i
    live = {i.name for i in graph.input if i.name not in weights}
    peak, where = 0, ""
    for i, (name, inputs, outs) in enumerate(nodes):
        live.update(outs)
        total = sum(sizes[t] for t in live if t not in weights)
        if total > peak:
            peak, where = total, name
        live = {t for t in live if last_use.get(t, -1) > i or t in outputs}
    return peak, where


# --------------------------------------------------------------------------------------- main


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)

    log("building data set from sklearn digits")
    splits = make_data()
    save_data(splits)
    for k, (x, y) in splits.items():
        log(f"  {k}: x {x.shape} {x.dtype}, y {y.shape}")

    model = DigitsCNN()
    params = sum(p.numel() for p in model.parameters())
    log(f"training teacher ({params} params) for {EPOCHS} epochs on {THREADS} threads")
    train(model, *splits["train"])

    teacher = OUT / "teacher.onnx"
    export(model, teacher)
    log(f"exported {teacher.relative_to(ROOT)}")

    # Parity: ONNX Runtime vs torch on the whole test split, in batches of 1 and of the full split.
    x_test, y_test = splits["test"]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = THREADS
    session = ort.InferenceSession(str(teacher), opts, providers=["CPUExecutionProvider"])
    ort_logits = session.run(["logits"], {"input": x_test})[0]
    one = session.run(["logits"], {"input": x_test[:1]})[0]
    with torch.no_grad():
        torch_logits = model(torch.from_numpy(x_test)).numpy()
    max_diff = float(np.max(np.abs(ort_logits - torch_logits)))
    if not np.allclose(ort_logits, torch_logits, rtol=1e-4, atol=1e-4):
        raise SystemExit(f"ONNX Runtime disagrees with torch: max abs diff {max_diff}")
    if not np.allclose(one, ort_logits[:1], rtol=1e-4, atol=1e-5):
        raise SystemExit("batch-1 output differs from batched output")
    accuracy = float((ort_logits.argmax(1) == y_test).mean())
    torch_accuracy = float((torch_logits.argmax(1) == y_test).mean())
    log(f"ONNX Runtime test accuracy {accuracy:.4f} (torch {torch_accuracy:.4f}), max |ort-torch| {max_diff:.2e}")
    if accuracy < 0.97:
        raise SystemExit(f"teacher accuracy {accuracy:.4f} below 0.97")

    peak, where = int8_activation_peak(teacher)
    log(f"int8 activation peak {peak} bytes ({peak / 1024:.1f} KiB) at {where}; Pico RAM {PICO_RAM} bytes")
    if peak <= PICO_RAM * 1.15:
        raise SystemExit("activation peak is not clearly above the Pico's RAM")

    onnx_model = onnx.load(str(teacher))
    ops: dict[str, int] = {}
    for node in onnx_model.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    op_list = ", ".join(f"{k} x{v}" for k, v in ops.items())

    files = ["teacher.onnx", "train.npz", "operational.npz", "test.npz"]
    rows = []
    for name in files:
        p = OUT / name
        rows.append(f"| `{name}` | {p.stat().st_size} | `{sha256(p)}` |")
        print(f"{name}\t{p.stat().st_size}\t{sha256(p)}")
    print(f"params\t{params}")
    print(f"test_accuracy_onnxruntime\t{accuracy:.4f}")
    print(f"int8_activation_peak_bytes\t{peak}")

    c1, c2, c3, c4 = WIDTHS
    readme = f"""# Sample data and teacher model

Generated by `scripts/make-sample-data.py` (needs torch and scikit-learn in the venv; not part of
`scripts/requirements.txt`). Do not edit by hand; rerun the script instead. Reproducible for
torch {torch.__version__} on {THREADS} CPU threads with seed {SEED}.

## Data

scikit-learn's bundled *digits* set (1797 handwritten digits, 8x8), upsampled to 32x32 (bilinear),
float32 in [0, 1], layout NCHW `(N, 1, 32, 32)`, split with a fixed seed:

| file | arrays | samples | zip entries |
| --- | --- | --- | --- |
| `train.npz` | `x` float32 (N,1,32,32), `y` int64 (N,) | {len(splits['train'][0])} | deflated (`np.savez_compressed`) |
| `operational.npz` | `x` float32 only (unlabelled, as operational data usually is) | {len(splits['operational'][0])} | stored (`np.savez`) |
| `test.npz` | `x` float32, `y` int64 | {len(splits['test'][0])} | deflated |

numpy writes every entry with a ZIP64 local header (sizes 0xFFFFFFFF there, real sizes in the ZIP64
extra field and in the central directory), so a reader should take sizes from the central directory.

## Teacher (`teacher.onnx`)

A plain CNN, 10 classes, exported with the TorchScript exporter (opset 17, eval mode, batch-norm folded
into the convolutions by the exporter), input `input` `(batch, 1, 32, 32)`, output `logits` `(batch, 10)`:

```
conv3x3(1->{c1})-BN-ReLU @32x32 -> conv3x3({c1}->{c2})-BN-ReLU @32x32 -> maxpool2
-> conv3x3({c2}->{c3})-BN-ReLU @16x16 -> maxpool2 -> conv3x3({c3}->{c4})-BN-ReLU @8x8
-> global average pool -> Linear({c4}->10)
```

ONNX nodes: {op_list}.

| quantity | value |
| --- | --- |
| parameters | {params} ({params / 1e6:.3f} M) |
| test accuracy (ONNX Runtime, {len(y_test)} samples) | {accuracy * 100:.2f} % |
| INT8 activation peak, batch 1 | {peak} bytes ({peak / 1024:.1f} KiB) at `{where}` |
| Raspberry Pi Pico RAM | {PICO_RAM} bytes (264 KiB) |

The activation peak is the largest sum of sizes of tensors live across one op (1 byte per element,
ops in file order, ReLU fused into the preceding convolution as TFLite does, weights excluded): the
second convolution reads a {c1}x32x32 tensor and writes a {c2}x32x32 one. INT8 quantization alone
therefore does not fit this model on a Pico; pruning channels or distilling a smaller student does.

## Files

| file | bytes | sha256 |
| --- | --- | --- |
""" + "\n".join(rows) + "\n"
    (OUT / "README.md").write_text(readme)
    log("wrote tutorials/data/README.md")


if __name__ == "__main__":
    main()
