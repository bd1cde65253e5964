# The device catalog. `use targets` loads it; `target NAME` selects a device.
# Add your own devices in your scripts with the same `device` command.
#
# ram        memory the model's arena and the runtime may use
# flash      storage for weights and code
# clock      CPU clock
# int8_macs / float_macs   sustained multiply-accumulates per cycle of the kernels the runtime uses
# fpu        hardware floating point
# overhead   RAM the runtime needs outside its arena (interpreter object, op resolver, stack, system);
#            TFLite Micro's persistent structs live in the arena's tail, which `report memory` estimates
#            per model; for Linux boxes also the operating system
# weights_in_flash   weights are read in place from flash (true) or loaded into RAM (false)
# kind       mcu (TFLite Micro), linux (LiteRT on the CPU), npu (an accelerator and its compiler)
# tops       accelerator int8 tera-operations per second
# compiler_quantizes   the vendor compiler takes a float model and quantizes it itself
#
# Memory sizes and clocks come from the cited datasheets and vendor pages. MACs per cycle and
# overheads are estimates (marked so): they feed the latency estimate and the RAM budget, and a
# measurement on the board should replace them.

# Arduino Uno (ATmega328P): 2 KB SRAM, 32 KB flash (0.5 KB taken by the bootloader), 16 MHz, 8-bit AVR
# with a 2-cycle 8x8 multiplier and no FPU.
# Source: Microchip ATmega328P datasheet (https://www.microchip.com/en-us/product/ATmega328P);
# 2 KB / 32 KB also in REFERENCES.md §6 (github.com/hollance/TinyML-HelloWorld-ArduinoUno, which finds
# that TFLite Micro "does not appear to run on the Uno").
# Estimates: int8 MAC with a flash (LPM) load and a 32-bit accumulate takes ~10 cycles (0.1/cycle);
# soft-float multiply + add take ~200 cycles (0.005/cycle); overhead 512 B for a hand-written runtime
# and its stack, since TFLite Micro itself does not fit.
device uno ram=2KB flash=32KB clock=16MHz int8_macs=0.1 float_macs=0.005 fpu=false overhead=512B \
  kind=mcu summary="Arduino Uno (ATmega328P, 8-bit AVR)"

# Raspberry Pi Pico (RP2040): 264 KB SRAM, no internal flash, 2 MB QSPI flash on the board,
# dual Cortex-M0+ at 133 MHz without an FPU.
# Source: https://docs.micropython.org/en/latest/rp2/general.html (RP2040 memory); clock from the
# RP2040 datasheet (https://datasheets.raspberrypi.com/rp2040/rp2040-datasheet.pdf).
# Estimates: the M0+ has a single-cycle multiplier but no SIMD or DSP instructions, so an int8 MAC
# with its two byte loads takes ~4 cycles (0.25/cycle, one core); floats are emulated by the boot ROM
# routines (~0.01 MAC/cycle); overhead 4 KB (TFLite Micro's interpreter object and op resolver, stack).
device pico ram=264KB flash=2MB clock=133MHz int8_macs=0.25 float_macs=0.01 fpu=false overhead=4KB \
  kind=mcu summary="Raspberry Pi Pico (RP2040, Cortex-M0+)"

# Arduino Nano 33 BLE (nRF52840): 256 KB RAM, 1 MB flash, Cortex-M4F at 64 MHz with a single-precision
# FPU and the DSP extension (SMLAD: two 16-bit MACs per instruction).
# Source: Nordic nRF52840 product page (https://www.nordicsemi.com/Products/nRF52840); the board's
# linker script gives the application RAM 0x40000 = 256 KB and flash 0xf0000 = 960 KB after the
# bootloader (http://www.piwnica.org/nano33ble-bootloader).
# Estimates: CMSIS-NN int8 kernels sustain ~1 MAC/cycle (SMLAD peak 2); float ~0.5 MAC/cycle (VFMA
# plus loads); overhead 20 KB (Mbed OS, TFLite Micro's interpreter object, stack).
device nano33ble ram=256KB flash=1MB clock=64MHz int8_macs=1 float_macs=0.5 fpu=true overhead=20KB \
  kind=mcu summary="Arduino Nano 33 BLE (nRF52840, Cortex-M4F)"

# ESP32-S3: 512 KB internal SRAM, dual Xtensa LX7 at 240 MHz with 128-bit vector (PIE) instructions and
# a single-precision FPU; flash is external, 8 MB on the ESP32-S3-DevKitC-1-N8 (modules have 4-16 MB).
# Source: Espressif ESP32-S3 datasheet (https://www.espressif.com/en/products/socs/esp32-s3); 512 KB,
# 240 MHz and the 8 MB N8 board also at https://deepwiki.com/polymech-info/firmware/4.1-esp32-s3-soc.
# Estimates: ESP-NN's vector int8 kernels sustain ~4 MACs/cycle on one core (16 per instruction at
# peak); float ~0.5 MAC/cycle; overhead 44 KB (ESP-IDF, FreeRTOS, TFLite Micro's interpreter object,
# stacks; radios off).
# Optional PSRAM is not counted.
device esp32s3 ram=512KB flash=8MB clock=240MHz int8_macs=4 float_macs=0.5 fpu=true overhead=44KB \
  kind=mcu summary="ESP32-S3 (dual Xtensa LX7, vector extension)"

# Raspberry Pi Zero 2 W: quad Cortex-A53 at 1 GHz (RP3A0, BCM2710A1) with NEON, 512 MB LPDDR2; storage
# is the microSD card (16 GB assumed).
# Source: https://www.raspberrypi.com/products/raspberry-pi-zero-2-w/ (also
# https://www.pi-supply.vip/raspberry-pi-zero-2-w-released.html).
# Estimates: LiteRT (XNNPACK) on four A53 cores sustains ~8 int8 MACs/cycle and ~4 float MACs/cycle
# in total (the A53's NEON datapath is 64 bits wide); overhead 128 MB for Raspberry Pi OS Lite and the
# runtime. Weights are loaded from the card into RAM.
device rpi-zero2 ram=512MB flash=16GB clock=1GHz int8_macs=8 float_macs=4 fpu=true overhead=128MB \
  weights_in_flash=false kind=linux summary="Raspberry Pi Zero 2 W (quad Cortex-A53, Linux)"

# turbo: an edge box with a DEEPX DX-M1 M.2 module: 25 TOPS INT8 at 3-5 W, 4 GB LPDDR5 on the module
# (which holds the compiled model's weights and activations) and 1 Gbit QSPI NAND for its firmware.
# DX-COM compiles a float ONNX model plus calibration data itself (REFERENCES.md §4), so the box takes
# the float model, and JumpStation's quantization only predicts what it will do.
# Source: Radxa AICore DX-M1 specifications (github.com/radxa-docs/docs
# `i18n/en/docusaurus-plugin-content-docs/current/aicore/dx-m1/README.md`).
# Estimates: the NPU's clock is not published there (1 GHz stands in; latency uses `tops`); the host's
# storage for models is taken as 32 GB; overhead 64 MB for the DX-RT runtime's reservations on the
# module. Host CPU figures are not used for the NPU's latency.
device turbo ram=4GB flash=32GB clock=1GHz int8_macs=8 float_macs=4 fpu=true overhead=64MB tops=25 \
  weights_in_flash=false kind=npu compiler_quantizes=true \
  summary="edge box with a DEEPX DX-M1 NPU (25 TOPS INT8)"
