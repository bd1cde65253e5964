/// The report as a JSON document, versioned by ``CompressionReport/schema`` and documented field by
/// field in docs/schemas/report.schema.json. Sizes are bytes, times seconds, fractions in [0, 1].
extension CompressionReport {
  /// The JSON text (one line, keys in a fixed order).
  public var json: String {
    JSONText.object([
      ("schema", JSONText.string(CompressionReport.schema)),
      ("generator", JSONText.string(generator)),
      ("model", CompressionReport.json(after)),
      ("baseline", before.map(CompressionReport.json) ?? "null"),
      ("lineage", JSONText.array(lineage.map { JSONText.string($0) })),
      ("target", JSONText.string(target)),
      ("fits", target == nil ? "null" : JSONText.bool(fits)),
      ("verdicts", JSONText.array(verdicts.map(CompressionReport.json))),
      ("worst_layers", JSONText.array(worstLayers.map(CompressionReport.json))),
      ("worst_layers_samples", String(errorSamples)),
      ("dataset", JSONText.string(dataset)),
      ("samples", JSONText.integer(samples)),
    ])
  }

  static func json(_ facts: ModelFacts) -> String {
    JSONText.object([
      ("name", JSONText.string(facts.name)),
      ("precision", JSONText.string(facts.precision)),
      ("params", String(facts.parameters)),
      ("nonzero_params", String(facts.nonZeroParameters)),
      ("flash_bytes", String(facts.flashBytes)),
      ("peak_ram_bytes", JSONText.integer(facts.peakRAMBytes)),
      ("macs", String(facts.macs)),
      ("latency_seconds", JSONText.number(facts.latencySeconds)),
      ("accuracy", JSONText.number(facts.accuracy)),
      ("agreement", JSONText.number(facts.agreement)),
      ("sqnr_db", JSONText.number(facts.sqnrDecibels)),
      ("layers", JSONText.array(facts.layers.map(json))),
      ("arena_timeline", JSONText.array(facts.arenaTimeline.map(String.init))),
    ])
  }

  static func json(_ layer: ModelFacts.Layer) -> String {
    JSONText.object([
      ("name", JSONText.string(layer.name)),
      ("op", JSONText.string(layer.op)),
      ("params", String(layer.parameters)),
      ("bytes", String(layer.bytes)),
      ("macs", String(layer.macs)),
      ("sqnr_db", JSONText.number(layer.sqnrDecibels)),
    ])
  }

  static func json(_ verdict: Verdict) -> String {
    JSONText.object([
      ("budget", JSONText.string(verdict.budget)),
      ("needed_bytes", String(verdict.needed)),
      ("available_bytes", String(verdict.available)),
      ("what", JSONText.string(verdict.what)),
      ("fits", JSONText.bool(verdict.fits)),
    ])
  }

  static func json(_ entry: LayerError) -> String {
    JSONText.object([
      ("tensor", JSONText.string(entry.tensor)),
      ("layer", JSONText.string(entry.layer)),
      ("sqnr_db", JSONText.number(entry.decibels)),
    ])
  }
}
