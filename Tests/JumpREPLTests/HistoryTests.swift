import CLineEdit
import Foundation
import Testing

@testable import JumpREPL

/// A unique history path under a fresh temporary directory (which does not exist yet).
private func temporaryHistoryPath() -> String {
  NSTemporaryDirectory() + "jumprepl-history-" + UUID().uuidString + "/state/jumpstation/history"
}

/// Entries that exercise every encoding rule.
private let awkwardEntries = [
  "load \"tutorials/data/teacher.onnx\" as teacher",
  "tab\there",
  "back\\slash \\040 literal",
  "multi\nline",
  "control \u{1B}[31m and \u{7F}",
  "unicode café → 模型 ✓",
  "  leading and trailing  ",
  "nbsp\u{A0}x",
]

@Suite struct HistoryTests {
  @Test func encodesLikeLibedit() {
    #expect(HistoryEncoding.encode("load a.onnx") == "load\\040a.onnx")
    #expect(HistoryEncoding.encode("a\nb\tc\\") == "a\\012b\\011c\\134")
    #expect(HistoryEncoding.encode("\u{1B}\u{7F}") == "\\^[\\^?")
    #expect(HistoryEncoding.encode("café") == "café")
  }

  @Test func decodesEveryEscapeForm() {
    #expect(HistoryEncoding.decode("load\\040a.onnx") == "load a.onnx")
    #expect(HistoryEncoding.decode("\\M-C\\M-)") == "é")
    #expect(HistoryEncoding.decode("\\^[x\\^?") == "\u{1B}x\u{7F}")
    #expect(HistoryEncoding.decode("a\\\\b\\n") == "a\\b\n")
    #expect(HistoryEncoding.decode("dangling\\") == nil)
  }

  @Test(arguments: awkwardEntries) func encodingRoundTrips(entry: String) {
    let line = HistoryEncoding.encode(entry)
    #expect(!line.contains("\n"))
    #expect(HistoryEncoding.decode(line[...]) == entry)
  }

  @Test func defaultPathFollowsXDG() {
    #expect(
      HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "/x/state/", "HOME": "/home/u"])
        == "/x/state/jumpstation/history")
    #expect(
      HistoryFile.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/state/jumpstation/history")
    // A relative XDG_STATE_HOME is ignored, as the specification requires.
    #expect(
      HistoryFile.defaultPath(environment: ["XDG_STATE_HOME": "rel", "HOME": "/home/u"])
        == "/home/u/.local/state/jumpstation/history")
  }

  @Test func appendCreatesDirectoryAndHeader() throws {
    let file = HistoryFile(path: temporaryHistoryPath())
    try file.append("seed 42")
    try file.append("quantize int8 ptq")
    let text = try String(contentsOfFile: file.path, encoding: .utf8)
    #expect(text == "_HiStOrY_V2_\nseed\\04042\nquantize\\040int8\\040ptq\n")
    #expect(file.entries() == ["seed 42", "quantize int8 ptq"])
  }

  @Test func libeditLoadsWhatWeAppend() throws {
    let file = HistoryFile(path: temporaryHistoryPath())
    for entry in awkwardEntries { try file.append(entry) }
    let history = try #require(history_init())
    defer { history_end(history) }
    jle_history_set_size(history, 100)
    #expect(jle_history_load(history, file.path) == Int32(awkwardEntries.count))
    var loaded: [String] = []
    var entry = jle_history_walk(history, 1)
    while let current = entry {
      loaded.append(String(cString: current))
      entry = jle_history_walk(history, 0)
    }
    #expect(loaded == awkwardEntries)
  }

  @Test func weDecodeWhatLibeditSaves() throws {
    let path = temporaryHistoryPath()
    try HistoryFile(path: path).prepare()
    let history = try #require(history_init())
    defer { history_end(history) }
    jle_history_set_size(history, 100)
    for entry in awkwardEntries { jle_history_enter(history, entry) }
    #expect(jle_history_save(history, path) == Int32(awkwardEntries.count))
    #expect(HistoryFile(path: path).entries() == awkwardEntries)
  }

  @Test func replaceIsAtomicAndKeepsFormat() throws {
    let file = HistoryFile(path: temporaryHistoryPath())
    try file.append("old")
    try file.replace(with: ["a b", "c"])
    #expect(file.entries() == ["a b", "c"])
    let directory = (file.path as NSString).deletingLastPathComponent
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
    #expect(leftovers == ["history"])
  }

  @Test func lineEditorLoadsRecordsAndCompacts() throws {
    let file = HistoryFile(path: temporaryHistoryPath())
    for index in 0..<30 { try file.append("cmd \(index)") }
    let editor = try LineEditor(historyFile: file, historyLimit: 10)
    #expect(editor.historyEntries == (20..<30).map { "cmd \($0)" })
    // The file had grown past twice the limit, so it was rewritten to the newest entries.
    #expect(file.entries() == (20..<30).map { "cmd \($0)" })
  }
}
