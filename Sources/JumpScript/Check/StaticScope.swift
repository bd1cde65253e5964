/// What the checker knows at a point in a script: the names declared so far.
struct StaticScope {
  var variables: Set<String> = []
  var models: Set<String> = []
  var datasets: Set<String> = []
  var devices: Set<String> = []
  /// Each `def` function's number of parameters and its option names.
  var functions: [String: (parameters: Int, options: [String])] = [:]
  /// Files the script writes before this point, so loading them later is not an error.
  var writtenFiles: Set<String> = []
  /// Set when a model was loaded under a name the checker cannot know.
  var anyModel = false
  /// The name of the working model, when the checker can know it.
  var workingModel: String?
  /// Depth of `def` bodies being checked; their arguments are not known statically.
  var insideFunction = 0

  /// Whether a bare name refers to something.
  func knows(_ name: String) -> Bool {
    if variables.contains(name) || models.contains(name) || datasets.contains(name) || devices.contains(name)
    {
      return true
    }
    if functions[name] != nil { return true }
    if name == "model" || name == "target" || StaticScope.isPreviousResult(name) { return true }
    return insideFunction > 0 && anyModel
  }

  /// Whether a name is `_` or `_N`, a result whose value is known only at run time.
  static func isPreviousResult(_ name: String) -> Bool {
    name == "_" || (name.hasPrefix("_") && Int(name.dropFirst()) != nil)
  }

  /// Leaves a block: names bound inside it go out of scope; session objects stay.
  mutating func restoreLocals(from saved: StaticScope) {
    variables = saved.variables
  }

  /// Every name, for suggestions.
  var allNames: [String] {
    Array(variables) + Array(models) + Array(datasets) + Array(devices) + Array(functions.keys)
  }
}
