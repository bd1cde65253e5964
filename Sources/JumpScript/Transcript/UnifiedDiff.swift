/// A line diff in unified style (`-expected`, `+actual`), for replay mismatches.
enum UnifiedDiff {
  /// The diff lines, built from a longest-common-subsequence alignment; matcher-aware lines
  /// (`[..]`, `~tol`) count as equal when they match.
  static func lines(expected: [String], actual: [String]) -> [String] {
    let n = expected.count
    let m = actual.count
    var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
      for j in stride(from: m - 1, through: 0, by: -1) {
        table[i][j] =
          OutputMatcher.matches(expected: expected[i], actual: actual[j])
          ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
      }
    }
    var result = ["--- recorded", "+++ actual"]
    var i = 0
    var j = 0
    while i < n || j < m {
      if i < n, j < m, OutputMatcher.matches(expected: expected[i], actual: actual[j]) {
        result.append("  " + actual[j])
        i += 1
        j += 1
      } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
        result.append("- " + expected[i])
        i += 1
      } else {
        result.append("+ " + actual[j])
        j += 1
      }
    }
    return result
  }
}
