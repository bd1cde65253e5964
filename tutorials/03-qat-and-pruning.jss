# Quantization-aware training and pruning
#
# Run it:     .build/release/jumpstation run tutorials/03-qat-and-pruning.jss
#
# When post-training quantization loses too much (four-bit weights often do), the model can be
# fine-tuned through the quantization it will get: quantization-aware training. When a model is
# still too large, pruning removes weights or whole channels and a short fine-tune recovers the
# accuracy. Both train the imported graph itself; this tutorial keeps the runs short (two epochs
# on 640 labelled samples), so the numbers are smaller than a real run's.
use targets
seed 7
load "tutorials/data/teacher.onnx" as teacher
#= teacher: 13 nodes, 0.87 M params, fp32, 3.34 MB
dataset train = "tutorials/data/train.npz" limit=640
#= train: 640 samples of 1×32×32 float32, labels
dataset operational = "tutorials/data/operational.npz"
#= operational: 200 samples of 1×32×32 float32, no labels
dataset test = "tutorials/data/test.npz"
#= test: 297 samples of 1×32×32 float32, labels
target pico
#= pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU
calibrate on operational
#= calibrated teacher on operational: 200 samples, minmax, 14 tensors

# Four-bit weights after training: the post-training baseline.
quantize int4 per_channel=false as teacher_int4_ptq
#= teacher_int4_ptq: int4 per-tensor, bias-corrected, 9 ops, weights 3.34 MB -> 430 KB, output SQNR 13.5 dB vs teacher on 64 samples
eval on test
#= teacher_int4_ptq on test: accuracy 96.97% (288/297), [..] samples/s

# Quantization-aware training: fake quantization on the weights and at every tensor the device
# quantizes, straight-through gradients, activation ranges starting from the calibration and
# following a moving average. The result is converted by the same quantizer as PTQ, so export and
# the integer executor see an ordinary quantized model.
quantize int4 qat per_channel=false epochs=2 on train from teacher as teacher_int4_qat
#= teacher_int4_qat: int4 per-tensor, 9 ops, weights 3.34 MB -> 430 KB, output SQNR 8.9 dB vs teacher on 64 samples, qat 2 epochs on train (last epoch loss 0.0883)
eval on test
#= teacher_int4_qat on test: accuracy 97.31% (289/297), [..] samples/s

# Unstructured pruning zeroes the smallest half of the weights (one ranking over all layers) and
# keeps them zero through the fine-tune. The file does not shrink: dense formats store the zeros.
prune 0.5 finetune=2 on train from teacher
#= teacher_pruned: 50.0% sparse (unstructured global oneshot), fine-tuned 2 epochs on train (loss 0.0241, accuracy 100.0%)
#= params 874,890 -> 874,890 (437,810 nonzero), weights 3.34 MB -> 3.34 MB, MACs 335.46 M -> 335.46 M
#= zeros are still stored: dense .onnx and .tflite files keep their size (they compress better)
#= layer                       op    weights    zeros  sparsity
#= /features/features.0/Conv   Conv    1,008        3      0.3%
#= /features/features.3/Conv   Conv  225,792   87,469     38.7%
#= /features/features.7/Conv   Conv  322,560  252,928     78.4%
#= /features/features.11/Conv  Conv  322,560   96,535     29.9%
#= /head/Gemm                  Gemm    2,240      145      6.5%
eval on test
#= teacher_pruned on test: accuracy 98.65% (293/297), [..] samples/s

# Structured pruning removes whole output channels and shrinks the layers that read them, giving
# a smaller dense model with fewer MACs. It needs the fine-tune more.
prune 0.3 structured=true finetune=2 on train from teacher as teacher_slim
#= teacher_slim: structured global, 216 of 720 channels removed (30.0%) in 4 layers, fine-tuned 2 epochs on train (loss 0.7260, accuracy 92.3%)
#= params 874,890 -> 409,045, weights 3.34 MB -> 1.56 MB, MACs 335.46 M -> 127.06 M
#= layer                       op      channels             weights
#= /features/features.0/Conv   Conv   112 -> 59        1,008 -> 531
#= /features/features.3/Conv   Conv  224 -> 144   225,792 -> 76,464
#= /features/features.7/Conv   Conv  160 -> 109  322,560 -> 141,264
#= /features/features.11/Conv  Conv  224 -> 192  322,560 -> 188,352
#= /head/Gemm                  Gemm          10      2,240 -> 1,920
#= kept whole: /head/Gemm: its output reaches the graph output 'logits'
eval on test
#= teacher_slim on test: accuracy 96.63% (287/297), [..] samples/s

# Quantized for the Pico and compared with the teacher it came from.
quantize int8 from teacher_slim
#= teacher_slim_int8: int8 per-channel, bias-corrected, 9 ops, weights 1.56 MB -> 401 KB, output SQNR 39.2 dB vs teacher_slim on 64 samples
report on test
#= teacher_slim_int8 (int8, from teacher.onnx, opset 17)
#=   input   input  float32 [batch, 1, 32, 32]
#=   output  logits  float32 [batch, 10]
#=   nodes   13 (Conv 4, Relu 4, MaxPool 2, Flatten 1, Gemm 1, GlobalAveragePool 1)
#=   params  409,045, 1.56 MB as fp32
#=   MACs    127,062,912 per sample
#=   quantized int8 per-channel, bias-corrected (minmax on operational): 9 device ops, weights 401 KB
#=
#=   layer                       op    output        params        MACs
#=   /features/features.0/Conv   Conv  1×59×32×32       590     543,744
#=   /features/features.3/Conv   Conv  1×144×32×32   76,608  78,299,136
#=   /features/features.7/Conv   Conv  1×109×16×16  141,373  36,163,584
#=   /features/features.11/Conv  Conv  1×192×8×8    188,544  12,054,528
#=   /head/Gemm                  Gemm  1×10           1,930       1,920
#=   target  pico: int8 weights 401 KB vs 2 MB flash: fits
#=   target  pico: peak RAM 213 KB vs 264 KB RAM: fits (51 KB free)
#=   latency ~3.835 s per sample on pico (estimate from MACs, bytes and the catalog's throughput)
#=   quantization error per layer (SQNR vs float, worst first, 32 samples):
#=     tensor                                 layer                            SQNR
#=     /features/features.2/Relu_output_0     /features/features.0/Conv     32.0 dB
#=     /features/features.5/Relu_output_0     /features/features.3/Conv     33.5 dB
#=     /features/features.13/Relu_output_0    /features/features.11/Conv    34.4 dB
#=     /features/features.6/MaxPool_output_0  /features/features.6/MaxPool  34.5 dB
#=     /features/features.9/Relu_output_0     /features/features.7/Conv     35.0 dB
#=   compared with teacher:
#=                                     teacher  teacher_slim_int8          change
#=     precision                          fp32               int8
#=     parameters                      874,890            409,045   2.14× smaller
#=     non-zero parameters             874,890            405,090   2.16× smaller
#=     flash (weights)                 3.34 MB             401 KB   8.52× smaller
#=     peak RAM                        1.32 MB             213 KB   6.37× smaller
#=     MACs per sample             335,464,640        127,062,912   2.64× smaller
#=     latency on pico (estimate)    252.498 s            3.835 s  65.85× smaller
#=     accuracy on test                 97.98%             96.63%        -1.35 pt
#=     agreement with teacher                —             97.64%
#=     output SQNR vs teacher                —             4.2 dB
#=   verdict: fits pico
#=   lineage: load teacher.onnx -> prune 0.3 structured global, fine-tuned 2 epochs on train (lr 0.0001, batch 32) -> quantize int8 ptq (per-channel, minmax on operational), bias-corrected
