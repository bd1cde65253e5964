# The device catalog. `use targets` loads it; `target NAME` selects a device.
# Add your own devices in your scripts with the same `device` command.
#
# ram      memory the model's arena and the runtime may use
# flash    storage for weights and code
# clock    CPU clock
# int8_macs / float_macs   sustained multiply-accumulates per cycle of the kernels (estimates)
# overhead RAM the runtime keeps for itself (interpreter, tensor structs, op data)

# Raspberry Pi Pico (RP2040): 264 KB SRAM, no internal flash, 2 MB QSPI flash on the board,
# dual Cortex-M0+ at 133 MHz without an FPU.
# Source: https://docs.micropython.org/en/latest/rp2/general.html (RP2040 memory);
# clock from the RP2040 datasheet. MACs per cycle and overhead are estimates: the M0+ has no
# SIMD or DSP instructions, so an int8 MAC takes about two cycles; floats are emulated.
device pico ram=264KB flash=2MB clock=133MHz int8_macs=0.5 float_macs=0.05 fpu=false overhead=8KB \
  summary="Raspberry Pi Pico (RP2040, Cortex-M0+)"
