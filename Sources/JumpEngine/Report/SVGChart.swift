/// Bar charts drawn as inline SVG, so the HTML report is one self-contained file that any browser
/// shows without scripts or network.
enum SVGChart {
  /// One bar: a label, its value and the text shown beside it.
  struct Bar {
    var label: String
    var value: Double
    var text: String
    /// A CSS colour; the chart's default when nil.
    var color: String? = nil
  }

  /// Horizontal bars, one per row, scaled to the largest value; labels on the left, text on the right.
  static func horizontalBars(_ bars: [Bar], title: String, width: Int = 760) -> String {
    let rowHeight = 18
    let labelWidth = 300
    let textWidth = 110
    let barSpace = Double(width - labelWidth - textWidth - 10)
    let height = rowHeight * bars.count + 28
    let largest = bars.map(\.value).max() ?? 0
    var svg = open(width: width, height: height, title: title)
    for (row, bar) in bars.enumerated() {
      let y = 24 + row * rowHeight
      let length = largest > 0 ? max(1, barSpace * max(bar.value, 0) / largest) : 0
      svg +=
        "<text x=\"\(labelWidth - 6)\" y=\"\(y + 12)\" text-anchor=\"end\">\(HTMLText.escape(clip(bar.label)))</text>"
      svg +=
        "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(format(length))\" height=\"\(rowHeight - 5)\" "
        + "fill=\"\(bar.color ?? "#3b7dd8")\"/>"
      svg +=
        "<text x=\"\(format(Double(labelWidth) + length + 6))\" y=\"\(y + 12)\">\(HTMLText.escape(bar.text))</text>"
    }
    return svg + "</svg>"
  }

  /// Vertical columns over an x axis of steps (the arena timeline), with an optional limit line.
  static func columns(
    _ values: [Double], title: String, highlight: Int?, limit: (value: Double, label: String)?,
    valueText: (Double) -> String, width: Int = 760, height: Int = 220
  ) -> String {
    let top = 28
    let bottom = 24
    let left = 70
    let plotWidth = Double(width - left - 10)
    let plotHeight = Double(height - top - bottom)
    let largest = max(values.max() ?? 0, limit?.value ?? 0)
    var svg = open(width: width, height: height, title: title)
    guard largest > 0, !values.isEmpty else { return svg + "</svg>" }
    let step = plotWidth / Double(values.count)
    func y(_ value: Double) -> Double { Double(top) + plotHeight * (1 - value / largest) }
    for (index, value) in values.enumerated() {
      let x = Double(left) + step * Double(index)
      let color = index == highlight ? "#d8453b" : "#3b7dd8"
      svg +=
        "<rect x=\"\(format(x + step * 0.1))\" y=\"\(format(y(value)))\" width=\"\(format(max(step * 0.8, 1)))\" "
        + "height=\"\(format(Double(top) + plotHeight - y(value)))\" fill=\"\(color)\"><title>op \(index): "
        + "\(HTMLText.escape(valueText(value)))</title></rect>"
    }
    svg +=
      "<text x=\"\(left - 6)\" y=\"\(top + 10)\" text-anchor=\"end\">\(HTMLText.escape(valueText(largest)))</text>"
    svg += "<text x=\"\(left - 6)\" y=\"\(height - bottom)\" text-anchor=\"end\">0</text>"
    svg +=
      "<text x=\"\(left)\" y=\"\(height - 6)\">op 0</text><text x=\"\(width - 10)\" y=\"\(height - 6)\" "
      + "text-anchor=\"end\">op \(values.count - 1)</text>"
    if let limit {
      let ly = format(y(limit.value))
      svg +=
        "<line x1=\"\(left)\" x2=\"\(width - 10)\" y1=\"\(ly)\" y2=\"\(ly)\" stroke=\"#222\" stroke-dasharray=\"6 4\"/>"
        + "<text x=\"\(width - 12)\" y=\"\(format(y(limit.value) - 4))\" text-anchor=\"end\">"
        + "\(HTMLText.escape(limit.label))</text>"
    }
    return svg + "</svg>"
  }

  private static func open(width: Int, height: Int, title: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
      + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
      + "<text x=\"0\" y=\"14\" class=\"chart-title\">\(HTMLText.escape(title))</text>"
  }

  /// Long tensor names keep their tail, which is the part that tells layers apart.
  private static func clip(_ label: String) -> String {
    label.count <= 44 ? label : "…" + label.suffix(43)
  }

  private static func format(_ value: Double) -> String { NumberText.fixed(value, decimals: 1) }
}
