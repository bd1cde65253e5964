/// The compression report: the working model against the model it came from, on a target's budgets.
///
/// A plain value: the session gathers the facts (it knows the models, the data and the target), and
/// the renderings (JSON, Markdown, HTML) only format them, so all three say the same thing.
public struct CompressionReport: Sendable, Equatable {
  /// The version tag of the JSON document (see docs/schemas/report.schema.json).
  public static let schema = "jumpstation.report/1"
  /// The share of zero parameters from which reports point out that dense files still store them
  /// (quantization alone rounds about 1% of weights to zero, which is not worth a note).
  public static let notableSparsity = 0.05

  /// A device budget and whether the model stays within it.
  public struct Verdict: Sendable, Equatable {
    /// `flash` or `ram`.
    public var budget: String
    /// Bytes the model needs.
    public var needed: Int
    /// Bytes the device has.
    public var available: Int
    /// What is counted, in words: `int8 weights in flash`, `peak RAM (arena + runtime)`.
    public var what: String

    /// Creates a verdict.
    public init(budget: String, needed: Int, available: Int, what: String) {
      self.budget = budget
      self.needed = needed
      self.available = available
      self.what = what
    }

    /// Whether the need fits the budget.
    public var fits: Bool { needed <= available }
  }

  /// A layer whose quantization error is among the largest.
  public struct LayerError: Sendable, Equatable {
    /// The tensor measured.
    public var tensor: String
    /// The layer that writes it.
    public var layer: String
    /// Its SQNR against the float model.
    public var decibels: Double

    /// Creates an entry.
    public init(tensor: String, layer: String, decibels: Double) {
      self.tensor = tensor
      self.layer = layer
      self.decibels = decibels
    }
  }

  /// The model compressed (the working model, unless another was named).
  public var after: ModelFacts
  /// The model it is compared with: its origin, or the one named with `vs`; nil for an original model.
  public var before: ModelFacts?
  /// The stages that made `after`, oldest first, with their settings.
  public var lineage: [String]
  /// The target's name, when one is selected.
  public var target: String?
  /// One verdict per budget of the target.
  public var verdicts: [Verdict]
  /// The five layers that lose the most signal in quantization, worst first.
  public var worstLayers: [LayerError]
  /// The dataset accuracy and agreement were measured on, and how many samples.
  public var dataset: String?
  /// Samples the quality figures were measured on.
  public var samples: Int?
  /// Samples the per-layer errors (``worstLayers``) were measured on.
  public var errorSamples: Int = 0
  /// The JumpStation version that wrote it.
  public var generator: String

  /// Creates a report.
  public init(
    after: ModelFacts, before: ModelFacts? = nil, lineage: [String] = [], target: String? = nil,
    verdicts: [Verdict] = [], worstLayers: [LayerError] = [], dataset: String? = nil, samples: Int? = nil
  ) {
    self.after = after
    self.before = before
    self.lineage = lineage
    self.target = target
    self.verdicts = verdicts
    self.worstLayers = worstLayers
    self.dataset = dataset
    self.samples = samples
    self.generator = "JumpStation \(JumpEngineInfo.version)"
  }

  /// Whether every budget is met (true when there is no target).
  public var fits: Bool { verdicts.allSatisfy(\.fits) }
}
