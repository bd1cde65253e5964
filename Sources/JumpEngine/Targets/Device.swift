/// A device a model is compressed for: its memory, speed and what its runtime can do.
///
/// Devices are declared in the language (`stdlib/targets.jss`, or a user's own script) with the
/// `device` command; the engine only consumes the numbers.
public struct Device: Sendable, Equatable {
  /// The name scripts use: `pico`, `rpi-zero2`.
  public var name: String
  /// One line saying what it is.
  public var summary: String
  /// RAM available to the model's activation arena and runtime, in bytes.
  public var ram: Int
  /// Flash (or storage) available for weights and code, in bytes.
  public var flash: Int
  /// CPU clock in hertz.
  public var clockHz: Double
  /// Sustained int8 multiply-accumulates per cycle of the kernels the runtime uses.
  public var int8MACsPerCycle: Double
  /// Sustained float32 multiply-accumulates per cycle (0 when floats are emulated and unusable).
  public var floatMACsPerCycle: Double
  /// Whether the CPU has a hardware floating-point unit.
  public var hasFloat: Bool
  /// Bytes of RAM the runtime itself keeps (interpreter, tensor structs, op data).
  public var runtimeOverhead: Int
  /// Whether weights are read in place from flash rather than copied to RAM.
  public var weightsInFlash: Bool
  /// Peak int8 throughput of an accelerator in tera-operations per second, if there is one.
  public var tops: Double?
  /// What runs the model: TFLite Micro on a microcontroller, LiteRT on Linux, or an NPU.
  public var kind: DeviceKind
  /// Whether the vendor's compiler quantizes a float model itself (DEEPX DX-COM takes float ONNX plus
  /// calibration data), so JumpStation's own quantization is not what runs there.
  public var compilerQuantizes: Bool

  /// Creates a device description.
  public init(
    name: String, summary: String = "", ram: Int, flash: Int, clockHz: Double,
    int8MACsPerCycle: Double = 1, floatMACsPerCycle: Double = 0, hasFloat: Bool = false,
    runtimeOverhead: Int = 0, weightsInFlash: Bool = true, tops: Double? = nil, kind: DeviceKind = .mcu,
    compilerQuantizes: Bool = false
  ) {
    self.name = name
    self.summary = summary
    self.ram = ram
    self.flash = flash
    self.clockHz = clockHz
    self.int8MACsPerCycle = int8MACsPerCycle
    self.floatMACsPerCycle = floatMACsPerCycle
    self.hasFloat = hasFloat
    self.runtimeOverhead = runtimeOverhead
    self.weightsInFlash = weightsInFlash
    self.tops = tops
    self.kind = kind
    self.compilerQuantizes = compilerQuantizes
  }

  /// The pointer width of the device's TFLite Micro build, or `nil` when it runs another runtime (whose
  /// own memory its `runtimeOverhead` covers).
  public var tfliteMicroPointerBytes: Int? { kind == .mcu ? PersistentTail.microcontrollerPointerBytes : nil }
}
