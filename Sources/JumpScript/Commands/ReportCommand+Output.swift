import Foundation
import JumpEngine

/// What `report` prints, the fields scripts read, and the files `report to PATH` writes.
extension ReportCommand {
  /// The record's fields: `r.params`, `r.peak_ram`, `r.fits`, `r.baseline`, ...
  static func reportFields(_ report: CompressionReport, nodes: Int) -> [(name: String, value: Value)] {
    let after = report.after
    var fields: [(name: String, value: Value)] = [
      ("model", .string(after.name)),
      ("params", .number(Quantity(Double(after.parameters)))),
      ("nonzero_params", .number(Quantity(Double(after.nonZeroParameters)))),
      ("size", .number(.bytes(after.flashBytes))),
      ("flash", .number(.bytes(after.flashBytes))),
      ("macs", .number(Quantity(Double(after.macs)))),
      ("nodes", .number(Quantity(Double(nodes)))),
      ("precision", .string(after.precision)),
    ]
    if let peak = after.peakRAMBytes { fields.append(("peak_ram", .number(.bytes(peak)))) }
    if let latency = after.latencySeconds { fields.append(("latency", .number(Quantity(latency, .time)))) }
    for verdict in report.verdicts { fields.append(("fits_\(verdict.budget)", .bool(verdict.fits))) }
    if report.target != nil { fields.append(("fits", .bool(report.fits))) }
    if let accuracy = after.accuracy { fields.append(("accuracy", .number(Quantity(accuracy)))) }
    if let agreement = after.agreement { fields.append(("agreement", .number(Quantity(agreement)))) }
    if let sqnr = after.sqnrDecibels { fields.append(("sqnr_db", .number(Quantity(sqnr)))) }
    if let before = report.before {
      fields.append(("baseline", .string(before.name)))
      if let accuracy = before.accuracy { fields.append(("baseline_accuracy", .number(Quantity(accuracy)))) }
    }
    if !report.worstLayers.isEmpty {
      fields.append(("worst_layers", .list(report.worstLayers.map { .string($0.tensor) })))
    }
    fields.append(("lineage", .list(report.lineage.map { .string($0) })))
    return fields
  }

  /// The peak RAM and latency lines of a quantized model's report (a float model's RAM is in the
  /// comparison, and `report memory` plans either).
  static func budgetLines(_ report: CompressionReport, quantized: Bool, device: Device?) -> [String] {
    var lines: [String] = []
    if quantized, let peak = report.after.peakRAMBytes {
      if let device {
        let fits = peak <= device.ram
        let margin = ValueFormatter.bytes(Double(abs(device.ram - peak)))
        lines.append(
          "  target  \(device.name): peak RAM \(ValueFormatter.bytes(Double(peak))) vs "
            + "\(ValueFormatter.bytes(Double(device.ram))) RAM: "
            + (fits ? "fits (\(margin) free)" : "does not fit (\(margin) over)"))
      } else {
        lines.append(
          "  peak RAM \(ValueFormatter.bytes(Double(peak))) (TFLite Micro arena; `report memory` for the plan)"
        )
      }
    }
    if let device, let seconds = report.after.latencySeconds {
      lines.append(
        "  latency ~\(ValueFormatter.number(seconds, dimension: .time)) per sample on \(device.name) "
          + "(estimate from MACs, bytes and the catalog's throughput)")
    }
    return lines
  }

  /// The before/after table, the verdict and the lineage.
  static func comparisonText(_ report: CompressionReport) -> String {
    var lines = [
      report.before.map { "  compared with \($0.name):" } ?? "  measured on \(report.dataset ?? "the data"):"
    ]
    let table = TextTable(
      header: ["", report.before.map { "\($0.name)" } ?? "", report.after.name, "change"],
      rightAligned: [1, 2, 3],
      rows: report.comparisonRows.map { [$0.label, $0.before, $0.after, $0.change] })
    lines += table.lines.map { "    " + $0 }
    if report.after.sparsity >= CompressionReport.notableSparsity {
      lines.append(
        "    \(ValueFormatter.fixed(report.after.sparsity * 100, decimals: 1))% of the parameters are zero; "
          + "dense files still store them")
    }
    if let verdict = report.verdictLine { lines.append("  verdict: \(verdict)") }
    if report.lineage.count > 1 { lines.append("  lineage: " + report.lineage.joined(separator: " -> ")) }
    return lines.joined(separator: "\n")
  }

  /// Writes the report as the path's extension asks, atomically; returns the bytes written.
  static func write(_ report: CompressionReport, to path: String) throws(CommandError) -> Int {
    let url = URL(fileURLWithPath: path)
    let text: String
    switch url.pathExtension.lowercased() {
    case "json": text = report.json + "\n"
    case "md": text = report.markdown
    case "html": text = report.html
    default:
      throw CommandError(
        "cannot write a report as '.\(url.pathExtension)'", parameter: "path",
        hint: "use .json, .md or .html")
    }
    let data = Data(text.utf8)
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw CommandError(
        "cannot create directory '\(url.deletingLastPathComponent().path)': \(error.localizedDescription)",
        parameter: "path")
    }
    do {
      try AtomicFile.write(data, to: url)
    } catch {
      throw CommandError(error, parameter: "path")
    }
    return data.count
  }
}
