import Foundation
import Testing

@testable import JumpEngine

/// The shrinkage of a measured shift by its standard error across groups of samples.
@Suite("Quantize: shift estimate")
struct ShiftEstimateTests {
  @Test("a shift the groups agree on is kept, one that is noise is dropped, one group keeps the mean")
  func shrinkage() {
    #expect(ShiftEstimate.shrunk([0.5, 0.5, 0.5, 0.5], positions: [4, 4, 4, 4]) == 0.5)
    let steady = ShiftEstimate.shrunk([0.49, 0.51, 0.5, 0.5], positions: [4, 4, 4, 4])
    #expect(abs(steady - 0.5) < 0.001)
    let noise = ShiftEstimate.shrunk([1, -1, 1.2, -0.9], positions: [4, 4, 4, 4])
    #expect(abs(noise) < 0.01, "mean 0.075 with a standard error near 0.55 (\(noise))")
    #expect(ShiftEstimate.shrunk([0.3], positions: [9]) == 0.3)
    #expect(ShiftEstimate.shrunk([0.3, 5], positions: [9, 0]) == 0.3, "empty groups do not count")
    #expect(ShiftEstimate.shrunk([], positions: []) == 0)
    // Weighted by positions: the mean of 1 (3 positions) and 0 (1 position) is 0.75.
    let weighted = ShiftEstimate.shrunk([1, 0], positions: [3, 1])
    #expect(weighted > 0 && weighted < 0.75)
  }
}
