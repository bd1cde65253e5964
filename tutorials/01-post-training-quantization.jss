# Post-training quantization
#
# Run it:     .build/debug/jumpstation run tutorials/01-post-training-quantization.jss
#
# A microcontroller runs integer arithmetic. Quantizing turns the float teacher into the graph
# the device will run: int8 weights (one scale per output channel), int8 activations (one scale
# and zero point per tensor), int32 biases, and TFLite's fixed-point requantization between
# layers. Everything JumpStation reports about a quantized model comes from its integer
# reference executor, which computes what a TFLite Micro device computes.
use targets
load "tutorials/data/teacher.onnx" as teacher
#= teacher: 13 nodes, 0.87 M params, fp32, 3.34 MB
dataset operational = "tutorials/data/operational.npz"
#= operational: 200 samples of 1×32×32 float32, no labels
dataset test = "tutorials/data/test.npz"
#= test: 297 samples of 1×32×32 float32, labels
target pico
#= pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU

# Calibration streams the operational samples through the float model and keeps, for every
# tensor, a bounded histogram of its values: memory does not grow with the number of samples.
# The percentile method clips the rarest 0.01% of values, so outliers do not waste int8 levels.
calibrate on operational method=percentile percentile=99.99
#= calibrated teacher on operational: 200 samples, percentile 99.99, 14 tensors

# `quantize` lowers the graph to the device's ops (BatchNorm folded, ReLU fused into the
# convolutions) and applies the calibration's ranges. Its result is a new model; the float
# teacher is kept. The weights shrink about fourfold.
quantize int8 ptq
#= teacher_int8: int8 per-channel, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 34.3 dB vs teacher on 64 samples

# Measured on the integer executor: accuracy on the labelled test split, and agreement, error
# and signal-to-quantization-noise ratio against the float teacher.
eval on test vs teacher
#= teacher_int8 on test: accuracy 97.98% (291/297), agreement 100.00% with teacher, max abs error 0.614844, mean 0.0495426, SQNR 34.4 dB, [..] samples/s

# One scale per weight tensor instead of one per output channel costs signal-to-noise; on
# depthwise networks such as MobileNetV3 it can cost most of the accuracy.
quantize int8 per_channel=false from teacher as per_tensor
#= per_tensor: int8 per-tensor, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 27.6 dB vs teacher on 64 samples

# 4-bit weights halve the flash again, with a visible loss that quantization-aware training
# (a later tutorial) recovers.
quantize int4 from teacher
#= teacher_int4: int4 per-channel, 9 ops, weights 3.34 MB -> 430 KB, output SQNR 13.1 dB vs teacher on 64 samples

# Scripts read results as values: how much accuracy did 4-bit weights cost here?
let e = eval teacher_int4 on test vs teacher
e.accuracy
#= 0.956229
e.agreement
#= 0.973064
