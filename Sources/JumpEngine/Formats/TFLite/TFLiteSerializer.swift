/// Writes a `TFLiteModel` as TFLite FlatBuffers bytes (schema version 3, identifier "TFL3").
///
/// Every constant is stored inline in `Buffer.data`, 16-byte aligned; TFLite Micro never reads the
/// `offset`/`size` form. Operator codes are listed in order of first use, each with both the deprecated
/// byte code and `builtin_code`, at the version TFLite's converter would write (`TFLiteOperatorVersion`).
enum TFLiteSerializer {
  /// The file's bytes.
  static func serialize(_ model: TFLiteModel) -> [UInt8] {
    let dataBytes = model.buffers.reduce(0) { $0 + $1.count + 16 }
    var builder = FlatBufferBuilder(capacity: dataBytes + 4096 + 256 * model.tensors.count)

    // Buffers first: the largest part, and every one a leaf.
    var buffers: [FlatBufferOffset] = []
    for bytes in model.buffers {
      let data = bytes.isEmpty ? nil : builder.createVector(bytes: bytes, alignment: 16)
      builder.startTable()
      if let data { builder.add(slot: TFLiteSchema.Buffer.data, data) }
      buffers.append(builder.endTable())
    }
    let bufferVector = builder.createVector(offsets: buffers)

    var codes: [TFLiteBuiltinOperator] = []
    for op in model.operators where !codes.contains(op.op) { codes.append(op.op) }
    let versions = TFLiteOperatorVersion.versions(model)
    let codeVector = builder.createVector(
      offsets: codes.map { operatorCode($0, version: versions[$0] ?? 1, &builder) })

    let tensors = model.tensors.map { tensor($0, &builder) }
    let operators = model.operators.map { op in
      `operator`(op, opcodeIndex: codes.firstIndex(of: op.op) ?? 0, &builder)
    }
    let tensorVector = builder.createVector(offsets: tensors)
    let operatorVector = builder.createVector(offsets: operators)
    let inputs = builder.createVector(model.inputs.map { Int32($0) })
    let outputs = builder.createVector(model.outputs.map { Int32($0) })
    let subgraphName = builder.createString(model.name)
    builder.startTable()
    builder.add(slot: TFLiteSchema.SubGraph.tensors, tensorVector)
    builder.add(slot: TFLiteSchema.SubGraph.inputs, inputs)
    builder.add(slot: TFLiteSchema.SubGraph.outputs, outputs)
    builder.add(slot: TFLiteSchema.SubGraph.operators, operatorVector)
    builder.add(slot: TFLiteSchema.SubGraph.name, subgraphName)
    let subgraph = builder.endTable()
    let subgraphs = builder.createVector(offsets: [subgraph])

    let metadata = model.metadata.map { entry -> FlatBufferOffset in
      let name = builder.createString(entry.name)
      builder.startTable()
      builder.add(slot: TFLiteSchema.Metadata.name, name)
      builder.add(slot: TFLiteSchema.Metadata.buffer, UInt32(entry.buffer), default: 0, force: true)
      return builder.endTable()
    }
    let metadataVector = builder.createVector(offsets: metadata)
    let description = builder.createString(model.description)

    builder.startTable()
    builder.add(slot: TFLiteSchema.Model.version, TFLiteSchema.version, default: 0)
    builder.add(slot: TFLiteSchema.Model.operatorCodes, codeVector)
    builder.add(slot: TFLiteSchema.Model.subgraphs, subgraphs)
    builder.add(slot: TFLiteSchema.Model.description, description)
    builder.add(slot: TFLiteSchema.Model.buffers, bufferVector)
    builder.add(slot: TFLiteSchema.Model.metadata, metadataVector)
    let root = builder.endTable()
    return builder.finish(root: root, fileIdentifier: TFLiteSchema.fileIdentifier)
  }

  /// An `OperatorCode` table.
  private static func operatorCode(
    _ op: TFLiteBuiltinOperator, version: Int32, _ builder: inout FlatBufferBuilder
  ) -> FlatBufferOffset {
    let deprecated = op.rawValue < 127 ? Int8(op.rawValue) : TFLiteSchema.placeholderForGreaterOpCodes
    builder.startTable()
    builder.add(slot: TFLiteSchema.OperatorCode.deprecatedBuiltinCode, deprecated, default: 0)
    builder.add(slot: TFLiteSchema.OperatorCode.version, version, default: 1, force: true)
    builder.add(slot: TFLiteSchema.OperatorCode.builtinCode, op.rawValue, default: 0)
    return builder.endTable()
  }

  /// A `Tensor` table with its `QuantizationParameters`.
  private static func tensor(
    _ tensor: TFLiteModel.Tensor, _ builder: inout FlatBufferBuilder
  ) -> FlatBufferOffset {
    let shape = builder.createVector(tensor.shape.map { Int32($0) })
    let name = builder.createString(tensor.name)
    var quantization: FlatBufferOffset?
    if let q = tensor.quantization {
      let scales = builder.createVector(q.scales)
      let zeroPoints = builder.createVector(q.zeroPoints)
      builder.startTable()
      builder.add(slot: TFLiteSchema.Quantization.scale, scales)
      builder.add(slot: TFLiteSchema.Quantization.zeroPoint, zeroPoints)
      builder.add(slot: TFLiteSchema.Quantization.quantizedDimension, Int32(q.dimension), default: 0)
      quantization = builder.endTable()
    }
    builder.startTable()
    builder.add(slot: TFLiteSchema.Tensor.shape, shape)
    builder.add(slot: TFLiteSchema.Tensor.type, tensor.type.rawValue, default: 0)
    builder.add(slot: TFLiteSchema.Tensor.buffer, UInt32(tensor.buffer), default: 0)
    builder.add(slot: TFLiteSchema.Tensor.name, name)
    if let quantization { builder.add(slot: TFLiteSchema.Tensor.quantization, quantization) }
    return builder.endTable()
  }

  /// An `Operator` table with its builtin options.
  private static func `operator`(
    _ op: TFLiteModel.Operator, opcodeIndex: Int, _ builder: inout FlatBufferBuilder
  ) -> FlatBufferOffset {
    let inputs = builder.createVector(op.inputs.map { Int32($0) })
    let outputs = builder.createVector(op.outputs.map { Int32($0) })
    let options = op.options.write(to: &builder)
    builder.startTable()
    builder.add(slot: TFLiteSchema.Operator.opcodeIndex, UInt32(opcodeIndex), default: 0)
    builder.add(slot: TFLiteSchema.Operator.inputs, inputs)
    builder.add(slot: TFLiteSchema.Operator.outputs, outputs)
    if let options {
      builder.add(slot: TFLiteSchema.Operator.builtinOptionsType, op.options.tag, default: 0)
      builder.add(slot: TFLiteSchema.Operator.builtinOptions, options)
    }
    return builder.endTable()
  }
}
