/// What a model file needs from a device, written by `export` beside the file and into `.tflite`
/// metadata, so a deployment tool (or a person) can check a device without running JumpStation.
///
/// Versioned by ``schema`` and documented field by field in docs/schemas/requirements.schema.json.
/// Sizes are bytes, times seconds, fractions in [0, 1].
public struct RequirementVector: Sendable, Equatable {
  /// The version tag of the document.
  public static let schema = "jumpstation.requirements/1"

  /// An operator the runtime must provide.
  public struct Operator: Sendable, Equatable {
    /// `CONV_2D` for `.tflite`, `Conv` for `.onnx`.
    public var name: String
    /// The operator version written in the file (TFLite `OperatorCode.version`, or the ONNX opset).
    public var version: Int
    /// How many times the file uses it.
    public var count: Int

    /// Creates an entry.
    public init(name: String, version: Int, count: Int) {
      self.name = name
      self.version = version
      self.count = count
    }
  }

  /// A model input or output as the file declares it.
  public struct Edge: Sendable, Equatable {
    /// The tensor name.
    public var name: String
    /// `int8`, `float32`, ...
    public var dtype: String
    /// The shape, batch first (-1 for a dynamic dimension).
    public var shape: [Int]
    /// The quantization scale of an integer edge.
    public var scale: Double?
    /// The zero point of an integer edge.
    public var zeroPoint: Int?

    /// Creates an entry.
    public init(name: String, dtype: String, shape: [Int], scale: Double? = nil, zeroPoint: Int? = nil) {
      self.name = name
      self.dtype = dtype
      self.shape = shape
      self.scale = scale
      self.zeroPoint = zeroPoint
    }
  }

  /// The estimated time of one inference on a catalog device, and whether the model fits it.
  public struct DeviceEstimate: Sendable, Equatable {
    /// The device name.
    public var device: String
    /// Seconds per sample (an estimate from MACs, bytes and the catalog's throughput).
    public var latencySeconds: Double
    /// Whether weights and peak RAM fit the device's budgets.
    public var fits: Bool

    /// Creates an entry.
    public init(device: String, latencySeconds: Double, fits: Bool) {
      self.device = device
      self.latencySeconds = latencySeconds
      self.fits = fits
    }
  }

  /// The session's name for the model.
  public var model: String
  /// `tflite`, `onnx`, `onnx-qdq`.
  public var format: String
  /// `int8`, `int4`, `int16x8`, `float32`.
  public var precision: String
  /// Weight and bias elements.
  public var parameters: Int
  /// Of those, the ones that are not zero.
  public var nonZeroParameters: Int
  /// Bytes of weights and constants as stored.
  public var flashBytes: Int
  /// The activation arena TFLite Micro plans for the file (nil for files it does not run).
  public var arenaBytes: Int?
  /// TFLite Micro's persistent tail for the file on a 32-bit build (an estimate; nil when not planned).
  public var arenaTailBytes: Int?
  /// Multiply-accumulates per sample.
  public var macs: Int
  /// Operators and versions the runtime must provide.
  public var operators: [Operator]
  /// The file's inputs.
  public var inputs: [Edge]
  /// The file's outputs.
  public var outputs: [Edge]
  /// Per catalog device: latency estimate and fit (arena, tail on microcontrollers, and that device's
  /// runtime overhead).
  public var devices: [DeviceEstimate]
  /// Top-1 accuracy and the dataset it was measured on, when the session measured it.
  public var accuracy: (dataset: String, value: Double)?
  /// The JumpStation version that wrote it.
  public var generator: String

  /// Creates a vector.
  public init(
    model: String, format: String, precision: String, parameters: Int, nonZeroParameters: Int,
    flashBytes: Int, arenaBytes: Int?, macs: Int, operators: [Operator], inputs: [Edge], outputs: [Edge],
    devices: [DeviceEstimate] = [], accuracy: (dataset: String, value: Double)? = nil,
    arenaTailBytes: Int? = nil
  ) {
    self.arenaTailBytes = arenaTailBytes
    self.model = model
    self.format = format
    self.precision = precision
    self.parameters = parameters
    self.nonZeroParameters = nonZeroParameters
    self.flashBytes = flashBytes
    self.arenaBytes = arenaBytes
    self.macs = macs
    self.operators = operators
    self.inputs = inputs
    self.outputs = outputs
    self.devices = devices
    self.accuracy = accuracy
    self.generator = "JumpStation \(JumpEngineInfo.version)"
  }

  public static func == (lhs: RequirementVector, rhs: RequirementVector) -> Bool {
    lhs.json == rhs.json
  }

  /// The JSON document (one line, keys in a fixed order).
  public var json: String {
    JSONText.object([
      ("schema", JSONText.string(RequirementVector.schema)),
      ("generator", JSONText.string(generator)),
      ("model", JSONText.string(model)),
      ("format", JSONText.string(format)),
      ("precision", JSONText.string(precision)),
      ("params", String(parameters)),
      ("nonzero_params", String(nonZeroParameters)),
      ("flash_bytes", String(flashBytes)),
      ("arena_bytes", JSONText.integer(arenaBytes)),
      ("arena_tail_bytes", JSONText.integer(arenaTailBytes)),
      ("macs", String(macs)),
      (
        "operators",
        JSONText.array(
          operators.map {
            JSONText.object([
              ("name", JSONText.string($0.name)), ("version", String($0.version)),
              ("count", String($0.count)),
            ])
          })
      ),
      ("inputs", JSONText.array(inputs.map(RequirementVector.json))),
      ("outputs", JSONText.array(outputs.map(RequirementVector.json))),
      (
        "devices",
        JSONText.array(
          devices.map {
            JSONText.object([
              ("device", JSONText.string($0.device)), ("latency_seconds", JSONText.number($0.latencySeconds)),
              ("fits", JSONText.bool($0.fits)),
            ])
          })
      ),
      (
        "accuracy",
        accuracy.map {
          JSONText.object([("dataset", JSONText.string($0.dataset)), ("value", JSONText.number($0.value))])
        } ?? "null"
      ),
    ])
  }

  static func json(_ edge: Edge) -> String {
    JSONText.object([
      ("name", JSONText.string(edge.name)),
      ("dtype", JSONText.string(edge.dtype)),
      ("shape", JSONText.array(edge.shape.map(String.init))),
      ("scale", JSONText.number(edge.scale)),
      ("zero_point", JSONText.integer(edge.zeroPoint)),
    ])
  }
}
