import Testing

@testable import JumpEngine

@Suite struct FlatBufferBuilderTests {
  @Test func scalarsStringsAndDefaults() {
    var builder = FlatBufferBuilder(capacity: 16)
    let name = builder.createString("héllo")
    builder.startTable()
    builder.add(slot: 0, Int32(-7), default: 0)
    builder.add(slot: 1, name)
    builder.add(slot: 2, UInt8(3), default: 3)  // the default: left out
    builder.add(slot: 3, Float(1.5), default: 0)
    builder.add(slot: 4, true, default: false)
    builder.add(slot: 5, Int64(1 << 40), default: 0)
    let root = builder.endTable()
    let bytes = builder.finish(root: root, fileIdentifier: "TEST")
    let reader = FlatBufferReader(bytes: bytes)
    #expect(reader.fileIdentifier == "TEST")
    let table = reader.root
    #expect(table.scalar(0, default: Int32(0)) == -7)
    #expect(table.string(1) == "héllo")
    #expect(table.fieldPosition(2) == nil)
    #expect(table.scalar(2, default: UInt8(3)) == 3)
    #expect(table.float(3, default: 0) == 1.5)
    #expect(table.scalar(4, default: UInt8(0)) == 1)
    #expect(table.scalar(5, default: Int64(0)) == 1 << 40)
    #expect(table.fieldPosition(9) == nil)
  }

  @Test func scalarsAreAlignedToTheirWidth() {
    var builder = FlatBufferBuilder()
    builder.startTable()
    builder.add(slot: 0, UInt8(1), default: 0)
    builder.add(slot: 1, Int64(-2), default: 0)
    builder.add(slot: 2, Int16(3), default: 0)
    let root = builder.endTable()
    let reader = FlatBufferReader(bytes: builder.finish(root: root))
    let table = reader.root
    #expect(table.fieldPosition(1)! % 8 == 0)
    #expect(table.fieldPosition(2)! % 2 == 0)
    #expect(table.scalar(1, default: Int64(0)) == -2)
    #expect(table.scalar(2, default: Int16(0)) == 3)
  }

  @Test func vectorsOfScalarsTablesAndStrings() {
    var builder = FlatBufferBuilder(capacity: 16)
    var children: [FlatBufferOffset] = []
    for i in 0..<3 {
      builder.startTable()
      builder.add(slot: 0, Int32(10 * i), default: -1)
      children.append(builder.endTable())
    }
    let tables = builder.createVector(offsets: children)
    let ints = builder.createVector([Int32(1), -2, 3])
    let longs = builder.createVector([Int64(-5), 6])
    let floats = builder.createVector([Float(0.25), -4])
    let names = builder.createVector(offsets: [builder.createString("a"), builder.createString("bc")])
    let empty = builder.createVector([UInt8]())
    builder.startTable()
    builder.add(slot: 0, tables)
    builder.add(slot: 1, ints)
    builder.add(slot: 2, longs)
    builder.add(slot: 3, floats)
    builder.add(slot: 4, names)
    builder.add(slot: 5, empty)
    let root = builder.endTable()
    let reader = FlatBufferReader(bytes: builder.finish(root: root))
    let table = reader.root
    #expect(table.tables(0).map { $0.scalar(0, default: Int32(-1)) } == [0, 10, 20])
    #expect(table.vector(1, of: Int32.self) == [1, -2, 3])
    #expect(table.vector(2, of: Int64.self) == [-5, 6])
    #expect(table.vectorStart(2)!.start % 8 == 0)
    #expect(table.floats(3) == [0.25, -4])
    #expect(table.strings(4) == ["a", "bc"])
    #expect(table.vector(5, of: UInt8.self) == [])
  }

  @Test func identicalVtablesAreShared() {
    var builder = FlatBufferBuilder()
    var offsets: [FlatBufferOffset] = []
    for i in 0..<4 {
      builder.startTable()
      builder.add(slot: 1, Int32(i + 1), default: 0)
      offsets.append(builder.endTable())
    }
    let vector = builder.createVector(offsets: offsets)
    builder.startTable()
    builder.add(slot: 0, vector)
    let bytes = builder.finish(root: builder.endTable())
    let reader = FlatBufferReader(bytes: bytes)
    let children = reader.root.tables(0)
    #expect(children.map { $0.scalar(1, default: Int32(0)) } == [1, 2, 3, 4])
    let vtables = Set(children.map { $0.position - Int(reader.int32(at: $0.position)) })
    #expect(vtables.count == 1)
  }

  @Test func forcedAlignmentHoldsFromTheFileStart() {
    for lead in 0..<5 {
      var builder = FlatBufferBuilder(capacity: 8)
      let data = builder.createVector(bytes: [1, 2, 3], alignment: 16)
      let padding = builder.createVector([UInt8](repeating: 9, count: lead))
      builder.startTable()
      builder.add(slot: 0, data)
      builder.add(slot: 1, padding)
      builder.add(slot: 2, UInt8(lead), default: 0)
      let bytes = builder.finish(root: builder.endTable(), fileIdentifier: "TFL3")
      #expect(bytes.count % 16 == 0)
      let reader = FlatBufferReader(bytes: bytes)
      let (start, count) = reader.root.vectorStart(0)!
      #expect(start % 16 == 0)
      #expect(count == 3)
      #expect(reader.root.vector(0, of: UInt8.self) == [1, 2, 3])
    }
  }

  @Test func vectorsOfStructs() {
    var builder = FlatBufferBuilder()
    // Two structs { a: int16, b: int16 } = (1, 2), (3, 4).
    let vector = builder.createVector(structs: [1, 0, 2, 0, 3, 0, 4, 0], structSize: 4, alignment: 2)
    builder.startTable()
    builder.add(slot: 0, vector)
    let reader = FlatBufferReader(bytes: builder.finish(root: builder.endTable()))
    let (start, count) = reader.root.vectorStart(0)!
    #expect(count == 2)
    #expect((0..<4).map { reader.scalar(at: start + 2 * $0) as Int16 } == [1, 2, 3, 4])
  }

  @Test func growsPastItsInitialCapacity() {
    var builder = FlatBufferBuilder(capacity: 16)
    let big = builder.createVector(bytes: (0..<5000).map { UInt8($0 % 251) }, alignment: 16)
    builder.startTable()
    builder.add(slot: 0, big)
    let reader = FlatBufferReader(bytes: builder.finish(root: builder.endTable()))
    #expect(reader.root.vector(0, of: UInt8.self) == (0..<5000).map { UInt8($0 % 251) })
  }
}
