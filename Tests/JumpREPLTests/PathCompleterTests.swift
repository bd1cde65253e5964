import Foundation
import Testing

@testable import JumpREPL

/// A throwaway directory tree for path completion.
private struct Tree {
  let root: String

  init() throws {
    root = NSTemporaryDirectory() + "pathcompleter-" + UUID().uuidString
    let manager = FileManager.default
    for directory in ["models", "models/old", "data", ".hidden", "my dir"] {
      try manager.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
    }
    for file in ["models/teacher.onnx", "models/student.ONNX", "models/notes.txt", "data/calib.npz", ".env"] {
      _ = manager.createFile(atPath: root + "/" + file, contents: Data())
    }
    _ = manager.createFile(atPath: root + "/my dir/a b.onnx", contents: Data())
  }

  func remove() { try? FileManager.default.removeItem(atPath: root) }
}

@Suite struct PathCompleterTests {
  @Test func listsDirectoriesWithSlashAndVisibleEntriesOnly() throws {
    let tree = try Tree()
    defer { tree.remove() }
    let all = PathCompleter.candidates(prefix: "", currentDirectory: tree.root)
    #expect(all == ["data/", "models/", "\"my dir/"])
  }

  @Test func filtersFilesByExtensionButKeepsDirectories() throws {
    let tree = try Tree()
    defer { tree.remove() }
    let found = PathCompleter.candidates(
      prefix: "models/", allowedExtensions: ["onnx"], currentDirectory: tree.root)
    #expect(found == ["models/old/", "models/student.ONNX", "models/teacher.onnx"])
    let dotted = PathCompleter.candidates(
      prefix: "models/t", allowedExtensions: [".onnx"], currentDirectory: tree.root)
    #expect(dotted == ["models/teacher.onnx"])
  }

  @Test func hiddenEntriesOnlyAfterADot() throws {
    let tree = try Tree()
    defer { tree.remove() }
    #expect(PathCompleter.candidates(prefix: ".", currentDirectory: tree.root) == [".env", ".hidden/"])
    #expect(!PathCompleter.candidates(prefix: "", currentDirectory: tree.root).contains(".env"))
  }

  @Test func quotedPrefixKeepsQuoteAndClosesFiles() throws {
    let tree = try Tree()
    defer { tree.remove() }
    let directories = PathCompleter.candidates(prefix: "\"mo", currentDirectory: tree.root)
    #expect(directories == ["\"models/"])
    let files = PathCompleter.candidates(prefix: "\"models/te", currentDirectory: tree.root)
    #expect(files == ["\"models/teacher.onnx\""])
    let spaced = PathCompleter.candidates(prefix: "\"my dir/", currentDirectory: tree.root)
    #expect(spaced == ["\"my dir/a b.onnx\""])
  }

  @Test func namesWithSpacesAreQuotedEvenUnquoted() throws {
    let tree = try Tree()
    defer { tree.remove() }
    #expect(PathCompleter.candidates(prefix: "my", currentDirectory: tree.root) == ["\"my dir/"])
  }

  @Test func expandsTildeButKeepsItInCandidates() throws {
    let tree = try Tree()
    defer { tree.remove() }
    let found = PathCompleter.candidates(prefix: "~/da", homeDirectory: tree.root)
    #expect(found == ["~/data/"])
    let bare = PathCompleter.candidates(prefix: "~", homeDirectory: tree.root)
    #expect(bare == ["~/data/", "~/models/", "\"~/my dir/"])
  }

  @Test func absolutePathsAndMissingDirectories() throws {
    let tree = try Tree()
    defer { tree.remove() }
    let found = PathCompleter.candidates(prefix: tree.root + "/data/c")
    #expect(found == [tree.root + "/data/calib.npz"])
    #expect(PathCompleter.candidates(prefix: tree.root + "/nowhere/x").isEmpty)
  }
}
