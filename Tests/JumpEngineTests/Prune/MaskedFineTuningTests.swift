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

  @Test("with a validation split the kept epoch is one at the final sparsity")
  func validationKeepsOnlyFinalSparsity() throws {
    let model = try TrainingLoopTests.mlp()
    let data = try TrainingLoopTests.dataset()
    let configuration = TrainingConfiguration(
      epochs: 4, batchSize: 16, schedule: .constant(1e-2), seed: 3, validationFraction: 0.25)
    let steps = MaskedFineTuning.stepCount(samples: 72, batchSize: 16, epochs: 4)
    let schedule = PolynomialSparsitySchedule.fineTuning(final: 0.5, steps: steps)
    let (result, _) = try MaskedFineTuning.run(
      model, masks: [:], schedule: schedule, scope: .layer, on: data, configuration: configuration)
    #expect(result.validation.count == 4)
    // 5 steps an epoch, the ramp ends at step 15: only epochs 3 and 4 may be kept.
    #expect(result.keptEpoch >= 3)
    let report = SparsityReport(original: model, pruned: result.model)
    #expect(abs(report.totalSparsity - 0.5) < 0.01)
  }
}
