/// The before/after comparison as rows of text, shared by the Markdown and HTML renderings and the
/// REPL's report, so every form words a figure the same way.
extension CompressionReport {
  /// One compared figure: its label, the before and after values as text, and the change.
  public struct ComparisonRow: Sendable, Equatable {
    /// `flash`, `peak RAM`, `accuracy on test`.
    public var label: String
    /// Before, or `—` when not measured or there is no baseline.
    public var before: String
    /// After, or `—` when not measured.
    public var after: String
    /// `3.99× smaller`, `-0.34 pt`, or empty.
    public var change: String
  }

  /// The compared figures, in the order reports list them.
  public var comparisonRows: [ComparisonRow] {
    let old = before
    var rows: [ComparisonRow] = []
    func add(_ label: String, _ value: (ModelFacts) -> Double?, text: (Double) -> String, change: Change) {
      let a = value(after)
      let b = old.flatMap(value)
      rows.append(
        ComparisonRow(
          label: label, before: b.map(text) ?? "—", after: a.map(text) ?? "—",
          change: b.flatMap { b in a.map { change.describe(from: b, to: $0) } } ?? ""))
    }
    rows.append(
      ComparisonRow(
        label: "precision", before: old?.precision ?? "—", after: after.precision, change: ""))
    add("parameters", { Double($0.parameters) }, text: { NumberText.grouped(Int($0)) }, change: .ratio)
    add(
      "non-zero parameters", { Double($0.nonZeroParameters) }, text: { NumberText.grouped(Int($0)) },
      change: .ratio)
    add("flash (weights)", { Double($0.flashBytes) }, text: NumberText.bytes, change: .ratio)
    add("peak RAM", { $0.peakRAMBytes.map(Double.init) }, text: NumberText.bytes, change: .ratio)
    add("MACs per sample", { Double($0.macs) }, text: { NumberText.grouped(Int($0)) }, change: .ratio)
    if let target {
      add(
        "latency on \(target) (estimate)", { $0.latencySeconds }, text: NumberText.seconds, change: .ratio)
    }
    if let dataset {
      add("accuracy on \(dataset)", { $0.accuracy }, text: NumberText.percent, change: .points)
      if let old {
        add("agreement with \(old.name)", { $0.agreement }, text: NumberText.percent, change: .none)
        add("output SQNR vs \(old.name)", { $0.sqnrDecibels }, text: NumberText.decibels, change: .none)
      }
    }
    return rows
  }

  /// How a row states the change from before to after.
  public enum Change: Sendable {
    /// `3.99× smaller` / `1.20× larger` / `same`.
    case ratio
    /// Percentage points: `-0.34 pt`.
    case points
    /// No change column.
    case none

    func describe(from before: Double, to after: Double) -> String {
      switch self {
      case .none: return ""
      case .points:
        let delta = (after - before) * 100
        return (delta >= 0 ? "+" : "") + NumberText.fixed(delta, decimals: 2) + " pt"
      case .ratio:
        if before == after { return "same" }
        if after == 0 || before == 0 { return "" }
        return after < before
          ? NumberText.fixed(before / after, decimals: 2) + "× smaller"
          : NumberText.fixed(after / before, decimals: 2) + "× larger"
      }
    }
  }

  /// `JumpStation 0.1.0 · target pico · measured on test (297 samples)`.
  public var contextLine: String {
    var context = [generator]
    if let target { context.append("target \(target)") }
    if let dataset { context.append("measured on \(dataset)" + (samples.map { " (\($0) samples)" } ?? "")) }
    return context.joined(separator: " · ")
  }

  /// The reminder that zeros still take flash, when enough parameters are zero to matter.
  public var sparsityNote: String? {
    guard after.sparsity >= CompressionReport.notableSparsity else { return nil }
    return "\(NumberText.fixed(after.sparsity * 100, decimals: 1))% of the parameters are zero; dense files "
      + "still store them, so the flash figure does not shrink with sparsity."
  }

  /// `fits pico` or `does not fit pico: peak RAM 344 KB > 264 KB`; nil without a target.
  public var verdictLine: String? {
    guard let target else { return nil }
    let failed = verdicts.filter { !$0.fits }
    if failed.isEmpty { return "fits \(target)" }
    return "does not fit \(target): "
      + failed.map {
        "\($0.what) \(NumberText.bytes(Double($0.needed))) > \(NumberText.bytes(Double($0.available)))"
      }.joined(separator: "; ")
  }
}
