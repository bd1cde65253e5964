/// The arithmetic, comparison and logic of the language, with dimension checking: sizes add to
/// sizes, a size divided by a size is a plain ratio, and a size is never compared with a time.
enum Operators {
  /// An operation's outcome: a value or what was wrong.
  enum Outcome {
    case value(Value)
    case failure(String)

    func get(file: SourceFile, span: SourceSpan) throws(Diagnostic) -> Value {
      switch self {
      case .value(let value): return value
      case .failure(let message): throw Diagnostic(.error, message, file: file, span: span)
      }
    }
  }

  static func unary(_ op: UnaryOperator, _ value: Value) -> Outcome {
    switch (op, value) {
    case (.negate, .number(var quantity)):
      quantity.value = -quantity.value
      return .value(.number(quantity))
    case (.not, .bool(let flag)): return .value(.bool(!flag))
    case (.negate, _): return .failure("cannot negate a \(value.typeName)")
    case (.not, _): return .failure("'not' needs a boolean, not a \(value.typeName)")
    }
  }

  static func binary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) -> Outcome {
    switch op {
    case .and, .or:
      guard case .bool = lhs, case .bool(let right) = rhs else {
        return .failure("'\(op.rawValue)' needs booleans, not \(lhs.typeName) and \(rhs.typeName)")
      }
      return .value(.bool(right))
    case .equal: return .value(.bool(equal(lhs, rhs)))
    case .notEqual: return .value(.bool(!equal(lhs, rhs)))
    case .less, .lessEqual, .greater, .greaterEqual: return compare(op, lhs, rhs)
    case .add: return add(lhs, rhs)
    case .subtract, .multiply, .divide: return arithmetic(op, lhs, rhs)
    }
  }

  static func equal(_ lhs: Value, _ rhs: Value) -> Bool {
    switch (lhs, rhs) {
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)), (.word(let a), .word(let b)), (.string(let a), .word(let b)),
      (.word(let a), .string(let b)):
      return a == b
    case (.bool(let a), .bool(let b)): return a == b
    case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
    case (.model(let a), .model(let b)): return a.name == b.name
    case (.dataset(let a), .dataset(let b)): return a.name == b.name
    case (.target(let a), .target(let b)): return a == b
    case (.none, .none): return true
    default: return false
    }
  }

  private static func compare(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) -> Outcome {
    let order: Bool
    switch (lhs, rhs) {
    case (.number(let a), .number(let b)):
      guard a.dimension == b.dimension else {
        return .failure("cannot compare a \(a.dimension.rawValue) with a \(b.dimension.rawValue)")
      }
      switch op {
      case .less: order = a.value < b.value
      case .lessEqual: order = a.value <= b.value
      case .greater: order = a.value > b.value
      default: order = a.value >= b.value
      }
    case (.string(let a), .string(let b)):
      switch op {
      case .less: order = a < b
      case .lessEqual: order = a <= b
      case .greater: order = a > b
      default: order = a >= b
      }
    default:
      return .failure("cannot compare a \(lhs.typeName) with a \(rhs.typeName)")
    }
    return .value(.bool(order))
  }

  private static func add(_ lhs: Value, _ rhs: Value) -> Outcome {
    switch (lhs, rhs) {
    case (.string(let a), _): return .value(.string(a + ValueFormatter.display(rhs)))
    case (_, .string(let b)): return .value(.string(ValueFormatter.display(lhs) + b))
    case (.list(let a), .list(let b)): return .value(.list(a + b))
    default: return arithmetic(.add, lhs, rhs)
    }
  }

  private static func arithmetic(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) -> Outcome {
    guard case .number(let a) = lhs, case .number(let b) = rhs else {
      return .failure("cannot apply '\(op.rawValue)' to a \(lhs.typeName) and a \(rhs.typeName)")
    }
    switch op {
    case .add, .subtract:
      guard a.dimension == b.dimension else {
        let verb = op == .add ? "add" : "subtract"
        let preposition = op == .add ? "to" : "from"
        return .failure(
          "cannot \(verb) a \(b.dimension.rawValue) \(preposition) a \(a.dimension.rawValue)")
      }
      return .value(.number(Quantity(op == .add ? a.value + b.value : a.value - b.value, a.dimension)))
    case .multiply:
      if a.dimension != .none && b.dimension != .none {
        return .failure("cannot multiply a \(a.dimension.rawValue) by a \(b.dimension.rawValue)")
      }
      let dimension = a.dimension == .none ? b.dimension : a.dimension
      return .value(.number(Quantity(a.value * b.value, dimension)))
    default:
      guard b.value != 0 else { return .failure("division by zero") }
      if a.dimension == b.dimension { return .value(.number(Quantity(a.value / b.value))) }
      guard b.dimension == .none else {
        return .failure("cannot divide a \(a.dimension.rawValue) by a \(b.dimension.rawValue)")
      }
      return .value(.number(Quantity(a.value / b.value, a.dimension)))
    }
  }
}
