/// Which runtime's integer arithmetic the reference executor reproduces.
///
/// TFLite runtimes share every kernel's formula but not always how a kernel rounds when it requantizes
/// its accumulators, and a tie rounded the other way is one output step apart. The executor follows one
/// runtime exactly, so the accuracy it reports is that runtime's:
///
/// - TFLite Micro's reference kernels, the runtime microcontroller builds use: gemmlowp's double rounding
///   everywhere (the default).
/// - LiteRT's built-in kernels as its reference resolver runs them: double rounding, except per-channel
///   FULLY_CONNECTED, which LiteRT computes through ruy with one 64-bit rounding; and MUL's multiplier,
///   which LiteRT computes from the scales in `float` where TFLite Micro uses `double`.
/// - Builds with `TFLITE_SINGLE_ROUNDING` (CMSIS-NN and some vendor ports): one rounding everywhere.
///
/// LiteRT's default CPU path (XNNPACK) requantizes in float and is not bit-exact with any of these; it
/// stays within one step.
public enum IntegerArithmetic: String, CaseIterable, Sendable, Equatable {
  /// TFLite Micro's reference kernels (double rounding).
  case tfliteMicro = "tflm"
  /// LiteRT's built-in reference kernels (per-channel FULLY_CONNECTED rounds once).
  case liteRT = "litert"
  /// A TFLite or TFLite Micro build with `TFLITE_SINGLE_ROUNDING`.
  case singleRounding = "single-rounding"

  /// The requantization rounding of every kernel but the exceptions below.
  public var rounding: RoundingMode {
    switch self {
    case .tfliteMicro, .liteRT: .double
    case .singleRounding: .single
    }
  }

  /// The requantization rounding of a FULLY_CONNECTED node with one weight scale per output channel.
  var perChannelFullyConnectedRounding: RoundingMode {
    switch self {
    case .tfliteMicro: .double
    case .liteRT, .singleRounding: .single
    }
  }

  /// Whether MUL's multiplier `s_1 * s_2 / s_out` is computed in `float` (LiteRT's `mul.cc`) rather than in
  /// `double` (TFLite Micro's `CalculateOpDataMul`, which `TFLITE_SINGLE_ROUNDING` builds share).
  var mulScalesInFloat: Bool { self == .liteRT }

  /// What the `arithmetic=` option's help and result lines call it.
  public var runtimeName: String {
    switch self {
    case .tfliteMicro: "TFLite Micro"
    case .liteRT: "LiteRT (reference kernels)"
    case .singleRounding: "TFLite built with single rounding"
    }
  }
}
