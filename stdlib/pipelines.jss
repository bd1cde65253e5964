# Pipelines written in the language. `use pipelines` loads them.

# fit TARGET: make the working model fit a device, running only the stages it needs, in the order
# the seed prescribes, and print each decision with the numbers behind it:
#
#   1. INT8 post-training quantization. If weights and peak RAM fit the target, done.
#   2. If the int8 weights do not fit the target's flash, INT4 weights (W4A8).
#   3. If peak RAM still does not fit, structured pruning: the activation arena only shrinks when
#      whole channels go, so the smallest channel fraction (10% steps up to 70%) whose INT8 model
#      fits is found on unpruned-then-quantized probes, then applied with a 2-epoch fine-tune on
#      `train`, and the fine-tuned model is quantized.
#   4. If that still does not fit (or always_distill=true), distill a student from the zoo sized
#      for the target (width=auto: the widest whose INT8 model fits) on `operational`, and
#      quantize it. If no width fits, distill says so with what the smallest one needs.
#   5. Quality: the chosen quantized model is compared with the float model it was quantized
#      from, on `operational` (top-1 agreement) or, with max_drop, on `test` (accuracy drop). If
#      it misses the tolerance, quantization-aware training on `train` (qat_epochs) replaces PTQ.
#
# Options:
#   min_agreement   least top-1 agreement of the quantized model with its float model (97%)
#   max_drop        most accuracy the quantization may lose on `test`, as a fraction (1% is one
#                   point); false: judge by min_agreement instead
#   qat_epochs      epochs of QAT when the tolerance is missed; 0: never run QAT
#   student         the zoo architecture distilled when pruning is not enough
#   distill_epochs  epochs of distillation
#   always_distill  distill a student even when quantization or pruning would fit
#
# Conventions: calibration and distillation data is the dataset named `operational` (quantize
# calibrates on it), fine-tuning and QAT data the labelled dataset named `train`, and accuracy is
# measured on the labelled dataset named `test`. Models it makes are named fit_*.
def fit(device, min_agreement=97%, max_drop=false, qat_epochs=2, student=cnn, distill_epochs=20, always_distill=false) {
  target device
  let origin = model
  let chosen = origin
  let source = origin
  let precision = "int8"
  let done = false
  quantize int8 from origin as fit_int8
  let r = report fit_int8
  "fit: int8 PTQ of " + origin.name + ": weights " + r.flash + " (flash " + device.flash + "), peak RAM " + r.peak_ram + " (RAM " + device.ram + ")"
  if r.fits {
    "fit: int8 fits " + device.name + "; no pruning or distillation needed"
    chosen = fit_int8
    done = true
  }
  if not done and not r.fits_flash {
    quantize int4 from origin as fit_int4
    r = report fit_int4
    precision = "int4"
    chosen = fit_int4
    "fit: int8 weights do not fit the flash; int4 weights: " + r.flash + ", peak RAM " + r.peak_ram
    if r.fits {
      "fit: int4 fits " + device.name
      done = true
    }
  }
  if not done and r.fits_flash and not always_distill {
    let sparsity = 0
    let last = r
    for s in [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] {
      if sparsity == 0 {
        prune s structured=true from origin as fit_probe
        quantize int8 from fit_probe as fit_probe_int8
        let p = report fit_probe_int8
        last = p
        if p.fits {
          sparsity = s
          "fit: peak RAM " + r.peak_ram + " is over " + device.ram + "; removing " + s * 100 + "% of the channels gives " + p.peak_ram + ", which fits"
        }
      }
    }
    if sparsity == 0 {
      "fit: pruning is not enough for " + device.name + ": even without 70% of the channels the int8 model needs " + last.peak_ram + " of RAM (" + device.ram + " available)"
    } else {
      prune sparsity structured=true finetune=2 on train from origin as fit_pruned
      quantize int8 from fit_pruned as fit_pruned_int8
      r = report fit_pruned_int8
      chosen = fit_pruned_int8
      source = fit_pruned
      precision = "int8"
      done = r.fits
      "fit: pruned " + sparsity * 100 + "% of the channels and fine-tuned 2 epochs on train: weights " + r.flash + ", peak RAM " + r.peak_ram
    }
  }
  if not done and not r.fits_flash {
    "fit: even int4 weights take " + r.flash + " (flash " + device.flash + ")"
  }
  if not done or always_distill {
    if done {
      "fit: always_distill=true: distilling a " + student + " student although " + chosen.name + " fits"
    } else {
      "fit: distilling a " + student + " student from " + origin.name + " sized for " + device.name + " (width=auto), " + distill_epochs + " epochs on operational"
    }
    distill student=student width=auto epochs=distill_epochs lr=0.01 from origin on operational as fit_student
    quantize int8 from fit_student as fit_student_int8
    r = report fit_student_int8
    chosen = fit_student_int8
    source = fit_student
    precision = "int8"
    done = r.fits
    "fit: student " + fit_student.params + " params, int8 weights " + r.flash + ", peak RAM " + r.peak_ram
  }
  if done {
    let q = report chosen vs source on operational
    let missed = q.agreement < min_agreement
    let measure = "agreement with " + source.name + " " + q.agreement * 100 + "% on operational (min_agreement " + min_agreement * 100 + "%)"
    if max_drop != false {
      q = report chosen vs source on test
      missed = q.baseline_accuracy - q.accuracy > max_drop
      measure = "accuracy on test " + q.accuracy * 100 + "% vs " + q.baseline_accuracy * 100 + "% for " + source.name + ", a drop of " + (q.baseline_accuracy - q.accuracy) * 100 + " points (max_drop " + max_drop * 100 + " points)"
    }
    if not missed {
      "fit: " + precision + " PTQ " + measure + ": within the tolerance, no QAT needed"
    } else if qat_epochs == 0 {
      "fit: " + precision + " PTQ " + measure + ": misses the tolerance; QAT is off (qat_epochs=0), keeping PTQ"
    } else {
      "fit: " + precision + " PTQ " + measure + ": misses the tolerance; quantization-aware training " + qat_epochs + " epochs on train"
      quantize precision qat epochs=qat_epochs on train from source as fit_qat
      chosen = fit_qat
      let t = report fit_qat vs source on operational
      let still = t.agreement < min_agreement
      let after = "agreement " + t.agreement * 100 + "%"
      if max_drop != false {
        t = report fit_qat vs source on test
        still = t.baseline_accuracy - t.accuracy > max_drop
        after = "accuracy on test " + t.accuracy * 100 + "%, a drop of " + (t.baseline_accuracy - t.accuracy) * 100 + " points"
      }
      if still {
        "fit: after QAT " + after + ": still misses the tolerance; fit_qat is the closest"
      } else {
        "fit: after QAT " + after + ": within the tolerance"
      }
    }
    "fit: " + chosen.name + " fits " + device.name + "; it is the working model"
  } else {
    "fit: nothing fits " + device.name + ": the smallest option, " + chosen.name + ", needs " + r.flash + " of flash (" + device.flash + ") and " + r.peak_ram + " of RAM (" + device.ram + ")"
  }
}
