/// What runs a model on a device, which decides how memory and latency are estimated.
public enum DeviceKind: String, Sendable, Hashable, CaseIterable {
  /// A microcontroller running TFLite Micro: one static arena, weights read in place from flash.
  case mcu
  /// A Linux computer running LiteRT on its CPU cores: weights loaded into RAM.
  case linux
  /// An edge box whose model runs on a neural accelerator through the vendor's compiler.
  case npu
}
