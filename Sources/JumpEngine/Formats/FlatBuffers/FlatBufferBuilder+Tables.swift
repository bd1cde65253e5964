/// Tables: a signed offset to a vtable, then the fields; the vtable lists where each field is.
///
/// Fields are addressed by slot (the field's index in the schema, unions taking two: the type, then the
/// value). A scalar equal to its schema default is left out, as readers return the default for an absent
/// field; identical vtables are written once and shared.
extension FlatBufferBuilder {
  /// Starts a table; add its fields, then call `endTable`. Tables do not nest: write children first.
  public mutating func startTable() {
    precondition(openTable == nil, "a FlatBuffers table cannot start inside another")
    openTable = (size, [])
  }

  /// Adds a scalar field, left out when it equals `defaultValue` unless `force` is set.
  public mutating func add<T: FixedWidthInteger>(
    slot: Int, _ value: T, default defaultValue: T, force: Bool = false
  ) {
    guard force || value != defaultValue else { return }
    record(slot: slot, position: put(value))
  }

  /// Adds a boolean field (stored as one byte).
  public mutating func add(slot: Int, _ value: Bool, default defaultValue: Bool) {
    guard value != defaultValue else { return }
    record(slot: slot, position: put(UInt8(value ? 1 : 0)))
  }

  /// Adds a float32 field, left out when it equals `defaultValue`.
  public mutating func add(slot: Int, _ value: Float, default defaultValue: Float) {
    guard value.bitPattern != defaultValue.bitPattern else { return }
    record(slot: slot, position: put(value.bitPattern))
  }

  /// Adds a reference to a string, vector or table written earlier.
  public mutating func add(slot: Int, _ offset: FlatBufferOffset) {
    record(slot: slot, position: putReference(offset))
  }

  /// Ends the table, writing (or sharing) its vtable, and returns the table's offset.
  public mutating func endTable() -> FlatBufferOffset {
    guard let table = openTable else { preconditionFailure("endTable without startTable") }
    openTable = nil
    // The table begins with a placeholder for the signed distance to its vtable.
    let tablePosition = put(Int32(0))
    let slotCount = (table.fields.map(\.slot).max() ?? -1) + 1
    var entries = [UInt16](repeating: 0, count: slotCount)
    for field in table.fields { entries[field.slot] = UInt16(tablePosition - field.position) }
    let vtable = [UInt16(4 + 2 * slotCount), UInt16(tablePosition - table.start)] + entries
    let vtablePosition: Int
    if let shared = vtables.first(where: { vtableEntries(at: $0) == vtable }) {
      vtablePosition = shared
    } else {
      for entry in vtable.reversed() { push(entry) }
      vtablePosition = size
      vtables.append(vtablePosition)
    }
    // `vtable = table - soffset` in address terms; addresses run opposite to positions.
    let distance = Int32(vtablePosition - tablePosition)
    let index = storage.count - tablePosition
    storage.withUnsafeMutableBytes {
      $0.storeBytes(of: distance.littleEndian, toByteOffset: index, as: Int32.self)
    }
    return FlatBufferOffset(tablePosition)
  }

  /// Records where a field of the open table was written.
  private mutating func record(slot: Int, position: Int) {
    precondition(openTable != nil, "a FlatBuffers field must be added inside a table")
    openTable?.fields.append((slot, position))
  }

  /// The 16-bit entries of the vtable written at `position`.
  private func vtableEntries(at position: Int) -> [UInt16] {
    let index = storage.count - position
    func read(_ i: Int) -> UInt16 {
      UInt16(storage[index + 2 * i]) | UInt16(storage[index + 2 * i + 1]) << 8
    }
    let count = Int(read(0)) / 2
    return (0..<count).map(read)
  }
}
