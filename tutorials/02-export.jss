# Export: the files a device runs
#
# Run it:     .build/release/jumpstation run tutorials/02-export.jss
#
# The pipeline's product is a file. JumpStation writes TFLite flatbuffers (fully integer for
# microcontrollers, with INT4 weights, or int16x8) and ONNX (float, or QDQ for ONNX Runtime)
# directly from its own graph: weights are laid out for the device once, at export, and no
# transposes are added. Every file is written to a temporary name and renamed into place, and the
# result names its size and SHA-256 so a build can pin exactly what it shipped. An existing file is
# replaced only with `force=true`, which these tutorials pass so that they can be run again.
use targets
load "tutorials/data/teacher.onnx" as teacher
#= teacher: 13 nodes, 0.87 M params, fp32, 3.34 MB
dataset operational = "tutorials/data/operational.npz"
#= operational: 200 samples of 1×32×32 float32, no labels
quantize int8
#= teacher_int8: int8 per-channel, bias-corrected, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 41.9 dB vs teacher on 64 samples

# A fully integer .tflite: int8 inputs and outputs, what TFLite Micro on a Pico runs. Beside every
# file, export writes its requirement vector (docs/schemas/requirements.schema.json): the operators
# and versions the runtime must have, the input and output quantization, flash, the arena TFLite
# Micro will plan, MACs, and the estimated latency and fit on every device of the catalog. A
# .tflite also carries the same document in its metadata, so a deployment tool can check a device
# from the file alone.
export "out/tutorial/teacher_int8.tflite" force=true
#= wrote out/tutorial/teacher_int8.tflite (878 KB, sha256 a95cb62d77994060…)
#= wrote out/tutorial/teacher_int8.tflite.requirements.json (requirement vector)

# The same model with float inputs and outputs (QUANTIZE and DEQUANTIZE at the edges), for
# applications that feed floats.
export "out/tutorial/teacher_int8_float_io.tflite" io=float force=true
#= wrote out/tutorial/teacher_int8_float_io.tflite (879 KB, sha256 825e014a0e88c35b…)
#= wrote out/tutorial/teacher_int8_float_io.tflite.requirements.json (requirement vector)

# ONNX of a quantized model is QDQ: ONNX Runtime runs it with the device's scales and zero points.
export "out/tutorial/teacher_int8.onnx" force=true
#= wrote out/tutorial/teacher_int8.onnx (876 KB, sha256 0e7cca6affb850d3…)
#= wrote out/tutorial/teacher_int8.onnx.requirements.json (requirement vector)

# Four-bit weights are packed two per byte: the file is about half the size.
quantize int4 from teacher
#= teacher_int4: int4 per-channel, bias-corrected, 9 ops, weights 3.34 MB -> 430 KB, output SQNR 24.4 dB vs teacher on 64 samples
export "out/tutorial/teacher_int4.tflite" force=true
#= wrote out/tutorial/teacher_int4.tflite (453 KB, sha256 14b269a7eeeab741…)
#= wrote out/tutorial/teacher_int4.tflite.requirements.json (requirement vector)

# An NPU whose compiler quantizes by itself (the DX-M1 class) takes a float model with static
# shapes, batch 1, and representative samples to calibrate on, transformed as the model sees them.
export "out/tutorial/teacher_npu.onnx" from teacher batch=1 samples=operational force=true
#= wrote out/tutorial/teacher_npu.onnx (3.34 MB, sha256 da2cf308fdce4384…)
#= wrote out/tutorial/teacher_npu.onnx.requirements.json (requirement vector)
#= wrote out/tutorial/teacher_npu_calibration/ (200 samples of operational, float32 as the model takes them)

# A build script reads the results as values, for instance to pin the file it ships.
let e = export "out/tutorial/teacher_int8.tflite" from teacher_int8 force=true
e.bytes < 1MB
#= true
