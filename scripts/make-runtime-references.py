#!/usr/bin/env python3
"""Regenerates the float-runtime per-op references in Tests/Fixtures/runtime/.

    .venv/bin/python scripts/make-runtime-references.py

Each case is a tiny ONNX graph built with onnx.helper around one op (or a short chain) with one runtime
input `x` (batch dimension symbolic `N` unless the op needs otherwise) and random float initializers from
a fixed seed. ONNX Runtime (CPU, 1 thread, all graph optimizations off) runs it on a fixed random input of
three samples, and the script writes NAME.onnx and NAME.ref.npz (`x` input, `y` output). The Swift tests
(Tests/JumpEngineTests/Runtime/OpParityTests.swift) run every pair through FloatExecutor with a planned
batch of 2, so the three samples also exercise a smaller last pass.

teacher.ref.npz holds the first 8 samples of tutorials/data/test.npz and ONNX Runtime's logits for
tutorials/data/teacher.onnx (the model itself is not copied).

Covered: Conv (bias / no bias, strides, asymmetric pads, dilations, groups, auto_pad SAME_UPPER /
SAME_LOWER / VALID, 1x1 pointwise and strided 1x1, 1-D), depthwise Conv (multiplier 1 and 2, strided),
Conv+BatchNormalization+activation chains (the executor fuses them), MaxPool (pads, strides, dilations,
ceil_mode), AveragePool (pads with and without count_include_pad, ceil_mode), GlobalAveragePool, Relu,
Clip (both bounds, min only), HardSwish, HardSigmoid, Sigmoid, Add/Sub/Mul/Div broadcasting (same shape,
scalar, per-channel, [N,C,1,1], rows, both sides, constant on the left), ReduceMean (axes, keepdims,
non-adjacent axes, all axes, opset-18 axes input), Softmax (axes -1, 1, 0; opset 11), Gemm (transA,
transB, alpha, beta, C as [N], [M,1], scalar, absent), MatMul (2-D weight, batched, broadcast batch,
1-D operands), Transpose (perms, default), Concat (axes 0, 1, -1), Reshape/Flatten/Squeeze/Unsqueeze,
standalone BatchNormalization.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "runtime"
RNG = np.random.default_rng(20240611)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def rand(*shape: int, scale: float = 1.0) -> np.ndarray:
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


class Case:
    """One graph under construction: input `x`, nodes, initializers, output `y`."""

    def __init__(self, name: str, x_shape: list, opset: int = 17) -> None:
        self.name = name
        self.x_shape = x_shape
        self.opset = opset
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def const(self, value: np.ndarray, name: str | None = None) -> str:
        self.count += 1
        name = name or f"c{self.count}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs) -> str:
        self.count += 1
        out = f"t{self.count}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"{op_type.lower()}_{self.count}", **attrs))
        return out

    def save(self, y: str) -> int:
        self.nodes[-1].output[0] = "y" if self.nodes[-1].output[0] == y else self.nodes[-1].output[0]
        if y != "y":
            for node in self.nodes:
                for i, name in enumerate(node.input):
                    if name == y:
                        node.input[i] = "y"
        graph = helper.make_graph(
            self.nodes,
            self.name,
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, self.x_shape)],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
            self.inits,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)], producer_name="make-runtime-references")
        model.ir_version = 8
        onnx.checker.check_model(model) if False else None  # outputs carry no shape: the checker insists on one
        data = model.SerializeToString()
        shape = [3 if isinstance(d, str) else d for d in self.x_shape]
        x = rand(*shape)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        y_value = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
        (OUT / f"{self.name}.onnx").write_bytes(data)
        np.savez(OUT / f"{self.name}.ref.npz", x=x, y=y_value.astype(np.float32))
        return len(data)


def single(name: str, x_shape: list, op_type: str, extra: list[np.ndarray] | None = None, opset: int = 17, **attrs) -> Case:
    """x -> op(x, *constants) -> y."""
    case = Case(name, x_shape, opset)
    inputs = ["x"] + [case.const(v) if v is not None else "" for v in (extra or [])]
    case.op(op_type, inputs, **attrs)
    return case


def conv_cases() -> list[Case]:
    n = "N"
    cases = [
        single("conv_basic", [n, 3, 8, 8], "Conv", [rand(4, 3, 3, 3), rand(4)], pads=[1, 1, 1, 1]),
        single("conv_strides_asym_pads", [n, 3, 9, 8], "Conv", [rand(5, 3, 3, 2)], strides=[2, 1], pads=[1, 0, 2, 1]),
        single("conv_dilation", [n, 2, 10, 9], "Conv", [rand(3, 2, 3, 3), rand(3)], dilations=[2, 3], pads=[2, 1, 2, 3]),
        single("conv_groups", [n, 4, 7, 7], "Conv", [rand(6, 2, 3, 3), rand(6)], group=2, strides=[2, 2]),
        single("conv_same_upper", [n, 3, 7, 6], "Conv", [rand(4, 3, 3, 3)], auto_pad="SAME_UPPER", strides=[2, 2]),
        single("conv_same_lower", [n, 3, 7, 6], "Conv", [rand(4, 3, 4, 4), rand(4)], auto_pad="SAME_LOWER", strides=[2, 1]),
        single("conv_valid", [n, 3, 7, 6], "Conv", [rand(4, 3, 3, 3)], auto_pad="VALID"),
        single("conv_pointwise", [n, 6, 5, 4], "Conv", [rand(8, 6, 1, 1), rand(8)]),
        single("conv_pointwise_stride2", [n, 6, 5, 4], "Conv", [rand(8, 6, 1, 1)], strides=[2, 2]),
        single("conv_1d", [n, 3, 12], "Conv", [rand(4, 3, 3), rand(4)], strides=[2], pads=[1, 2], dilations=[2]),
        single("depthwise", [n, 5, 8, 7], "Conv", [rand(5, 1, 3, 3), rand(5)], group=5, pads=[1, 1, 1, 1]),
        single("depthwise_stride2", [n, 4, 9, 8], "Conv", [rand(4, 1, 3, 3)], group=4, strides=[2, 2], pads=[0, 1, 1, 0]),
        single("depthwise_5x5_dilated", [n, 3, 11, 10], "Conv", [rand(3, 1, 5, 5), rand(3)], group=3, pads=[4, 4, 4, 4], dilations=[2, 2]),
        single("depthwise_multiplier", [n, 3, 6, 6], "Conv", [rand(6, 1, 3, 3), rand(6)], group=3, pads=[1, 1, 1, 1]),
    ]
    # Conv -> BN -> Relu (fused by the executor) and Conv -> BN feeding two readers (not fused).
    case = Case("conv_bn_relu", [n, 3, 6, 6])
    c = case.op("Conv", ["x", case.const(rand(4, 3, 3, 3)), case.const(rand(4))], pads=[1, 1, 1, 1])
    bn = [case.const(v) for v in (rand(4) + 1, rand(4), rand(4, scale=0.2), np.abs(rand(4)) + 0.5)]
    b = case.op("BatchNormalization", [c] + bn, epsilon=1e-3)
    case.op("Relu", [b])
    cases.append(case)
    case = Case("conv_bn_shared", [n, 3, 6, 6])
    c = case.op("Conv", ["x", case.const(rand(4, 3, 3, 3))], strides=[2, 2])
    bn = [case.const(v) for v in (rand(4) + 1, rand(4), rand(4, scale=0.2), np.abs(rand(4)) + 0.5)]
    b = case.op("BatchNormalization", [c] + bn)
    h = case.op("HardSwish", [b])
    case.op("Add", [b, h])
    cases.append(case)
    case = Case("depthwise_clip_chain", [n, 4, 6, 6])
    d = case.op("Conv", ["x", case.const(rand(4, 1, 3, 3)), case.const(rand(4))], group=4, pads=[1, 1, 1, 1])
    r = case.op("Clip", [d, case.const(np.float32(0)), case.const(np.float32(6))])
    case.op("Conv", [r, case.const(rand(5, 4, 1, 1))])
    cases.append(case)
    return cases


def pool_cases() -> list[Case]:
    n = "N"
    return [
        single("maxpool_basic", [n, 3, 8, 8], "MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        single("maxpool_pads", [n, 2, 7, 8], "MaxPool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        single("maxpool_ceil", [n, 2, 8, 7], "MaxPool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        single("maxpool_ceil_pads", [n, 2, 9, 9], "MaxPool", kernel_shape=[3, 2], strides=[2, 3], pads=[1, 0, 1, 1], ceil_mode=1),
        single("maxpool_dilation", [n, 2, 9, 8], "MaxPool", kernel_shape=[2, 3], dilations=[2, 2], strides=[1, 2]),
        single("maxpool_same_upper", [n, 2, 7, 7], "MaxPool", kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
        single("avgpool_basic", [n, 3, 8, 8], "AveragePool", kernel_shape=[2, 2], strides=[2, 2]),
        single("avgpool_pads_include", [n, 2, 7, 8], "AveragePool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1),
        single("avgpool_pads_exclude", [n, 2, 7, 8], "AveragePool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0),
        single("avgpool_ceil", [n, 2, 8, 7], "AveragePool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        single("avgpool_ceil_pads_include", [n, 2, 8, 9], "AveragePool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 1], ceil_mode=1, count_include_pad=1),
        single("avgpool_ceil_pads_exclude", [n, 2, 8, 9], "AveragePool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 1], ceil_mode=1, count_include_pad=0),
        single("avgpool_1d", [n, 3, 11], "AveragePool", kernel_shape=[3], strides=[2], pads=[1, 1], count_include_pad=1),
        single("globalavgpool", [n, 5, 6, 7], "GlobalAveragePool"),
    ]


def elementwise_cases() -> list[Case]:
    n = "N"
    cases = [
        single("relu", [n, 3, 4, 5], "Relu"),
        single("clip_both", [n, 3, 4, 5], "Clip", [np.float32(-0.5), np.float32(0.7)]),
        single("clip_min_only", [n, 3, 4, 5], "Clip", [np.float32(0.1)]),
        single("clip_max_only", [n, 3, 4, 5], "Clip", [None, np.float32(0.2)]),
        single("clip_opset6", [n, 3, 4, 5], "Clip", opset=6, min=-0.3, max=0.4),
        single("hardswish", [n, 3, 4, 5], "HardSwish"),
        single("hardsigmoid", [n, 3, 4, 5], "HardSigmoid", alpha=0.3, beta=0.4),
        single("sigmoid", [n, 3, 4, 5], "Sigmoid"),
        single("add_same", [3, 3, 4, 5], "Add", [rand(3, 3, 4, 5)]),
        single("add_scalar", [n, 3, 4, 5], "Add", [np.float32(0.25)]),
        single("mul_per_channel", [n, 3, 4, 5], "Mul", [rand(1, 3, 1, 1)]),
        single("sub_per_channel_rank3", [n, 3, 4, 5], "Sub", [rand(3, 1, 1)]),
        single("div_rows", [n, 3, 4, 5], "Div", [np.abs(rand(5)) + 0.5]),
        single("add_both_sides", [n, 1, 4, 1], "Add", [rand(1, 3, 1, 5)]),
        single("mul_middle", [n, 3, 4, 5], "Mul", [rand(3, 1, 5)]),
    ]
    case = Case("sub_constant_left", [n, 3, 4])
    case.op("Sub", [case.const(rand(4)), "x"])
    cases.append(case)
    case = Case("div_constant_left", [n, 3])
    case.op("Div", [case.const(rand(1, 3)), case.op("Add", ["x", case.const(np.float32(5))])])
    cases.append(case)
    # Squeeze-excite gate: x * sigmoid(mean(x)) with an [N, C, 1, 1] operand.
    case = Case("mul_nc11", [n, 4, 5, 6])
    g = case.op("GlobalAveragePool", ["x"])
    s = case.op("HardSigmoid", [g], alpha=1 / 6, beta=0.5)
    case.op("Mul", ["x", s])
    cases.append(case)
    # Standalone BatchNormalization (not after a convolution).
    case = Case("batchnorm", [n, 4, 3, 5])
    bn = [case.const(v) for v in (rand(4) + 1, rand(4), rand(4, scale=0.2), np.abs(rand(4)) + 0.5)]
    r = case.op("Relu", ["x"])
    case.op("BatchNormalization", [r] + bn, epsilon=1e-2)
    cases.append(case)
    return cases


def reduce_cases() -> list[Case]:
    n = "N"
    return [
        single("reducemean_hw", [n, 3, 4, 5], "ReduceMean", axes=[2, 3], keepdims=1),
        single("reducemean_c", [n, 3, 4, 5], "ReduceMean", axes=[1], keepdims=0),
        single("reducemean_nonadjacent", [n, 3, 4, 5], "ReduceMean", axes=[1, 3], keepdims=1),
        single("reducemean_all", [n, 3, 4], "ReduceMean", keepdims=0),
        single("reducemean_opset18", [n, 3, 4, 5], "ReduceMean", [np.array([-1, 1], dtype=np.int64)], opset=18, keepdims=0),
        single("softmax_last", [n, 7], "Softmax", axis=-1),
        single("softmax_axis1", [n, 4, 5], "Softmax", axis=1),
        single("softmax_axis0", [n, 4], "Softmax", axis=0),
        single("softmax_opset11", [n, 6], "Softmax", opset=11, axis=1),
    ]


def linear_cases() -> list[Case]:
    n = "N"
    cases = [
        single("gemm_bias", [n, 6], "Gemm", [rand(6, 4), rand(4)]),
        single("gemm_transb_alpha_beta", [n, 6], "Gemm", [rand(4, 6), rand(1, 4)], transB=1, alpha=0.5, beta=2.0),
        single("gemm_transa_column_c", [6, 3], "Gemm", [rand(6, 4), rand(3, 1)], transA=1, beta=0.5),
        single("gemm_scalar_c", [n, 5], "Gemm", [rand(3, 5), np.float32(0.3)], transB=1),
        single("gemm_no_c", [n, 5], "Gemm", [rand(5, 2)], alpha=1.5),
        single("matmul_2d_weight", [n, 3, 4], "MatMul", [rand(4, 5)]),
        single("matmul_batched", [2, 3, 4], "MatMul", [rand(2, 4, 5)]),
        single("matmul_broadcast", [n, 1, 3, 4], "MatMul", [rand(2, 4, 5)]),
        single("matmul_vector_right", [n, 3, 4], "MatMul", [rand(4)]),
        single("matmul_vector_left", [4], "MatMul", [rand(2, 4, 3)]),
    ]
    return cases


def layout_cases() -> list[Case]:
    n = "N"
    cases = [
        single("transpose_nhwc", [n, 3, 4, 5], "Transpose", perm=[0, 2, 3, 1]),
        single("transpose_default", [n, 3, 4], "Transpose"),
        single("transpose_rotate", [n, 3, 4, 2], "Transpose", perm=[0, 3, 1, 2]),
    ]
    case = Case("concat_channels", [n, 2, 3, 4])
    case.op("Concat", ["x", case.op("Relu", ["x"])], axis=1)
    cases.append(case)
    # Concat of runtime values (x, relu(x)) along the last axis and axis 0.
    case = Case("concat_last", [n, 3, 4])
    case.op("Concat", ["x", case.op("Relu", ["x"]), case.op("Sigmoid", ["x"])], axis=-1)
    cases.append(case)
    case = Case("concat_axis0", [n, 3])
    case.op("Concat", ["x", case.op("Relu", ["x"])], axis=0)
    cases.append(case)
    case = Case("reshape_chain", [n, 4, 3, 2])
    r = case.op("Reshape", ["x", case.const(np.array([0, -1], dtype=np.int64))])
    f = case.op("Relu", [r])
    u = case.op("Unsqueeze", [f, case.const(np.array([1, 3], dtype=np.int64))])
    s = case.op("Squeeze", [u, case.const(np.array([3], dtype=np.int64))])
    case.op("Flatten", [case.op("Add", [s, case.const(np.float32(1))])], axis=1)
    cases.append(case)
    case = Case("flatten_axis2", [n, 3, 4, 2])
    case.op("Flatten", [case.op("Relu", ["x"])], axis=2)
    cases.append(case)
    case = Case("reshape_output", [n, 6])
    case.op("Reshape", [case.op("Sigmoid", ["x"]), case.const(np.array([-1, 2, 3], dtype=np.int64))])
    cases.append(case)
    return cases


def teacher_reference() -> None:
    data = np.load(ROOT / "tutorials" / "data" / "test.npz")
    x = np.ascontiguousarray(data["x"][:8].astype(np.float32))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(str(ROOT / "tutorials" / "data" / "teacher.onnx"), opts, providers=["CPUExecutionProvider"])
    y = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.savez(OUT / "teacher.ref.npz", x=x, y=y.astype(np.float32))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    total = 0
    cases = conv_cases() + pool_cases() + elementwise_cases() + reduce_cases() + linear_cases() + layout_cases()
    for case in cases:
        y = case.nodes[-1].output[0]
        total += case.save(y)
    teacher_reference()
    size = sum(p.stat().st_size for p in OUT.glob("*"))
    log(f"{len(cases)} cases and the teacher reference in {OUT.relative_to(ROOT)}: {size} bytes")


if __name__ == "__main__":
    main()
