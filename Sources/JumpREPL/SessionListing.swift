import JumpScript

/// The text of `.vars` and `.models`.
enum SessionListing {
  static func variables(_ state: SessionState) -> String {
    var lines: [String] = []
    for name in state.globals.keys.sorted() {
      guard let value = state.globals[name] else { continue }
      lines.append("\(name) = \(ValueFormatter.literal(value))  (\(value.typeName))")
    }
    for model in state.models { lines.append("model \(model.summaryLine)") }
    for dataset in state.datasets { lines.append("dataset \(dataset.summaryLine)") }
    if let target = state.target { lines.append("target \(ValueFormatter.deviceLine(target))") }
    if let seed = state.seed { lines.append("seed \(seed)") }
    return lines.isEmpty ? "(nothing defined yet)" : lines.joined(separator: "\n")
  }

  static func models(_ state: SessionState) -> String {
    guard !state.models.isEmpty else { return "(no models loaded)" }
    return state.models.map { model in
      let marker = model.name == state.workingModel?.name ? "* " : "  "
      return marker + model.summaryLine + "\n    lineage: " + model.lineage.joined(separator: " -> ")
    }.joined(separator: "\n")
  }
}
