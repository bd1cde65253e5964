import Foundation
import JumpEngine

/// A device description in a JSON file (schema `jumpstation.device/1`, docs/schemas/device.schema.json),
/// read by `target from "box.json"` so a device that is not in the catalog can come from a file a
/// hardware team or a targeting suite hands over.
///
/// Its keys are the `device` command's options, with `name` and `summary`, and each value is checked
/// by the same declaration (`DeviceCommand.signature`), so a file and a `device` line accept exactly
/// the same devices and say the same things about bad values. Sizes and clocks are JSON numbers in
/// bytes and hertz, or strings with the language's units (`"264KB"`, `"133MHz"`).
enum DeviceFile {
  /// The schema identifier a description may carry.
  static let schema = "jumpstation.device/1"

  /// Reads and checks a description; errors name the file and the field.
  static func read(_ path: String) throws(CommandError) -> Device {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw CommandError(
        "cannot read device description '\(path)': \(error.localizedDescription)", parameter: "path",
        exitCode: .noInput)
    }
    let fields: [String: Scalar]
    do { fields = try JSONDecoder().decode([String: Scalar].self, from: data) } catch {
      throw CommandError(
        "'\(path)' is not a JSON object of numbers, strings and booleans describing one device",
        parameter: "path", hint: "see docs/schemas/device.schema.json")
    }
    return try device(from: fields, path: path)
  }

  /// A JSON value a description may hold.
  enum Scalar: Decodable, Equatable {
    case bool(Bool)
    case number(Double)
    case string(String)

    init(from decoder: Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let flag = try? container.decode(Bool.self) {
        self = .bool(flag)
      } else if let number = try? container.decode(Double.self) {
        self = .number(number)
      } else {
        self = .string(try container.decode(String.self))
      }
    }
  }

  /// Checks a decoded JSON object and builds the device.
  static func device(from fields: [String: Scalar], path: String) throws(CommandError) -> Device {
    if case .string(let schema)? = fields["schema"], schema != Self.schema {
      var message = "'\(path)' has schema '\(schema)', not \(Self.schema)"
      var hint = "a device description has the device command's options as keys: name, ram, flash, clock, ..."
      if schema.hasPrefix("jumpstation.requirements/") {
        message = "'\(path)' is a requirement vector (what a model needs), not a device description"
        hint = "export writes it; `target from` reads a \(Self.schema) file (docs/schemas/device.schema.json)"
      }
      throw CommandError(message, parameter: "path", hint: hint)
    }
    let parameters = [namePositional] + DeviceCommand.signature.options
    let known = parameters.map(\.name)
    var arguments = BoundArguments()
    for key in fields.keys.sorted() where key != "schema" {
      guard let parameter = parameters.first(where: { $0.name == key }) else {
        throw CommandError(
          "unknown field '\(key)' in '\(path)'", parameter: "path",
          hint: Suggestion.closest(to: key, in: known).map { "did you mean '\($0)'?" }
            ?? "fields are schema, " + known.joined(separator: ", "))
      }
      guard let json = fields[key] else { continue }
      let value = value(of: json, for: parameter)
      if let (message, hint) = TypeValidator.problem(with: value, for: parameter.type, name: key) {
        throw CommandError("\(path): \(message)", parameter: "path", hint: hint)
      }
      arguments.values[key] = value
    }
    for parameter in parameters where arguments.values[parameter.name] == nil {
      if parameter.isRequired {
        throw CommandError(
          "'\(path)' has no '\(parameter.name)' (\(parameter.help))", parameter: "path",
          hint: "a device description needs name, ram, flash and clock")
      }
      if let fallback = parameter.defaultValue { arguments.values[parameter.name] = fallback }
    }
    guard let name = arguments.string("name"), isDeviceName(name) else {
      throw CommandError(
        "\(path): name '\(arguments.string("name") ?? "")' is not a name scripts can write",
        parameter: "path",
        hint: "letters, digits, '_' and '-', starting with a letter: rpi-zero2, my_box")
    }
    return try DeviceCommand.device(from: arguments)
  }

  /// The device's name, which `device` takes as its positional.
  private static let namePositional = Parameter("name", .string, required: true, help: "the device's name")

  /// A JSON value as the language value the parameter expects: numbers in base units, or strings
  /// written as script literals (`"264KB"`).
  private static func value(of json: Scalar, for parameter: Parameter) -> Value {
    switch json {
    case .bool(let flag): return .bool(flag)
    case .number(let number):
      if case .number(let dimension, _) = parameter.type { return .number(Quantity(number, dimension)) }
      return .number(Quantity(number))
    case .string(let text):
      if case .number = parameter.type, let literal = literal(text) { return .number(literal) }
      return .string(text)
    }
  }

  /// `"264KB"` read as the language reads it; nil unless the text is one number literal.
  private static func literal(_ text: String) -> Quantity? {
    let (tokens, problems) = Lexer.tokenize(SourceFile(name: "<json>", text: text))
    guard problems.isEmpty, tokens.count == 2, case .number(let value, let unit) = tokens[0].kind,
      tokens[1].kind == .end
    else { return nil }
    return Quantity(literal: value, unit: unit)
  }

  private static func isDeviceName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, CharacterSet.letters.contains(first) else { return false }
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
    return name.unicodeScalars.allSatisfy { allowed.contains($0) }
  }
}
