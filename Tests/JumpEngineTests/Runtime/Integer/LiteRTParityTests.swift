import Foundation
import Testing

@testable import JumpEngine

/// Cross-checks the integer kernels against LiteRT's reference kernels (`OpResolverType.BUILTIN_REF`).
///
/// The Python below builds one-op `.tflite` models with the flatbuffer object API that ships inside
/// `ai_edge_litert` (`schema_py_generated`), runs them, and prints inputs, parameters and outputs (relaid out
/// to NCHW) as JSON. The test runs only where the repository's `.venv` has `ai_edge_litert`.
@Suite("Integer runtime: agreement with LiteRT's reference kernels")
struct IntegerLiteRTParityTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let python = root.appendingPathComponent(".venv/bin/python")
  static let available =
    FileManager.default.isExecutableFile(atPath: python.path)
    && FileManager.default.fileExists(
      atPath: root.appendingPathComponent(".venv/lib/python3.11/site-packages/ai_edge_litert").path)

  /// One JSON case.
  struct Case {
    let fields: [String: Any]
    var op: String { fields["op"] as? String ?? "" }
    func ints(_ key: String) -> [Int] { (fields[key] as? [NSNumber])?.map(\.intValue) ?? [] }
    func int8s(_ key: String) -> [Int8] { ints(key).map { Int8($0) } }
    func float(_ key: String) -> Float { (fields[key] as? NSNumber)?.floatValue ?? 0 }
    func int32(_ key: String) -> Int32 { (fields[key] as? NSNumber)?.int32Value ?? 0 }
    func floats(_ key: String) -> [Float] { (fields[key] as? [NSNumber])?.map(\.floatValue) ?? [] }
    func string(_ key: String) -> String { fields[key] as? String ?? "" }
  }

  static func cases() throws -> [Case] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "jumpstation-litert-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = directory.appendingPathComponent("gen.py")
    try generator.write(to: script, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = python
    process.arguments = [script.path]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(errorText)")
    let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    return list.map(Case.init)
  }

  @Test("every op agrees element for element", .enabled(if: available))
  func parity() throws {
    let cases = try Self.cases()
    #expect(cases.count == 13)
    for c in cases {
      let ours = try run(c)
      let expected = c.int8s("expected")
      #expect(!expected.isEmpty, "\(c.op): no reference output")
      let mismatches = zip(ours, expected).filter { $0 != $1 }.count
      #expect(
        ours.count == expected.count && mismatches == 0, "\(c.op): \(mismatches) of \(expected.count) differ")
      if c.fields["mulScalesMatter"] as? Bool == true {
        // The case tells the two multipliers apart: TFLite Micro's (scales in double) misses some codes.
        let micro = try run(c, mulScalesInFloat: false)
        #expect(zip(micro, expected).contains { $0 != $1 }, "\(c.op): the double multiplier also agrees")
      }
    }
  }

  private func activation(_ c: Case) throws -> ActivationRange {
    let kind: FusedActivation =
      switch c.string("activation") {
      case "relu": .relu
      case "relu6": .relu6
      default: .none
      }
    return try ActivationRange(kind, scale: c.float("outputScale"), zeroPoint: c.int32("outputZeroPoint"))
  }

  private func window(_ c: Case, outChannels: Int, group: Int) throws -> ConvGeometry {
    try #require(
      ConvGeometry(
        input: c.ints("inputShape"), outChannels: outChannels, output: c.ints("outputShape"),
        kernel: c.ints("kernel"), strides: c.ints("stride"), pads: c.ints("pads"),
        dilations: c.fields["dilation"] == nil ? [1, 1] : c.ints("dilation"), group: group))
  }

  /// Our kernel on the case's data; MUL's multiplier from the scales in `float`, as LiteRT computes it,
  /// unless `mulScalesInFloat` is false (TFLite Micro's `double`).
  private func run(_ c: Case, mulScalesInFloat: Bool = true) throws -> [Int8] {
    let input = c.int8s("input")
    var output = [Int8](repeating: 0, count: c.ints("expected").count)
    switch c.op {
    case "conv", "depthwise":
      let channels = c.ints("inputShape")[1]
      let depthwise = c.op == "depthwise"
      let g = try window(c, outChannels: Int(c.int32("outChannels")), group: depthwise ? channels : 1)
      let q = ConvolutionQuantization(
        inputZeroPoint: c.int32("inputZeroPoint"), outputZeroPoint: c.int32("outputZeroPoint"),
        multipliers: try ConvolutionQuantization.channelMultipliers(
          inputScale: c.float("inputScale"), weightScales: c.floats("weightScales"),
          outputScale: c.float("outputScale"), channels: g.outChannels),
        range: try activation(c))
      var scratch = [Int32](repeating: 0, count: IntegerKernels.convScratchCount(g, threads: 1))
      let weight = c.int8s("weight")
      let bias = c.ints("bias").map { Int32($0) }
      withPointer(input) { x in
        withPointer(weight) { w in
          withPointer(bias) { b in
            withMutablePointer(&output) { y in
              withMutablePointer(&scratch) { s in
                if depthwise {
                  IntegerKernels.depthwiseConv2d(
                    g, input: x, weight: w, bias: b, output: y, quantization: q, scratch: s, threads: 1)
                } else {
                  IntegerKernels.conv2d(
                    g, input: x, weight: w, bias: b, output: y, quantization: q, scratch: s, threads: 1)
                }
              }
            }
          }
        }
      }
    case "fc":
      let (batch, depth) = (c.ints("inputShape")[0], c.ints("inputShape")[1])
      let units = c.ints("outputShape")[1]
      let q = ConvolutionQuantization(
        inputZeroPoint: c.int32("inputZeroPoint"), outputZeroPoint: c.int32("outputZeroPoint"),
        multipliers: [
          try ConvolutionQuantization.fullyConnectedMultiplier(
            inputScale: c.float("inputScale"), weightScale: c.floats("weightScales")[0],
            outputScale: c.float("outputScale"))
        ], range: try activation(c))
      let weight = c.int8s("weight")
      let bias = c.ints("bias").map { Int32($0) }
      withPointer(input) { x in
        withPointer(weight) { w in
          withPointer(bias) { b in
            withMutablePointer(&output) { y in
              IntegerKernels.fullyConnected(
                batch: batch, depth: depth, units: units, input: x, weight: w, bias: b, output: y,
                quantization: q, threads: 1)
            }
          }
        }
      }
    case "add", "sub", "mul":
      let plan = try #require(BroadcastPlan(c.ints("inputShape"), c.ints("input2Shape")))
      let other = c.int8s("input2")
      if c.op == "mul" {
        let p = try MulParameters(
          input1Scale: c.float("inputScale"), input1ZeroPoint: c.int32("inputZeroPoint"),
          input2Scale: c.float("input2Scale"), input2ZeroPoint: c.int32("input2ZeroPoint"),
          outputScale: c.float("outputScale"), outputZeroPoint: c.int32("outputZeroPoint"),
          scalesInFloat: mulScalesInFloat)
        withPointer(input) { a in
          withPointer(other) { b in
            withMutablePointer(&output) { IntegerKernels.mul(plan, a: a, b: b, output: $0, parameters: p) }
          }
        }
      } else {
        let p = try AddParameters(
          input1Scale: c.float("inputScale"), input1ZeroPoint: c.int32("inputZeroPoint"),
          input2Scale: c.float("input2Scale"), input2ZeroPoint: c.int32("input2ZeroPoint"),
          outputScale: c.float("outputScale"), outputZeroPoint: c.int32("outputZeroPoint"),
          subtract: c.op == "sub")
        withPointer(input) { a in
          withPointer(other) { b in
            withMutablePointer(&output) { IntegerKernels.add(plan, a: a, b: b, output: $0, parameters: p) }
          }
        }
      }
    case "avgpool", "maxpool":
      let g = try window(c, outChannels: c.ints("inputShape")[1], group: 1)
      withPointer(input) { x in
        withMutablePointer(&output) { y in
          if c.op == "avgpool" {
            IntegerKernels.averagePool2d(g, input: x, output: y, range: .int8)
          } else {
            IntegerKernels.maxPool2d(g, input: x, output: y, range: .int8)
          }
        }
      }
    case "mean":
      let shape = c.ints("inputShape")
      let p = try MeanParameters(
        inputScale: c.float("inputScale"), inputZeroPoint: c.int32("inputZeroPoint"),
        outputScale: c.float("outputScale"), outputZeroPoint: c.int32("outputZeroPoint"))
      withPointer(input) { x in
        withMutablePointer(&output) {
          IntegerKernels.mean(
            x, outer: shape[0] * shape[1], reduced: shape[2] * shape[3], inner: 1, output: $0, parameters: p)
        }
      }
    case "logistic":
      let p = try LogisticParameters(
        inputScale: c.float("inputScale"), inputZeroPoint: c.int32("inputZeroPoint"))
      withPointer(input) { x in
        withMutablePointer(&output) {
          IntegerKernels.logistic(x, count: input.count, output: $0, parameters: p)
        }
      }
    case "softmax":
      let shape = c.ints("inputShape")
      let p = try SoftmaxParameters(inputScale: c.float("inputScale"))
      withPointer(input) { x in
        withMutablePointer(&output) {
          IntegerKernels.softmax(x, outer: shape[0], axis: shape[1], inner: 1, output: $0, parameters: p)
        }
      }
    case "hardswish":
      let p = try HardSwishParameters(
        inputScale: c.float("inputScale"), inputZeroPoint: c.int32("inputZeroPoint"),
        outputScale: c.float("outputScale"), outputZeroPoint: c.int32("outputZeroPoint"))
      withPointer(input) { x in
        withMutablePointer(&output) {
          IntegerKernels.hardSwish(x, count: input.count, output: $0, parameters: p)
        }
      }
    default:
      Issue.record("unknown op \(c.op)")
    }
    return output
  }

  /// Builds the one-op models, runs LiteRT's reference kernels and prints the cases as JSON.
  static let generator = #"""
    import json, sys
    import numpy as np
    import flatbuffers
    from ai_edge_litert import schema_py_generated as S
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    rng = np.random.default_rng(7)

    def qparams(scale, zp, dim=0):
        q = S.QuantizationParametersT()
        q.scale = list(np.atleast_1d(np.float32(scale)).astype(float))
        q.zeroPoint = list(np.atleast_1d(zp).astype(int)) if np.ndim(zp) else [int(zp)] * len(q.scale)
        q.quantizedDimension = dim
        return q

    def build(op, opts_type, opts, tensors, inputs, outputs):
        """tensors: list of (shape, type, data or None, qparams)"""
        m = S.ModelT(); m.version = 3
        oc = S.OperatorCodeT(); oc.builtinCode = op; oc.deprecatedBuiltinCode = min(op, 127); oc.version = 1
        m.operatorCodes = [oc]
        m.buffers = [S.BufferT()]
        sg = S.SubGraphT(); sg.tensors = []
        for i, (shape, ttype, data, q) in enumerate(tensors):
            t = S.TensorT(); t.shape = list(shape); t.type = ttype; t.name = f"t{i}"; t.quantization = q
            if data is not None:
                b = S.BufferT(); b.data = list(np.ascontiguousarray(data).tobytes()); m.buffers.append(b)
                t.buffer = len(m.buffers) - 1
            else:
                t.buffer = 0
            sg.tensors.append(t)
        o = S.OperatorT(); o.opcodeIndex = 0; o.inputs = inputs; o.outputs = outputs
        o.builtinOptionsType = opts_type; o.builtinOptions = opts
        sg.operators = [o]; sg.inputs = [i for i in inputs if i >= 0 and tensors[i][2] is None]; sg.outputs = outputs
        m.subgraphs = [sg]
        b = flatbuffers.Builder(1024); b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())

    def run(model, feeds):
        it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        it.allocate_tensors()
        for d, x in zip(it.get_input_details(), feeds):
            it.set_tensor(d["index"], x)
        it.invoke()
        return it.get_tensor(it.get_output_details()[0]["index"])

    I8, I32 = S.TensorType.INT8, S.TensorType.INT32
    cases = []
    nchw = lambda a: np.transpose(a, (0, 3, 1, 2)).ravel().tolist()

    def same_pads(n, k, s, d=1):
        out = -(-n // s); eff = (k - 1) * d + 1
        total = max((out - 1) * s + eff - n, 0)
        return total // 2, total - total // 2

    # CONV_2D, SAME, stride 2, RELU6, per-channel.
    x = rng.integers(-128, 128, (2, 9, 8, 3), dtype=np.int8)
    w = rng.integers(-127, 128, (4, 3, 3, 3), dtype=np.int8)
    bias = rng.integers(-3000, 3000, 4, dtype=np.int32)
    ws = rng.uniform(0.002, 0.02, 4).astype(np.float32)
    si, zi, so, zo = 0.03, 5, 0.05, -9
    out = (2, 5, 4, 4)
    opts = S.Conv2DOptionsT(); opts.padding = S.Padding.SAME; opts.strideH = 2; opts.strideW = 2
    opts.fusedActivationFunction = S.ActivationFunctionType.RELU6; opts.dilationHFactor = 1; opts.dilationWFactor = 1
    model = build(S.BuiltinOperator.CONV_2D, S.BuiltinOptions.Conv2DOptions, opts, [
        (x.shape, I8, None, qparams(si, zi)), (w.shape, I8, w, qparams(ws, np.zeros(4, int), 0)),
        ((4,), I32, bias, qparams(ws * np.float32(si), np.zeros(4, int), 0)), (out, I8, None, qparams(so, zo))],
        [0, 1, 2], [3])
    y = run(model, [x])
    cases.append(dict(op="conv", input=nchw(x), inputShape=[2, 3, 9, 8], weight=np.transpose(w, (0, 3, 1, 2)).ravel().tolist(),
        bias=bias.tolist(), weightScales=ws.tolist(), inputScale=si, inputZeroPoint=zi, outputScale=so, outputZeroPoint=zo,
        kernel=[3, 3], stride=[2, 2], pads=[*same_pads(9, 3, 2)[:1], same_pads(8, 3, 2)[0], same_pads(9, 3, 2)[1], same_pads(8, 3, 2)[1]],
        dilation=[1, 1], outChannels=4, activation="relu6", expected=nchw(y), outputShape=[2, 4, y.shape[1], y.shape[2]]))

    # DEPTHWISE_CONV_2D, VALID, multiplier 2, dilation 2.
    x = rng.integers(-128, 128, (1, 9, 9, 3), dtype=np.int8)
    w = rng.integers(-127, 128, (1, 3, 3, 6), dtype=np.int8)
    bias = rng.integers(-2000, 2000, 6, dtype=np.int32)
    ws = rng.uniform(0.005, 0.03, 6).astype(np.float32)
    si, zi, so, zo = 0.02, -3, 0.04, 6
    opts = S.DepthwiseConv2DOptionsT(); opts.padding = S.Padding.VALID; opts.strideH = 1; opts.strideW = 1
    opts.depthMultiplier = 2; opts.dilationHFactor = 2; opts.dilationWFactor = 2
    opts.fusedActivationFunction = S.ActivationFunctionType.NONE
    model = build(S.BuiltinOperator.DEPTHWISE_CONV_2D, S.BuiltinOptions.DepthwiseConv2DOptions, opts, [
        (x.shape, I8, None, qparams(si, zi)), (w.shape, I8, w, qparams(ws, np.zeros(6, int), 3)),
        ((6,), I32, bias, qparams(ws * np.float32(si), np.zeros(6, int), 0)), ((1, 5, 5, 6), I8, None, qparams(so, zo))],
        [0, 1, 2], [3])
    y = run(model, [x])
    cases.append(dict(op="depthwise", input=nchw(x), inputShape=[1, 3, 9, 9], weight=np.transpose(w[0], (2, 0, 1)).ravel().tolist(),
        bias=bias.tolist(), weightScales=ws.tolist(), inputScale=si, inputZeroPoint=zi, outputScale=so, outputZeroPoint=zo,
        kernel=[3, 3], stride=[1, 1], pads=[0, 0, 0, 0], dilation=[2, 2], outChannels=6, activation="none",
        expected=nchw(y), outputShape=[1, 6, 5, 5]))

    # FULLY_CONNECTED per-tensor.
    x = rng.integers(-128, 128, (3, 20), dtype=np.int8)
    w = rng.integers(-127, 128, (7, 20), dtype=np.int8)
    bias = rng.integers(-2000, 2000, 7, dtype=np.int32)
    si, zi, wsc, so, zo = 0.03, 4, 0.007, 0.05, -2
    opts = S.FullyConnectedOptionsT(); opts.fusedActivationFunction = S.ActivationFunctionType.RELU
    model = build(S.BuiltinOperator.FULLY_CONNECTED, S.BuiltinOptions.FullyConnectedOptions, opts, [
        (x.shape, I8, None, qparams(si, zi)), (w.shape, I8, w, qparams(wsc, 0)),
        ((7,), I32, bias, qparams(np.float32(si) * np.float32(wsc), 0)), ((3, 7), I8, None, qparams(so, zo))], [0, 1, 2], [3])
    y = run(model, [x])
    cases.append(dict(op="fc", input=x.ravel().tolist(), weight=w.ravel().tolist(), bias=bias.tolist(), weightScales=[wsc],
        inputScale=si, inputZeroPoint=zi, outputScale=so, outputZeroPoint=zo, activation="relu", expected=y.ravel().tolist(),
        inputShape=[3, 20], outputShape=[3, 7]))

    # ADD / SUB / MUL with channel broadcast (NHWC [1,4,5,3] op [1,1,1,3] = NCHW [1,3,4,5] op [1,3,1,1]).
    for name, code, otype, ocls in [("add", S.BuiltinOperator.ADD, S.BuiltinOptions.AddOptions, S.AddOptionsT),
                                    ("sub", S.BuiltinOperator.SUB, S.BuiltinOptions.SubOptions, S.SubOptionsT),
                                    ("mul", S.BuiltinOperator.MUL, S.BuiltinOptions.MulOptions, S.MulOptionsT)]:
        a = rng.integers(-128, 128, (1, 4, 5, 3), dtype=np.int8)
        b = rng.integers(-128, 128, (1, 1, 1, 3), dtype=np.int8)
        s1, z1, s2, z2, so, zo = 0.05, 3, 0.021, -12, 0.06, 7
        opts = ocls(); opts.fusedActivationFunction = S.ActivationFunctionType.NONE
        model = build(code, otype, opts, [(a.shape, I8, None, qparams(s1, z1)), (b.shape, I8, None, qparams(s2, z2)),
            (a.shape, I8, None, qparams(so, zo))], [0, 1], [2])
        y = run(model, [a, b])
        cases.append(dict(op=name, input=nchw(a), input2=b.ravel().tolist(), inputShape=[1, 3, 4, 5], input2Shape=[1, 3, 1, 1],
            inputScale=s1, inputZeroPoint=z1, input2Scale=s2, input2ZeroPoint=z2, outputScale=so, outputZeroPoint=zo,
            expected=nchw(y)))

    # MUL over all 65,536 code pairs with scales where LiteRT's multiplier (s1 * s2 / s_out in float)
    # and TFLite Micro's (in double) round 10 pairs apart.
    a, b = (g.ravel().astype(np.int8).reshape(1, -1) for g in np.meshgrid(np.arange(-128, 128), np.arange(-128, 128)))
    s1, z1, s2, z2, so, zo = 0.013949559070169926, 2, 0.08705306053161621, -17, 0.3359427750110626, -13
    opts = S.MulOptionsT(); opts.fusedActivationFunction = S.ActivationFunctionType.NONE
    model = build(S.BuiltinOperator.MUL, S.BuiltinOptions.MulOptions, opts, [(a.shape, I8, None, qparams(s1, z1)),
        (b.shape, I8, None, qparams(s2, z2)), (a.shape, I8, None, qparams(so, zo))], [0, 1], [2])
    y = run(model, [a, b])
    cases.append(dict(op="mul", input=a.ravel().tolist(), input2=b.ravel().tolist(), inputShape=list(a.shape),
        input2Shape=list(b.shape), inputScale=s1, inputZeroPoint=z1, input2Scale=s2, input2ZeroPoint=z2,
        outputScale=so, outputZeroPoint=zo, expected=y.ravel().tolist(), mulScalesMatter=True))

    # Pools, SAME stride 2 3x3 (asymmetric pads).
    for name, code in [("avgpool", S.BuiltinOperator.AVERAGE_POOL_2D), ("maxpool", S.BuiltinOperator.MAX_POOL_2D)]:
        x = rng.integers(-128, 128, (2, 8, 7, 3), dtype=np.int8)
        opts = S.Pool2DOptionsT(); opts.padding = S.Padding.SAME; opts.strideH = 2; opts.strideW = 2
        opts.filterHeight = 3; opts.filterWidth = 3; opts.fusedActivationFunction = S.ActivationFunctionType.NONE
        model = build(code, S.BuiltinOptions.Pool2DOptions, opts, [(x.shape, I8, None, qparams(0.1, 2)),
            ((2, 4, 4, 3), I8, None, qparams(0.1, 2))], [0], [1])
        y = run(model, [x])
        ph, pw = same_pads(8, 3, 2), same_pads(7, 3, 2)
        cases.append(dict(op=name, input=nchw(x), inputShape=[2, 3, 8, 7], kernel=[3, 3], stride=[2, 2],
            pads=[ph[0], pw[0], ph[1], pw[1]], expected=nchw(y), outputShape=[2, 3, 4, 4]))

    # MEAN over H, W.
    x = rng.integers(-128, 128, (2, 6, 5, 4), dtype=np.int8)
    opts = S.ReducerOptionsT(); opts.keepDims = True
    model = build(S.BuiltinOperator.MEAN, S.BuiltinOptions.ReducerOptions, opts, [(x.shape, I8, None, qparams(0.05, -6)),
        ((2,), I32, np.array([1, 2], dtype=np.int32), None), ((2, 1, 1, 4), I8, None, qparams(0.03, 2))], [0, 1], [2])
    y = run(model, [x])
    cases.append(dict(op="mean", input=nchw(x), inputShape=[2, 4, 6, 5], inputScale=0.05, inputZeroPoint=-6,
        outputScale=0.03, outputZeroPoint=2, expected=nchw(y)))

    # Unary activations over every int8 value.
    allq = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    for name, code, otype, opts, si, zi, so, zo in [
        ("logistic", S.BuiltinOperator.LOGISTIC, 0, None, 0.1, 3, 1 / 256, -128),
        ("softmax", S.BuiltinOperator.SOFTMAX, S.BuiltinOptions.SoftmaxOptions, S.SoftmaxOptionsT(), 0.1, 3, 1 / 256, -128),
        ("hardswish", S.BuiltinOperator.HARD_SWISH, S.BuiltinOptions.HardSwishOptions, S.HardSwishOptionsT(), 0.05, -20, 0.04, -60),
    ]:
        if name == "softmax":
            opts.beta = 1.0
            x = rng.integers(-128, 128, (4, 16), dtype=np.int8)
        else:
            x = allq
        model = build(code, otype, opts, [(x.shape, I8, None, qparams(si, zi)), (x.shape, I8, None, qparams(so, zo))], [0], [1])
        y = run(model, [x])
        cases.append(dict(op=name, input=x.ravel().tolist(), inputShape=list(x.shape), inputScale=si, inputZeroPoint=zi,
            outputScale=so, outputZeroPoint=zo, expected=y.ravel().tolist()))

    json.dump(cases, sys.stdout)
    """#
}
