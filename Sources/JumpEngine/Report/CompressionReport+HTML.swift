/// The report as one self-contained HTML page: the Markdown's tables plus charts (before/after,
/// per-layer size and error, the arena timeline), inline SVG and CSS, no scripts, no network.
extension CompressionReport {
  /// The HTML text.
  public var html: String {
    var body = "<h1>Compression report: \(HTMLText.escape(after.name))</h1>"
    body += "<p class=\"context\">\(HTMLText.escape(contextLine))</p>"
    if let verdict = verdictLine {
      body += "<p class=\"verdict \(fits ? "fits" : "fails")\">\(HTMLText.escape(verdict))</p>"
    }
    body += "<h2>Before and after</h2>" + comparisonTable + beforeAfterChart
    if let note = sparsityNote { body += "<p>\(HTMLText.escape(note))</p>" }
    if !verdicts.isEmpty {
      body += "<h2>Budgets on \(HTMLText.escape(target ?? "the target"))</h2>"
      body += table(
        header: ["budget", "needed", "available", "verdict"],
        rows: verdicts.map {
          [
            $0.what, NumberText.bytes(Double($0.needed)), NumberText.bytes(Double($0.available)),
            $0.fits ? "fits" : "does not fit",
          ]
        })
    }
    if !after.arenaTimeline.isEmpty {
      body += "<h2>Arena use per op</h2>"
      let peak = after.arenaTimeline.indices.max { after.arenaTimeline[$0] < after.arenaTimeline[$1] }
      let ram = verdicts.first { $0.budget == "ram" }
      body += SVGChart.columns(
        after.arenaTimeline.map(Double.init), title: "live arena bytes while each op runs (peak in red)",
        highlight: peak,
        limit: ram.map {
          (Double($0.available), "\(target ?? "target") RAM \(NumberText.bytes(Double($0.available)))")
        },
        valueText: NumberText.bytes)
    }
    let sized = after.layers.filter { $0.bytes > 0 }
    if !sized.isEmpty {
      body += "<h2>Layers</h2>"
      body += SVGChart.horizontalBars(
        sized.map {
          .init(label: $0.name, value: Double($0.bytes), text: NumberText.bytes(Double($0.bytes)))
        },
        title: "stored bytes per layer")
    }
    let measured = after.layers.filter { $0.sqnrDecibels?.isFinite == true }
    if !measured.isEmpty {
      body += SVGChart.horizontalBars(
        measured.map {
          let decibels = $0.sqnrDecibels ?? 0
          return .init(
            label: $0.name, value: max(decibels, 0), text: NumberText.decibels(decibels),
            color: decibels < 20 ? "#d8453b" : decibels < 30 ? "#e3a21a" : "#3aa55d")
        }, title: "SQNR of each layer's output against the float model (higher is better)")
    }
    if !after.layers.isEmpty {
      body += table(
        header: ["layer", "op", "params", "bytes", "MACs", "SQNR"],
        rows: after.layers.map {
          [
            $0.name, $0.op, NumberText.grouped($0.parameters), NumberText.bytes(Double($0.bytes)),
            NumberText.grouped($0.macs), $0.sqnrDecibels.map(NumberText.decibels) ?? "",
          ]
        })
    }
    if !worstLayers.isEmpty {
      body += "<h2>Layers that lose the most signal</h2>"
      body += table(
        header: ["tensor", "layer", "SQNR"],
        rows: worstLayers.map { [$0.tensor, $0.layer, NumberText.decibels($0.decibels)] })
    }
    if !lineage.isEmpty {
      body +=
        "<h2>Lineage</h2><ol>" + lineage.map { "<li><code>\(HTMLText.escape($0))</code></li>" }.joined()
        + "</ol>"
    }
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <title>Compression report: \(HTMLText.escape(after.name))</title>
      <style>
      body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 800px; color: #222; }
      table { border-collapse: collapse; margin: 0.5em 0 1em; }
      th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; }
      th:first-child, td:first-child { text-align: left; }
      .verdict { font-weight: bold; padding: 6px 10px; }
      .fits { background: #e2f4e6; } .fails { background: #fbe3e1; }
      .context { color: #666; } svg { display: block; margin: 0.5em 0 1em; font-size: 11px; }
      .chart-title { font-weight: bold; }
      </style></head>
      <body>\(body)</body></html>

      """
  }

  private var comparisonTable: String {
    table(
      header: ["", before.map { "\($0.name) (before)" } ?? "before", "\(after.name) (after)", "change"],
      rows: comparisonRows.map { [$0.label, $0.before, $0.after, $0.change] })
  }

  /// One pair of bars per size or cost figure, the before bar grey, scaled within each figure.
  private var beforeAfterChart: String {
    guard let before else { return "" }
    var bars: [SVGChart.Bar] = []
    func pair(_ label: String, _ old: Double?, _ new: Double?, _ text: (Double) -> String) {
      guard let old, let new, max(old, new) > 0 else { return }
      let scale = max(old, new)
      bars.append(
        .init(label: "\(label): \(before.name)", value: old / scale, text: text(old), color: "#9aa3ad"))
      bars.append(.init(label: "\(label): \(after.name)", value: new / scale, text: text(new)))
    }
    pair("flash", Double(before.flashBytes), Double(after.flashBytes), NumberText.bytes)
    pair(
      "peak RAM", before.peakRAMBytes.map(Double.init), after.peakRAMBytes.map(Double.init), NumberText.bytes)
    pair("MACs", Double(before.macs), Double(after.macs)) { NumberText.grouped(Int($0)) }
    pair("latency", before.latencySeconds, after.latencySeconds, NumberText.seconds)
    return bars.isEmpty ? "" : SVGChart.horizontalBars(bars, title: "before (grey) and after (blue)")
  }

  private func table(header: [String], rows: [[String]]) -> String {
    "<table><tr>" + header.map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr>"
      + rows.map { "<tr>" + $0.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>" }.joined()
      + "</table>"
  }
}
