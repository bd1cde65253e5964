import JumpEngine
import Testing

/// Zhu and Gupta's cubic ramp.
@Suite("Prune: polynomial sparsity schedule")
struct PolynomialSparsityScheduleTests {
  @Test("values follow s_f + (s_i − s_f)(1 − p)^3 at the update steps")
  func values() {
    let schedule = PolynomialSparsitySchedule(final: 0.8, end: 100, frequency: 5)
    #expect(schedule.sparsity(at: 0) == 0)
    #expect(abs(schedule.sparsity(at: 25) - 0.4625) < 1e-12)
    #expect(abs(schedule.sparsity(at: 20) - (0.8 - 0.8 * 0.512)) < 1e-12)
    #expect(abs(schedule.sparsity(at: 50) - 0.7) < 1e-12)
    #expect(schedule.sparsity(at: 54) == schedule.sparsity(at: 50))
    #expect(schedule.sparsity(at: 100) == 0.8)
    #expect(schedule.sparsity(at: 1000) == 0.8)
    let shifted = PolynomialSparsitySchedule(initial: 0.2, final: 0.6, begin: 10, end: 20)
    #expect(shifted.sparsity(at: 5) == 0.2)
    #expect(abs(shifted.sparsity(at: 15) - (0.6 - 0.4 * 0.125)) < 1e-12)
  }

  @Test("masks update every `frequency` steps up to and including the end")
  func updates() {
    let schedule = PolynomialSparsitySchedule(final: 0.5, end: 25, frequency: 10)
    #expect((0...30).filter(schedule.updatesMask(at:)) == [0, 10, 20, 25])
  }

  @Test("the fine-tuning schedule ramps over the first three quarters of the steps")
  func fineTuning() {
    let schedule = PolynomialSparsitySchedule.fineTuning(final: 0.5, steps: 82)
    #expect(schedule.end == 61)
    #expect(schedule.frequency == 3)
    #expect(schedule.sparsity(at: 82) == 0.5)
    let tiny = PolynomialSparsitySchedule.fineTuning(final: 0.5, steps: 1)
    #expect(tiny.end == 1)
    #expect(tiny.sparsity(at: 1) == 0.5)
  }
}
