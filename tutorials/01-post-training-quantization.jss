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
# convolutions) and applies the calibration's ranges. Then bias correction (on by default) runs
# the calibration samples through the float and the quantized layers, measures how far rounding
# the weights moved each output channel's mean, and moves the int32 bias back by as much. Its
# result is a new model; the float teacher is kept. The weights shrink about fourfold.
quantize int8 ptq
#= teacher_int8: int8 per-channel, bias-corrected, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 38.1 dB vs teacher on 64 samples

# Measured on the integer executor: accuracy on the labelled test split, and agreement, error
# and signal-to-quantization-noise ratio against the float teacher.
eval on test vs teacher
#= teacher_int8 on test: accuracy 97.98% (291/297), agreement 100.00% with teacher, max abs error 0.614842, mean 0.0340544, SQNR 37.4 dB, [..] samples/s

# The report of a quantized model adds its size on the device and the layers where quantization
# loses the most signal, measured against the float graph on calibration samples. It ends with the
# model compared with the one it came from, a verdict on the target's budgets, and the stages that
# made it. `report on test` adds accuracy and agreement, and `report to "r.html"` (or .md, .json)
# writes all of it as a file: a single HTML page with charts of layer sizes, layer errors and the
# arena over time.
report
#= teacher_int8 (int8, from teacher.onnx, opset 17)
#=   input   input  float32 [batch, 1, 32, 32]
#=   output  logits  float32 [batch, 10]
#=   nodes   13 (Conv 4, Relu 4, MaxPool 2, Flatten 1, Gemm 1, GlobalAveragePool 1)
#=   params  874,890, 3.34 MB as fp32
#=   MACs    335,464,640 per sample
#=   quantized int8 per-channel, bias-corrected (percentile 99.99 on operational): 9 device ops, weights 857 KB
#=
#=   layer                       op    output        params         MACs
#=   /features/features.0/Conv   Conv  1×112×32×32    1,120    1,032,192
#=   /features/features.3/Conv   Conv  1×224×32×32  226,016  231,211,008
#=   /features/features.7/Conv   Conv  1×160×16×16  322,720   82,575,360
#=   /features/features.11/Conv  Conv  1×224×8×8    322,784   20,643,840
#=   /head/Gemm                  Gemm  1×10           2,250        2,240
#=   target  pico: int8 weights 857 KB vs 2 MB flash: fits
#=   target  pico: peak RAM 347 KB vs 264 KB RAM: does not fit (83 KB over)
#=   latency ~10.111 s per sample on pico (estimate from MACs, bytes and the catalog's throughput)
#=   quantization error per layer (SQNR vs float, worst first, 32 samples):
#=     tensor                                  layer                             SQNR
#=     /features/features.6/MaxPool_output_0   /features/features.6/MaxPool   30.4 dB
#=     /features/features.5/Relu_output_0      /features/features.3/Conv      31.2 dB
#=     /features/features.13/Relu_output_0     /features/features.11/Conv     32.4 dB
#=     /features/features.9/Relu_output_0      /features/features.7/Conv      33.1 dB
#=     /features/features.10/MaxPool_output_0  /features/features.10/MaxPool  33.2 dB
#=   compared with teacher:
#=                                     teacher  teacher_int8          change
#=     precision                          fp32          int8
#=     parameters                      874,890       874,890            same
#=     non-zero parameters             874,890       866,539   1.01× smaller
#=     flash (weights)                 3.34 MB        857 KB   3.99× smaller
#=     peak RAM                        1.32 MB        347 KB   3.90× smaller
#=     MACs per sample             335,464,640   335,464,640            same
#=     latency on pico (estimate)    252.498 s      10.111 s  24.97× smaller
#=   verdict: does not fit pico: peak RAM 347 KB > 264 KB
#=   lineage: load teacher.onnx -> quantize int8 ptq (per-channel, percentile 99.99 on operational), bias-corrected

# The weights fit the Pico's flash, but RAM is the other budget. `report memory` plans the activation
# arena exactly as TFLite Micro will for the exported file (greedy, largest buffer first, 16-byte
# aligned), estimates the persistent structs TFLite Micro keeps at the arena's tail, and adds the
# target's runtime overhead: the two widest activations, 112 and 224 channels at
# 32 x 32, are live together while the second convolution runs, and that alone is more than 264 KB.
report memory
#= memory plan of teacher_int8: TFLite Micro arena over the exported file's 9 ops
#=   arena     344,064 B (336 KB) planned greedily, tensors and kernel scratch rounded to 16 B
#=   tail      7,608 B persistent (tensor and node structs, op data; estimated for 32-bit TFLite Micro): give the interpreter an arena of 351,672 B
#=   peak RAM  347 KB = arena + tail + 4 KB runtime overhead (pico)
#=   peak at   op 1 CONV_2D -> /features/features.5/Relu_output_0; live there:
#=     buffer                              kind      bytes   offset  ops
#=     /features/features.5/Relu_output_0  tensor  229,376        0  1-2
#=     /features/features.2/Relu_output_0  tensor  114,688  229,376  0-1
#=   target    pico: peak RAM 347 KB vs 264 KB RAM: does not fit (83 KB over)
#=
#=   arena use per op (live bytes; bar to the arena size):
#=     op  operator         output                                   live B  arena
#=      0  CONV_2D          /features/features.2/Relu_output_0      115,712  ########................
#=      1  CONV_2D          /features/features.5/Relu_output_0      344,064  ######################## peak
#=      2  MAX_POOL_2D      /features/features.6/MaxPool_output_0   286,720  ####################....
#=      3  CONV_2D          /features/features.9/Relu_output_0       98,304  #######.................
#=      4  MAX_POOL_2D      /features/features.10/MaxPool_output_0   51,200  ####....................
#=      5  CONV_2D          /features/features.13/Relu_output_0      24,576  ##......................
#=      6  MEAN             /pool/GlobalAveragePool_output_0         15,488  #.......................
#=      7  RESHAPE          /Flatten_output_0                           448  ........................
#=      8  FULLY_CONNECTED  logits                                      240  ........................

# One scale per weight tensor instead of one per output channel costs signal-to-noise; on
# depthwise networks such as MobileNetV3 it can cost most of the accuracy. Bias correction wins
# much of it back: compare the same quantization without it. (`equalize=true` also evens out the
# channel ranges of consecutive convolutions before quantizing, for per-tensor depthwise networks.)
quantize int8 per_channel=false from teacher as per_tensor
#= per_tensor: int8 per-tensor, bias-corrected, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 36.8 dB vs teacher on 64 samples
quantize int8 per_channel=false bias_correction=false from teacher as per_tensor_uncorrected
#= per_tensor_uncorrected: int8 per-tensor, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 27.6 dB vs teacher on 64 samples

# 4-bit weights halve the flash again, with a visible loss that bias correction shrinks and
# quantization-aware training (a later tutorial) recovers.
quantize int4 from teacher
#= teacher_int4: int4 per-channel, bias-corrected, 9 ops, weights 3.34 MB -> 430 KB, output SQNR 24.0 dB vs teacher on 64 samples

# Scripts read results as values: how much accuracy did 4-bit weights cost here?
let e = eval teacher_int4 on test vs teacher
e.accuracy
#= 0.976431
e.agreement
#= 0.996633
