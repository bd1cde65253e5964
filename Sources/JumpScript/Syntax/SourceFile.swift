/// A named piece of script text: a file, a REPL cell (`<In[3]>`) or a stdlib module.
public struct SourceFile: Sendable {
  /// Shown in diagnostics: a path, `<In[3]>` or `<stdin>`.
  public let name: String
  /// The full text.
  public let text: String
  /// The UTF-8 bytes of `text`, which the lexer scans.
  let bytes: [UInt8]
  /// Byte offsets at which each line starts; line 1 starts at 0.
  let lineStarts: [Int]

  /// Creates a source with the given display name and text.
  public init(name: String, text: String) {
    self.name = name
    self.text = text
    self.bytes = Array(text.utf8)
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(offset + 1)
    }
    self.lineStarts = starts
  }

  /// The line and column (both 1-based, column counted in characters) of a byte offset.
  public func location(of offset: Int) -> SourceLocation {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    let start = lineStarts[low]
    let prefix = bytes[start..<min(max(offset, start), bytes.count)]
    let column = String(decoding: prefix, as: UTF8.self).count + 1
    return SourceLocation(line: low + 1, column: column)
  }

  /// The text of a 1-based line, without its newline.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }

  /// Number of lines in the source.
  public var lineCount: Int { lineStarts.count }

  /// The source text covered by a span.
  public func text(of span: SourceSpan) -> String {
    let lower = min(span.start, bytes.count)
    let upper = min(max(span.end, lower), bytes.count)
    return String(decoding: bytes[lower..<upper], as: UTF8.self)
  }
}

/// A 1-based line and column.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
  /// 1-based line number.
  public var line: Int
  /// 1-based column, counted in characters.
  public var column: Int

  /// `line:column`.
  public var description: String { "\(line):\(column)" }
}

/// A half-open byte range in a source file.
public struct SourceSpan: Sendable, Equatable {
  /// First byte.
  public var start: Int
  /// One past the last byte.
  public var end: Int

  /// Creates a span over `start..<end`.
  public init(start: Int, end: Int) {
    self.start = start
    self.end = end
  }

  /// The smallest span covering both.
  public func merged(with other: SourceSpan) -> SourceSpan {
    SourceSpan(start: min(start, other.start), end: max(end, other.end))
  }
}
