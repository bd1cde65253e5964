import Foundation
import JumpEngine
import Testing

@Suite struct TensorTests {
  @Test func bytesRoundTripEveryDType() throws {
    let tensors: [Tensor] = [
      Tensor(shape: [2, 2], floats: [1, -2.5, 3, 4]),
      Tensor(shape: [3], storage: .float64([1e-300, 2, -3])),
      Tensor(shape: [2], int64s: [Int64.min, 7]),
      Tensor(shape: [2], storage: .int32([-1, 65_536])),
      Tensor(shape: [2], storage: .int8([-128, 127])),
      Tensor(shape: [2], storage: .uint8([0, 255])),
      Tensor(shape: [3], storage: .bool([true, false, true])),
    ]
    for t in tensors {
      #expect(t.littleEndianBytes.count == t.byteCount)
      #expect(try Tensor(shape: t.shape, dtype: t.dtype, littleEndianBytes: t.littleEndianBytes) == t)
    }
  }

  @Test func wrongByteCountIsAnError() {
    let error = engineError {
      _ = try Tensor(shape: [2, 2], dtype: .float32, littleEndianBytes: Data(count: 15))
    }
    #expect(error?.kind == .invalidData)
    #expect(error?.message.contains("needs 16 bytes") == true)
  }

  @Test func conversions() {
    let t = Tensor(shape: [3], floats: [1.9, -1.9, 0])
    #expect(t.converted(to: .int64).asInt64s() == [1, -1, 0])
    #expect(t.converted(to: .bool) == Tensor(shape: [3], storage: .bool([true, true, false])))
    #expect(Tensor(shape: [2], storage: .uint8([3, 200])).asFloats() == [3, 200])
    #expect(t.reshaped([3, 1])?.shape == [3, 1])
    #expect(t.reshaped([2]) == nil)
    #expect(Tensor.zeros(shape: [2, 3]).count == 6)
  }
}
