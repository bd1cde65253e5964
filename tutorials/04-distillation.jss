# Knowledge distillation
#
# Run it:     .build/debug/jumpstation run tutorials/04-distillation.jss
#
# The teacher needs 336 KB of activations at INT8, more than a Pico's 264 KB of RAM. A student
# from the zoo, trained on the teacher's soft outputs over the operational samples (no labels
# needed), is a fraction of its size. The teacher runs once over the data; its logits are cached.
use targets
seed 42
load "tutorials/data/teacher.onnx" as teacher
#= teacher: 13 nodes, 0.87 M params, fp32, 3.34 MB
dataset operational = "tutorials/data/operational.npz"
#= operational: 200 samples of 1×32×32 float32, no labels
dataset test = "tutorials/data/test.npz"
#= test: 297 samples of 1×32×32 float32, labels
target pico
#= pico: 264 KB RAM, 2 MB flash, 133 MHz, no FPU

# `.help distill` lists the zoo. A plain CNN at width 1 has 16, 32 and 64 channels. The last 20%
# of the samples never train: after every epoch the student's agreement with the teacher there
# is measured, and the best epoch is kept. (150 epochs at width 1.5 reach 97% on test; this
# tutorial keeps the run short.)
distill student=cnn width=1 epochs=20 lr=0.01 from teacher
#= cnn: cnn width 1, 0.02 M params (36.4x fewer than teacher), agreement with the teacher 87.50% on 40 held-out samples (epoch 18 of 20 kept)

# The student is the working model; its lineage records the teacher, the data and the settings.
model.lineage
#= ["load teacher.onnx", "distill cnn width 1 from teacher (sha256 23ba4d6eaf44) on operational (20 epochs, T 4, alpha 1, lr 0.01, batch 32, seed 42)"]
eval on test vs teacher
#= cnn on test: accuracy 91.58% (272/297), agreement 92.59% with teacher, max abs error 6.16128, mean 1.10751, SQNR 7.5 dB, [..] samples/s

# width=auto builds each width of 1, 0.75, 0.5, 0.35, 0.25, quantizes it to INT8 and plans its
# arena as TFLite Micro would, and takes the widest that fits the target.
distill student=mobilenetv3_small width=auto epochs=1 from teacher as small
#= small: mobilenetv3_small width 1, 1.53 M params (1.7x more than teacher), agreement with the teacher 5.00% on 40 held-out samples (epoch 1 of 1 kept)
#= width=auto chose 1: int8 flash 1.48 MB, peak RAM 110 KB fit the target

# The student quantizes like any model.
quantize int8 ptq from cnn
#= cnn_int8: int8 per-channel, bias-corrected, 9 ops, weights 95 KB -> 24 KB, output SQNR 39.7 dB vs cnn on 64 samples
