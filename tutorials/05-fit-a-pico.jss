# Fit a model to a Raspberry Pi Pico
#
# Run it:     .build/release/jumpstation run tutorials/05-fit-a-pico.jss
#
# `fit TARGET` (stdlib/pipelines.jss, written in this language) runs only the compression stages a
# device needs, in order, and says why each ran: int8 quantization first; int4 weights if the int8
# weights do not fit the flash; structured pruning with a fine-tune if peak RAM is still over, since
# only removing whole channels shrinks the activation arena; a distilled student sized for the
# device if pruning is not enough. Last it checks what quantization cost: the quantized model's
# agreement with its float model must reach min_agreement (97% unless `fit pico min_agreement=99%`;
# `max_drop=1%` bounds the accuracy drop on `test` instead), or quantization-aware training runs.
# `.help fit` in the REPL lists its options. The teacher's int8 weights fit the Pico's 2 MB of
# flash, but its first two convolutions' activations need 344 KB of RAM at once.
use targets
use pipelines
seed 3
load "tutorials/data/teacher.onnx" as teacher
#= teacher: 13 nodes, 0.87 M params, fp32, 3.34 MB
dataset operational = "tutorials/data/operational.npz"
#= operational: 200 samples of 1×32×32 float32, no labels
dataset train = "tutorials/data/train.npz" limit=256
#= train: 256 samples of 1×32×32 float32, labels
dataset test = "tutorials/data/test.npz"
#= test: 297 samples of 1×32×32 float32, labels
fit pico
#= pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU
#= fit_int8: int8 per-channel, bias-corrected, 9 ops, weights 3.34 MB -> 857 KB, output SQNR 41.9 dB vs teacher on 64 samples
#= fit: int8 PTQ of teacher: weights 857 KB (flash 2 MB), peak RAM 347 KB (RAM 264 KB)
#= fit_probe: structured global, 72 of 720 channels removed (10.0%) in 4 layers
#= params 874,890 -> 716,967, weights 3.34 MB -> 2.74 MB, MACs 335.46 M -> 225.53 M
#= layer                       op      channels             weights
#= /features/features.0/Conv   Conv   112 -> 77        1,008 -> 693
#= /features/features.3/Conv   Conv  224 -> 192  225,792 -> 133,056
#= /features/features.7/Conv   Conv  160 -> 155  322,560 -> 267,840
#= /features/features.11/Conv  Conv         224  322,560 -> 312,480
#= /head/Gemm                  Gemm          10               2,240
#= kept whole: /head/Gemm: its output reaches the graph output 'logits'
#= fit_probe_int8: int8 per-channel, bias-corrected, 9 ops, weights 2.74 MB -> 702 KB, output SQNR 42.0 dB vs fit_probe on 64 samples
#= fit_probe: structured global, 144 of 720 channels removed (20.0%) in 4 layers
#= params 874,890 -> 546,638, weights 3.34 MB -> 2.09 MB, MACs 335.46 M -> 160.93 M
#= layer                       op      channels             weights
#= /features/features.0/Conv   Conv   112 -> 65        1,008 -> 585
#= /features/features.3/Conv   Conv  224 -> 159   225,792 -> 93,015
#= /features/features.7/Conv   Conv  160 -> 132  322,560 -> 188,892
#= /features/features.11/Conv  Conv  224 -> 220  322,560 -> 261,360
#= /head/Gemm                  Gemm          10      2,240 -> 2,200
#= kept whole: /head/Gemm: its output reaches the graph output 'logits'
#= fit_probe_int8: int8 per-channel, bias-corrected, 9 ops, weights 2.09 MB -> 536 KB, output SQNR 44.4 dB vs fit_probe on 64 samples
#= fit: peak RAM 347 KB is over 264 KB; removing 20% of the channels gives 234 KB, which fits
#= fit_pruned: structured global, 144 of 720 channels removed (20.0%) in 4 layers, fine-tuned 2 epochs on train (loss 0.5835, accuracy 85.9%)
#= params 874,890 -> 546,638, weights 3.34 MB -> 2.09 MB, MACs 335.46 M -> 160.93 M
#= layer                       op      channels             weights
#= /features/features.0/Conv   Conv   112 -> 65        1,008 -> 585
#= /features/features.3/Conv   Conv  224 -> 159   225,792 -> 93,015
#= /features/features.7/Conv   Conv  160 -> 132  322,560 -> 188,892
#= /features/features.11/Conv  Conv  224 -> 220  322,560 -> 261,360
#= /head/Gemm                  Gemm          10      2,240 -> 2,200
#= kept whole: /head/Gemm: its output reaches the graph output 'logits'
#= fit_pruned_int8: int8 per-channel, bias-corrected, 9 ops, weights 2.09 MB -> 536 KB, output SQNR 39.2 dB vs fit_pruned on 64 samples
#= fit: pruned 20% of the channels and fine-tuned 2 epochs on train: weights 536 KB, peak RAM 234 KB
#= fit: int8 PTQ agreement with fit_pruned 99.5% on operational (min_agreement 97%): within the tolerance, no QAT needed
#= fit: fit_pruned_int8 fits pico; it is the working model

# The result is the working model. The report compares it with the teacher on the test set. The
# fine-tune here sees 256 training samples to keep the tutorial quick; with the whole training set
# and more epochs the pruned model gets closer to the teacher.
report on test
#= fit_pruned_int8 (int8, from teacher.onnx, opset 17)
#=   input   input  float32 [batch, 1, 32, 32]
#=   output  logits  float32 [batch, 10]
#=   nodes   13 (Conv 4, Relu 4, MaxPool 2, Flatten 1, Gemm 1, GlobalAveragePool 1)
#=   params  546,638, 2.09 MB as fp32
#=   MACs    160,931,992 per sample
#=   quantized int8 per-channel, bias-corrected (minmax on operational): 9 device ops, weights 536 KB
#=
#=   layer                       op    output        params        MACs
#=   /features/features.0/Conv   Conv  1×65×32×32       650     599,040
#=   /features/features.3/Conv   Conv  1×159×32×32   93,174  95,247,360
#=   /features/features.7/Conv   Conv  1×132×16×16  189,024  48,356,352
#=   /features/features.11/Conv  Conv  1×220×8×8    261,580  16,727,040
#=   /head/Gemm                  Gemm  1×10           2,210       2,200
#=   target  pico: int8 weights 536 KB vs 2 MB flash: fits
#=   target  pico: peak RAM 234 KB vs 264 KB RAM: fits (30 KB free)
#=   latency ~4.856 s per sample on pico (estimate from MACs, bytes and the catalog's throughput)
#=   quantization error per layer (SQNR vs float, worst first, 32 samples):
#=     tensor                                 layer                            SQNR
#=     /features/features.2/Relu_output_0     /features/features.0/Conv     32.2 dB
#=     /features/features.5/Relu_output_0     /features/features.3/Conv     33.3 dB
#=     /features/features.13/Relu_output_0    /features/features.11/Conv    33.7 dB
#=     /features/features.9/Relu_output_0     /features/features.7/Conv     34.1 dB
#=     /features/features.6/MaxPool_output_0  /features/features.6/MaxPool  34.5 dB
#=   compared with teacher:
#=                                     teacher  fit_pruned_int8          change
#=     precision                          fp32             int8
#=     parameters                      874,890          546,638   1.60× smaller
#=     non-zero parameters             874,890          541,520   1.62× smaller
#=     flash (weights)                 3.34 MB           536 KB   6.38× smaller
#=     peak RAM                        1.32 MB           234 KB   5.78× smaller
#=     MACs per sample             335,464,640      160,931,992   2.08× smaller
#=     latency on pico (estimate)    252.498 s          4.856 s  52.00× smaller
#=     accuracy on test                 97.98%           93.94%        -4.04 pt
#=     agreement with teacher                —           93.94%
#=     output SQNR vs teacher                —           5.3 dB
#=   verdict: fits pico
#=   lineage: load teacher.onnx -> prune 0.2 structured global, fine-tuned 2 epochs on train (lr 0.0001, batch 32) -> quantize int8 ptq (per-channel, minmax on operational), bias-corrected

# A device can also come from a file, such as one a hardware team hands over (the `device`
# command's options as JSON keys; docs/schemas/device.schema.json). Does the model fit a sensor
# node with 192 KB of RAM and a 16 KB runtime?
target from "docs/examples/sensor-node.device.json"
#= sensor-node: 192 KB RAM, 1 MB flash, 80 MHz, FPU
let r = report
"fits " + target.name + ": " + r.fits + " (peak RAM " + r.peak_ram + " of " + target.ram + ")"
#= fits sensor-node: false (peak RAM 246 KB of 192 KB)
