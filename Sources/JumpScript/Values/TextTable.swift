/// A plain-text table with padded columns, as results print in a terminal and in transcripts.
struct TextTable {
  var header: [String]
  var rightAligned: Set<Int>
  var rows: [[String]]

  init(header: [String], rightAligned: Set<Int> = [], rows: [[String]]) {
    self.header = header
    self.rightAligned = rightAligned
    self.rows = rows
  }

  /// The rendered lines, header first; trailing spaces trimmed.
  var lines: [String] {
    var widths = header.map(\.count)
    for row in rows {
      for (column, cell) in row.enumerated() where column < widths.count {
        widths[column] = max(widths[column], cell.count)
      }
    }
    return ([header] + rows).map { row in
      var cells: [String] = []
      for (column, cell) in row.enumerated() where column < widths.count {
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        cells.append(rightAligned.contains(column) ? padding + cell : cell + padding)
      }
      var line = cells.joined(separator: "  ")
      while line.hasSuffix(" ") { line.removeLast() }
      return line
    }
  }
}
