# Pipelines written in the language. `use pipelines` loads them.
#
# fit TARGET: make the working model fit a device, running only the stages it needs, in the order
# the seed prescribes, and print each decision with the numbers behind it:
#
#   1. INT8 post-training quantization. If weights and peak RAM fit the target, done.
#   2. If the int8 weights do not fit the target's flash, INT4 weights (W4A8).
#   3. If peak RAM still does not fit, structured pruning: the activation arena only shrinks when
#      whole channels go, so the smallest channel fraction (10% steps up to 70%) whose INT8 model
#      fits is found on unpruned-then-quantized probes, then applied with a 2-epoch fine-tune on
#      `train`, and the fine-tuned model is quantized.
#   4. If nothing fits, it says so, with what the smallest option needed.
#
# Conventions: calibration data is the dataset named `operational` (quantize calibrates on it), and
# fine-tuning data the labelled dataset named `train`. Models it makes are named fit_*.
def fit(device) {
  target device
  let origin = model
  let chosen = origin
  let done = false
  quantize int8 from origin as fit_int8
  let r = report fit_int8
  "fit: int8 PTQ of " + origin.name + ": weights " + r.flash + " (flash " + device.flash + "), peak RAM " + r.peak_ram + " (RAM " + device.ram + ")"
  if r.fits {
    "fit: int8 fits " + device.name + "; no pruning or distillation needed"
    chosen = fit_int8
    done = true
  }
  let precision = "int8"
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
  if not done and r.fits_flash {
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
      "fit: nothing fits " + device.name + ": even without 70% of the channels the int8 model needs " + last.peak_ram + " of RAM (" + device.ram + " available); a smaller student (distill) is the next option"
    } else {
      prune sparsity structured=true finetune=2 on train from origin as fit_pruned
      quantize int8 from fit_pruned as fit_pruned_int8
      r = report fit_pruned_int8
      chosen = fit_pruned_int8
      done = r.fits
      "fit: pruned " + sparsity * 100 + "% of the channels and fine-tuned 2 epochs on train: weights " + r.flash + ", peak RAM " + r.peak_ram
    }
  }
  if not done and not r.fits_flash {
    "fit: nothing fits " + device.name + ": even int4 weights take " + r.flash + " (flash " + device.flash + "); a smaller student (distill) is the next option"
  }
  if done {
    "fit: " + chosen.name + " fits " + device.name + "; it is the working model"
  }
}
