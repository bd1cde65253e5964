import Foundation
import JumpEngine
import Testing

/// The compression report's renderings say the same thing from the same facts.
@Suite struct CompressionReportTests {
  static func report() -> CompressionReport {
    var before = ModelFacts(
      name: "teacher", precision: "fp32", parameters: 1000, nonZeroParameters: 1000, flashBytes: 4000,
      macs: 50_000, layers: [.init(name: "conv", op: "Conv", parameters: 1000, bytes: 4000, macs: 50_000)])
    before.peakRAMBytes = 8192
    before.accuracy = 0.95
    var after = ModelFacts(
      name: "teacher_int8", precision: "int8", parameters: 1000, nonZeroParameters: 500, flashBytes: 1000,
      macs: 50_000,
      layers: [
        .init(name: "conv", op: "CONV_2D", parameters: 1000, bytes: 1000, macs: 50_000, sqnrDecibels: 31)
      ])
    after.peakRAMBytes = 2048
    after.accuracy = 0.9434
    after.agreement = 0.98
    after.sqnrDecibels = 30.5
    after.arenaTimeline = [1024, 2048, 512]
    return CompressionReport(
      after: after, before: before, lineage: ["load <m>.onnx", "prune 0.5", "quantize int8 ptq"],
      target: "pico",
      verdicts: [
        .init(budget: "flash", needed: 1000, available: 2_000_000, what: "int8 weights in flash"),
        .init(budget: "ram", needed: 2048, available: 1024, what: "peak RAM"),
      ], worstLayers: [.init(tensor: "y", layer: "conv", decibels: 31)], dataset: "test", samples: 64)
  }

  @Test func comparisonRowsStateTheChange() {
    let rows = Dictionary(uniqueKeysWithValues: Self.report().comparisonRows.map { ($0.label, $0) })
    #expect(rows["flash (weights)"]?.change == "4.00× smaller")
    #expect(rows["peak RAM"]?.before == "8 KB" && rows["peak RAM"]?.after == "2 KB")
    #expect(rows["MACs per sample"]?.change == "same")
    #expect(rows["accuracy on test"]?.change == "-0.66 pt")
    #expect(rows["agreement with teacher"]?.before == "—")
    #expect(rows["latency on pico (estimate)"]?.after == "—")
  }

  @Test func verdictNamesTheBudgetsThatFail() {
    let report = Self.report()
    #expect(!report.fits)
    #expect(report.verdictLine == "does not fit pico: peak RAM 2 KB > 1 KB")
  }

  @Test func jsonParsesBackWithTheFactsAndNullForWhatWasNotMeasured() throws {
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(Self.report().json.utf8)) as? [String: Any])
    #expect(object["schema"] as? String == "jumpstation.report/1")
    #expect(object["fits"] as? Bool == false)
    let model = try #require(object["model"] as? [String: Any])
    #expect(model["nonzero_params"] as? Int == 500)
    #expect(model["latency_seconds"] is NSNull)
    #expect((model["arena_timeline"] as? [Int]) == [1024, 2048, 512])
    #expect((object["baseline"] as? [String: Any])?["name"] as? String == "teacher")
    #expect((object["lineage"] as? [String])?.count == 3)
  }

  @Test func markdownHasTheTablesAndTheSparsityNote() {
    let markdown = Self.report().markdown
    #expect(markdown.hasPrefix("# Compression report: teacher_int8\n"))
    #expect(markdown.contains("**Verdict: does not fit pico: peak RAM 2 KB > 1 KB**"))
    #expect(markdown.contains("| flash (weights) | 4 KB | 1000 B | 4.00× smaller |"))
    #expect(markdown.contains("50.0% of the parameters are zero; dense files still store them"))
    #expect(markdown.contains("| peak RAM | 2 KB | 1 KB | **does not fit** |"))
    #expect(markdown.contains("3. `quantize int8 ptq`"))
  }

  @Test func htmlIsOneEscapedPageWithCharts() {
    let html = Self.report().html
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(!html.contains("<script") && !html.contains("src="))
    #expect(html.components(separatedBy: "<svg").count - 1 == 4)
    #expect(html.contains("load &lt;m&gt;.onnx"))
    #expect(!html.contains("load <m>.onnx"))
    #expect(html.contains("class=\"verdict fails\""))
  }
}
