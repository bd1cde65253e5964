import Testing

@testable import JumpEngine

/// Fine-tuning under masks: pruned weights stay exactly zero, the rest train.
@Suite("Prune: masked fine-tuning")
struct MaskedFineTuningTests {
  @Test("one-shot masks survive every optimizer step")
  func masksSurvive() throws {
    let model = try TrainingLoopTests.mlp()
    let data = try TrainingLoopTests.dataset()
    let (pruned, masks) = try UnstructuredPruning.prune(model, sparsity: 0.6, scope: .global)
    let configuration = TrainingConfiguration(epochs: 2, batchSize: 16, schedule: .constant(1e-2), seed: 3)
    let (result, kept) = try MaskedFineTuning.run(
      pruned, masks: masks, schedule: nil, scope: .global, on: data, configuration: configuration)
    #expect(kept == masks)
    var changed = 0
    for (name, mask) in masks {
      let before = try #require(pruned.graph.initializers[name]?.asFloats())
      let after = try #require(result.model.graph.initializers[name]?.asFloats())
      for i in after.indices {
        if mask.keep[i] == 0 {
          #expect(after[i] == 0, "\(name)[\(i)]")
        } else if after[i] != before[i] {
          changed += 1
        }
      }
    }
    #expect(changed > 0)
    let report = SparsityReport(original: model, pruned: result.model)
    #expect(abs(report.totalSparsity - 0.6) < 0.001)
  }

  @Test("a polynomial schedule starts dense and ends at the final sparsity, deterministically")
  func polynomial() throws {
    let model = try TrainingLoopTests.mlp()
    let data = try TrainingLoopTests.dataset()
    let configuration = TrainingConfiguration(epochs: 2, batchSize: 16, schedule: .constant(1e-2), seed: 3)
    let steps = MaskedFineTuning.stepCount(samples: data.count, batchSize: 16, epochs: 2)
    #expect(steps == 12)
    let schedule = PolynomialSparsitySchedule.fineTuning(final: 0.5, steps: steps)
    var first: Model?
    for _ in 0..<2 {
      let (result, masks) = try MaskedFineTuning.run(
        model, masks: [:], schedule: schedule, scope: .layer, on: data, configuration: configuration)
      for (name, mask) in masks {
        #expect(mask.prunedCount == MagnitudeThresholds.prunedCount(0.5, of: mask.keep.count), "\(name)")
      }
      let report = SparsityReport(original: model, pruned: result.model)
      #expect(abs(report.totalSparsity - 0.5) < 0.01)
      if let first { #expect(first.graph.initializers == result.model.graph.initializers) }
      first = result.model
    }
  }
}
