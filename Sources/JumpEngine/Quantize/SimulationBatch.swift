/// The live activations of one batch while a `SimulationExecutor` runs it node by node.
///
/// A whole-graph run creates one per pass; bias correction keeps one per calibration batch and advances
/// them all a node at a time, so each layer is measured once its upstream layers are final. Buffers are
/// freed after their last reader (graph outputs are kept) and when the batch is released.
final class SimulationBatch {
  /// Samples in the batch.
  let count: Int
  /// The buffer of every live activation.
  var buffers: [String: UnsafeMutablePointer<Float>] = [:]
  /// The concrete shape of every activation produced so far, and of every constant.
  var shapes: [String: [Int]]
  /// The index of the next node to run.
  var nextNode = 0

  init(count: Int, constantShapes: [String: [Int]]) {
    self.count = count
    shapes = constantShapes
  }

  deinit {
    for pointer in buffers.values { pointer.deallocate() }
  }

  /// A view of the live activation `name`, nil when it is not live.
  func view(_ name: String) -> ActivationView? {
    guard let pointer = buffers[name], let shape = shapes[name] else { return nil }
    return ActivationView(
      name: name, shape: shape, values: UnsafeBufferPointer(start: pointer, count: shape.reduce(1, *)))
  }
}
