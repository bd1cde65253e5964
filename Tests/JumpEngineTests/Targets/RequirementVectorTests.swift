import Foundation
import JumpEngine
import Testing

/// The requirement vector describes the file export writes: its operators, edges and sizes.
@Suite struct RequirementVectorTests {
  @Test func tfliteInterfaceListsTheFilesOperatorsAndNHWCEdges() throws {
    let graph = MemoryPlannerTests.graph()
    let int8 = try RequirementVector.tfliteInterface(graph, io: .int8)
    #expect(int8.operators.map(\.name) == ["CONV_2D", "MEAN", "RESHAPE", "FULLY_CONNECTED"])
    #expect(int8.operators.map(\.count) == [2, 1, 1, 1])
    #expect(int8.inputs.count == 1 && int8.outputs.count == 1)
    // NCHW [1, 1, 4, 4] is written channel-last.
    #expect(int8.inputs[0].shape == [1, 4, 4, 1])
    #expect(int8.inputs[0].dtype == "int8" && int8.inputs[0].scale != nil)
    let float = try RequirementVector.tfliteInterface(graph, io: .float)
    #expect(float.inputs[0].dtype == "float32" && float.inputs[0].scale == nil)
    #expect(float.operators.map(\.name).contains("QUANTIZE"))
    #expect(float.operators.map(\.name).contains("DEQUANTIZE"))
  }

  @Test func jsonKeepsItsFieldsAndOrder() throws {
    let vector = RequirementVector(
      model: "m", format: "tflite", precision: "int8", parameters: 10, nonZeroParameters: 8, flashBytes: 42,
      arenaBytes: 256, macs: 1000, operators: [.init(name: "CONV_2D", version: 1, count: 2)],
      inputs: [.init(name: "x", dtype: "int8", shape: [1, 4, 4, 1], scale: 0.5, zeroPoint: -128)],
      outputs: [.init(name: "y", dtype: "float32", shape: [-1, 2])],
      devices: [.init(device: "pico", latencySeconds: 0.25, fits: true)], accuracy: ("test", 0.75))
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(vector.json.utf8)) as? [String: Any])
    #expect(object["schema"] as? String == RequirementVector.schema)
    #expect(object["arena_bytes"] as? Int == 256)
    #expect((object["accuracy"] as? [String: Any])?["value"] as? Double == 0.75)
    #expect(((object["outputs"] as? [[String: Any]])?.first?["scale"]) is NSNull)
    #expect(vector.json.hasPrefix("{\"schema\":\"jumpstation.requirements/1\",\"generator\":"))
  }
}
