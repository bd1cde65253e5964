import JumpScript

/// A compact, parenthesised rendering of syntax trees, so parser tests can state a whole tree in
/// one string: `(let r (command report))`.
enum AST {
  static func describe(_ statements: [Stmt]) -> String {
    statements.map(describe).joined(separator: " ")
  }

  static func describe(_ statement: Stmt) -> String {
    switch statement.kind {
    case .command(let call): return describe(call)
    case .expression(let expr): return describe(expr)
    case .let(let name, _, let value): return "(let \(name) \(describe(value)))"
    case .assign(let name, _, let value): return "(set \(name) \(describe(value)))"
    case .if(let condition, let then, let otherwise):
      var text = "(if \(describe(condition)) {\(describe(then))}"
      if let otherwise { text += " else {\(describe(otherwise))}" }
      return text + ")"
    case .for(let variable, _, let sequence, let body):
      return "(for \(variable) \(describe(sequence)) {\(describe(body))})"
    case .def(let name, _, let parameters, let options, let body):
      let names = parameters + options.map { "\($0.name)=\(describe($0.value))" }
      return "(def \(name)(\(names.joined(separator: ","))) {\(describe(body))})"
    case .use(let module, _): return "(use \(module))"
    case .call(let name, _, let arguments, let options):
      return "(call \(name)" + arguments.map { " " + describe($0) }.joined()
        + options.map { " \($0.name)=\(describe($0.value))" }.joined() + ")"
    }
  }

  static func describe(_ call: CommandCall) -> String {
    var parts = ["command", call.name]
    if let binding = call.binding { parts.append("\(binding.name)=") }
    for argument in call.arguments {
      switch argument {
      case .positional(let expr): parts.append(describe(expr))
      case .option(let key, _, let value): parts.append("\(key)=\(describe(value))")
      case .preposition(let keyword, _, let value): parts.append("\(keyword.rawValue):\(describe(value))")
      case .pin(let hex, _): parts.append("pin:\(hex.prefix(8))")
      }
    }
    return "(" + parts.joined(separator: " ") + ")"
  }

  static func describe(_ expr: Expr) -> String {
    switch expr.kind {
    case .number(let value, let unit): return ValueFormatter.number(value, unit: unit)
    case .string(let text): return "\"\(text)\""
    case .bool(let flag): return flag ? "true" : "false"
    case .list(let elements): return "[" + elements.map(describe).joined(separator: " ") + "]"
    case .name(let name): return name
    case .field(let base, let name, _): return "\(describe(base)).\(name)"
    case .unary(let op, let operand): return "(\(op.rawValue) \(describe(operand)))"
    case .binary(let op, let left, let right): return "(\(op.rawValue) \(describe(left)) \(describe(right)))"
    case .call(let name, let arguments, let options):
      let parts = arguments.map(describe) + options.map { "\($0.name)=\(describe($0.value))" }
      return "\(name)(" + parts.joined(separator: " ") + ")"
    case .command(let call): return describe(call)
    }
  }
}
