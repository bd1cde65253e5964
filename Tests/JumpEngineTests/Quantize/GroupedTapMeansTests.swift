import Foundation
import Testing

@testable import JumpEngine

/// Tap means per group of samples.
@Suite("Quantize: grouped tap means")
struct GroupedTapMeansTests {
  typealias S = QuantizeTestSupport

  @Test("samples go to group s mod k; the groups' weighted products are the whole data's")
  func groupsAddUp() throws {
    let weights = S.tensor([3, 2, 3, 3], seed: 2)
    let model = try S.model(
      input: [2, 5, 5],
      nodes: [
        Node(
          name: "conv", op: .conv(ConvAttributes(kernel: [3, 3], pads: [1, 1, 1, 1])),
          inputs: ["x", "w", "b"], outputs: ["y"])
      ], initializers: ["w": weights, "b": Tensor(shape: [3], floats: [0, 0, 0])])
    let node = try Lowering.lower(model).graph.nodes[0]
    let x = S.tensor([5, 2, 5, 5], seed: 8, offset: 0.3)
    var whole = try FilterTapMeans(for: node, inputShape: [1, 2, 5, 5], filterShape: weights.shape)
    var grouped = try GroupedTapMeans(
      for: node, inputShape: [1, 2, 5, 5], filterShape: weights.shape, groupCount: 2)
    let values = x.floats ?? []
    values.withUnsafeBufferPointer { all in
      whole.add(all, shape: [5, 2, 5, 5])
      grouped.add(UnsafeBufferPointer(rebasing: all[0..<(2 * 50)]), shape: [2, 2, 5, 5], firstSample: 0)
      grouped.add(UnsafeBufferPointer(rebasing: all[(2 * 50)...]), shape: [3, 2, 5, 5], firstSample: 2)
    }
    let w = weights.floats ?? []
    let groups = grouped.expectedProducts(weights: w, outputChannels: 3, depthwise: false)
    #expect(groups.map(\.positions) == [3 * 25, 2 * 25], "samples 0, 2, 4 and 1, 3")
    let expected = whole.expectedProducts(weights: w, outputChannels: 3, depthwise: false)
    for o in 0..<3 {
      let combined = groups.reduce(0) { $0 + $1.products[o] * Double($1.positions) } / 125
      #expect(abs(combined - expected[o]) < 1e-9)
    }
  }
}
