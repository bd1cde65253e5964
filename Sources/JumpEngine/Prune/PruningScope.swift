/// Over which weights the magnitude threshold is chosen.
public enum PruningScope: String, Sendable, CaseIterable {
  /// One threshold for all prunable weights together: layers with many small weights lose more.
  case global
  /// Each layer loses the same fraction of its own weights.
  case layer
}

/// Magnitude masks for a set of weight tensors at a target sparsity, with one threshold over all of them
/// (`global`) or one per tensor (`layer`).
///
/// The number pruned is `round(sparsity × count)`, counted over all tensors together (global) or per tensor
/// (layer); ties in magnitude go by tensor order, then position, so the count is exact.
public enum MagnitudeThresholds {
  /// Masks for `weights` (in the given order, by name) at `sparsity` in [0, 1).
  public static func masks(
    _ weights: [(name: String, values: [Float])], sparsity: Double, scope: PruningScope
  ) -> [String: MagnitudeMask] {
    switch scope {
    case .layer:
      var masks: [String: MagnitudeMask] = [:]
      for (name, values) in weights {
        masks[name] = MagnitudeMask.pruning(prunedCount(sparsity, of: values.count), of: values)
      }
      return masks
    case .global:
      return globalMasks(weights, sparsity: sparsity)
    }
  }

  /// How many of `count` elements a sparsity prunes.
  public static func prunedCount(_ sparsity: Double, of count: Int) -> Int {
    min(count, max(0, Int((sparsity * Double(count)).rounded())))
  }

  /// One ranking over every element of every tensor.
  static func globalMasks(
    _ weights: [(name: String, values: [Float])], sparsity: Double
  ) -> [String: MagnitudeMask] {
    let all = weights.flatMap(\.values)
    let global = MagnitudeMask.pruning(prunedCount(sparsity, of: all.count), of: all)
    var masks: [String: MagnitudeMask] = [:]
    var offset = 0
    for (name, values) in weights {
      let keep = Array(global.keep[offset..<(offset + values.count)])
      var pruned = 0
      var threshold: Float = 0
      for (k, w) in zip(keep, values) where k == 0 {
        pruned += 1
        threshold = max(threshold, abs(w))
      }
      masks[name] = MagnitudeMask(keep: keep, prunedCount: pruned, threshold: threshold)
      offset += values.count
    }
    return masks
  }
}
