# First steps with JumpStation
#
# Run it:     .build/debug/jumpstation run tutorials/00-first-steps.jss
# Check it:   .build/debug/jumpstation replay tutorials/00-first-steps.jss
#
# A script is one statement per line. The lines starting with `#=` hold each command's recorded
# result and `#!` a recorded error; `run` ignores them and `replay` compares them with what the
# commands print now. Paths are relative to the directory you run from (the repository root).
#
# `use targets` loads the device catalog (stdlib/targets.jss); `seed` makes every random
# choice reproducible.
use targets
seed 42

# Load the sample teacher: a CNN trained on 32×32 handwritten digits and exported from PyTorch.
# Pinning its SHA-256 makes the script fail (exit 66) if the file ever changes under it.
load "tutorials/data/teacher.onnx" as teacher sha256:23ba4d6eaf44cadb542340de0e7e656239c680e613853b33c594209ecb744130
#= teacher: 13 nodes, 0.87 M params, fp32, 3.34 MB

# Datasets are declared by name. The headers are read and checked against the model's input
# now; the samples are streamed later by the commands that need them. Operational data, the
# inputs the device will really see, usually has no labels.
dataset operational = "tutorials/data/operational.npz"
#= operational: 200 samples of 1×32×32 float32, no labels
dataset test = "tutorials/data/test.npz"
#= test: 297 samples of 1×32×32 float32, labels

# Pick the device: a Raspberry Pi Pico, with 264 KB of RAM and 2 MB of flash.
target pico
#= pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU

# `report` describes the model as loaded: inputs and outputs, ops, parameters, size, and the
# multiply-accumulates (MACs) of each layer for one sample.
report
#= teacher (fp32, from teacher.onnx, opset 17)
#=   input   input  float32 [batch, 1, 32, 32]
#=   output  logits  float32 [batch, 10]
#=   nodes   13 (Conv 4, Relu 4, MaxPool 2, Flatten 1, Gemm 1, GlobalAveragePool 1)
#=   params  874,890, 3.34 MB as fp32
#=   MACs    335,464,640 per sample
#=
#=   layer                       op    output        params         MACs
#=   /features/features.0/Conv   Conv  1×112×32×32    1,120    1,032,192
#=   /features/features.3/Conv   Conv  1×224×32×32  226,016  231,211,008
#=   /features/features.7/Conv   Conv  1×160×16×16  322,720   82,575,360
#=   /features/features.11/Conv  Conv  1×224×8×8    322,784   20,643,840
#=   /head/Gemm                  Gemm  1×10           2,250        2,240
#=   target  pico: fp32 weights 3.34 MB vs 2 MB flash: does not fit
#=   latency ~252.498 s per sample on pico (estimate from MACs, bytes and the catalog's throughput)

# `eval` runs the model over a dataset in batches. The test split has labels, so it measures
# top-1 accuracy (ONNX Runtime gets the same figure on the same files). Speed differs from machine
# to machine, so the recording below matches it with `[..]`.
eval on test
#= teacher on test: accuracy 97.98% (291/297), [..] samples/s

# Results are values. Fields read with `.`; sizes carry units and compare with units.
let r = report
r.params
#= 874890
r.size
#= 3.34 MB
target.flash
#= 2 MB
r.size > target.flash
#= true
r.size / target.flash
#= 1.66872

# Mistakes are reported with a hint, and leave the session as it was.
target pic0
#! error: unknown target 'pic0' (did you mean 'pico'?)

# Write the model back out as ONNX. The file is written to a temporary name and renamed into
# place, so an interrupted export never leaves half a file. ONNX Runtime gives identical
# outputs for this file and the original (the interop tests check it).
export "out/teacher.onnx" force=true
#= wrote out/teacher.onnx (3.34 MB, sha256 d2a6e47e41f6e869…)
#= wrote out/teacher.onnx.requirements.json (requirement vector)
