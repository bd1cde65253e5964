/// The report as Markdown: the same facts as the JSON, in tables a person reads in a code review.
extension CompressionReport {
  /// The Markdown text.
  public var markdown: String {
    var lines = ["# Compression report: \(after.name)", ""]
    lines.append(contextLine)
    lines.append("")
    if let verdict = verdictLine { lines += ["**Verdict: \(verdict)**", ""] }
    lines += ["## Before and after", ""]
    lines.append(
      "| | \(before.map { "\(escape($0.name)) (before)" } ?? "before") | \(escape(after.name)) (after) | change |"
    )
    lines.append("|---|---:|---:|---:|")
    for row in comparisonRows {
      lines.append("| \(row.label) | \(row.before) | \(row.after) | \(row.change) |")
    }
    if let note = sparsityNote { lines += ["", note] }
    if !verdicts.isEmpty {
      lines += [
        "", "## Budgets on \(target ?? "the target")", "", "| budget | needed | available | verdict |",
      ]
      lines.append("|---|---:|---:|---|")
      for verdict in verdicts {
        lines.append(
          "| \(verdict.what) | \(NumberText.bytes(Double(verdict.needed))) | "
            + "\(NumberText.bytes(Double(verdict.available))) | \(verdict.fits ? "fits" : "**does not fit**") |"
        )
      }
    }
    if !worstLayers.isEmpty {
      lines += ["", "## Layers that lose the most signal", "", "| tensor | layer | SQNR |", "|---|---|---:|"]
      for entry in worstLayers {
        lines.append(
          "| `\(escape(entry.tensor))` | `\(escape(entry.layer))` | \(NumberText.decibels(entry.decibels)) |")
      }
    }
    if !after.layers.isEmpty {
      lines += [
        "", "## Layers of \(escape(after.name))", "", "| layer | op | params | bytes | MACs | SQNR |",
      ]
      lines.append("|---|---|---:|---:|---:|---:|")
      for layer in after.layers {
        lines.append(
          "| `\(escape(layer.name))` | \(layer.op) | \(NumberText.grouped(layer.parameters)) | "
            + "\(NumberText.bytes(Double(layer.bytes))) | \(NumberText.grouped(layer.macs)) | "
            + "\(layer.sqnrDecibels.map(NumberText.decibels) ?? "") |")
      }
    }
    if !lineage.isEmpty {
      lines += ["", "## Lineage", ""]
      lines += lineage.enumerated().map { "\($0.offset + 1). `\(escape($0.element))`" }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Escapes the characters that would break a table cell.
  private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
  }
}
