import JumpEngine
import Testing

/// TFLite Micro's greedy placement on small hand-worked cases.
@Suite struct GreedyArenaPlannerTests {
  typealias R = GreedyArenaPlanner.Request

  @Test func buffersWhoseLifetimesDoNotOverlapShareOffsetZero() {
    let (offsets, size) = GreedyArenaPlanner.plan([
      R(size: 64, firstUsed: 0, lastUsed: 1), R(size: 64, firstUsed: 2, lastUsed: 3),
    ])
    #expect(offsets == [0, 0])
    #expect(size == 64)
  }

  @Test func lifetimesThatTouchAtOneScopeOverlap() {
    // A [0,1] and C [2,3] share nothing, B [1,2] touches both ends, so it goes above them.
    let (offsets, size) = GreedyArenaPlanner.plan([
      R(size: 64, firstUsed: 0, lastUsed: 1), R(size: 32, firstUsed: 1, lastUsed: 2),
      R(size: 64, firstUsed: 2, lastUsed: 3),
    ])
    #expect(offsets == [0, 64, 0])
    #expect(size == 96)
  }

  @Test func aSmallerBufferTakesTheFirstGapThatFits() {
    // Big1 at 0, Big2 (overlapping Big1) at 96; Small overlaps only Big2, so the gap [0, 96) takes it.
    let (offsets, size) = GreedyArenaPlanner.plan([
      R(size: 96, firstUsed: 0, lastUsed: 1), R(size: 64, firstUsed: 1, lastUsed: 2),
      R(size: 32, firstUsed: 2, lastUsed: 3),
    ])
    #expect(offsets == [0, 96, 0])
    #expect(size == 160)
  }

  @Test func onASizeTieTheBufferAddedLastIsPlacedFirst() {
    // Equal sizes: B (added last) takes offset 0, so A goes above it and C, which overlaps only B, too.
    let (offsets, size) = GreedyArenaPlanner.plan([
      R(size: 64, firstUsed: 0, lastUsed: 1), R(size: 64, firstUsed: 1, lastUsed: 2),
      R(size: 32, firstUsed: 2, lastUsed: 3),
    ])
    #expect(offsets == [64, 0, 64])
    #expect(size == 128)
  }

  @Test func largestFirstAndTiesGoToTheBufferAddedLast() {
    // Sizes tie at 32: TFLite Micro places S (added last) first, then R, then Q.
    let (offsets, size) = GreedyArenaPlanner.plan([
      R(size: 64, firstUsed: 0, lastUsed: 3),  // P
      R(size: 32, firstUsed: 0, lastUsed: 1),  // Q
      R(size: 32, firstUsed: 2, lastUsed: 3),  // R
      R(size: 32, firstUsed: 1, lastUsed: 2),  // S
    ])
    // P at 0; S above P; R above S (it overlaps both); Q overlaps P and S but not R, so it sits on R's offset.
    #expect(offsets == [0, 96, 96, 64])
    #expect(size == 128)
  }

  @Test func emptyPlan() {
    let (offsets, size) = GreedyArenaPlanner.plan([])
    #expect(offsets.isEmpty && size == 0)
  }
}
