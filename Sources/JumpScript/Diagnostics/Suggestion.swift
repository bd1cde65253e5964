/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
  /// The candidate closest to `word`, if it is close enough to be a plausible typo.
  public static func closest(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    var best: (String, Int)?
    for candidate in candidates {
      let distance = editDistance(lowered, candidate.lowercased())
      if best == nil || distance < best!.1 { best = (candidate, distance) }
    }
    guard let (candidate, distance) = best else { return nil }
    let allowed = max(1, min(3, (word.count + 1) / 3))
    return distance <= allowed ? candidate : nil
  }

  /// `known targets: pico, uno`: every known name of a kind, when there are a few to choose from and none
  /// is close to what was typed (nil for none, or for more than a screenful).
  public static func listing(_ kind: String, _ candidates: [String]) -> String? {
    guard !candidates.isEmpty, candidates.count <= 12 else { return nil }
    return "known \(kind)s: " + candidates.sorted().joined(separator: ", ")
  }

  /// The command a lone unknown word was probably meant to be (`reprot` for `report`): a command
  /// close to it, when no known name is closer to hand.
  public static func mistypedCommand(_ word: String, commands: [String], names: [String]) -> String? {
    guard closest(to: word, in: names) == nil else { return nil }
    return closest(to: word, in: commands)
  }

  /// Damerau–Levenshtein distance (optimal string alignment), so `in8t` is one step from `int8`.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a)
    let y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous2 = [Int](repeating: 0, count: y.count + 1)
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
      current[0] = i
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
          current[j] = min(current[j], previous2[j - 2] + 1)
        }
      }
      previous2 = previous
      previous = current
    }
    return previous[y.count]
  }
}
