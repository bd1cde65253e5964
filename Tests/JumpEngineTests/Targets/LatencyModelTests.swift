import JumpEngine
import Testing

/// The latency estimate follows the MACs and bytes of each exported op.
@Suite struct LatencyModelTests {
  @Test func convolutionMACsAndCycles() throws {
    let device = Device(name: "m", ram: 1 << 20, flash: 1 << 20, clockHz: 1e6, int8MACsPerCycle: 1)
    let estimate = try LatencyModel.estimate(MemoryPlannerTests.graph(), on: device)
    #expect(estimate.steps.map(\.macs) == [16 * 8, 16 * 8 * 8, 128, 0, 16])
    // CONV 1: x 16 B + filter 8 B + bias 32 B + output 128 B.
    #expect(estimate.steps[0].bytes == 16 + 8 + 32 + 128)
    // 128 MACs at 1/cycle + 184 bytes at 1 cycle/byte + 2,000 cycles of op overhead, at 1 MHz.
    #expect(abs(estimate.steps[0].seconds - (128 + 184 + 2000) / 1e6) < 1e-12)
    #expect(estimate.macs == 128 + 1024 + 128 + 16)
  }

  @Test func anNPUUsesItsTOPS() throws {
    let npu = Device(name: "n", ram: 1 << 30, flash: 1 << 30, clockHz: 1e9, tops: 25, kind: .npu)
    let estimate = try LatencyModel.estimate(MemoryPlannerTests.graph(), on: npu)
    #expect(abs(estimate.steps[1].seconds - (2 * 1024 / (25e12 * 0.25) + 2e-6)) < 1e-15)
  }
}
