extension TrainableGraph {
  /// Multiplies the named parameter by `mask` element by element (1 keeps, 0 zeroes); names that are not
  /// initializers, or masks of another size, are ignored. Pruned fine-tuning calls it after each step.
  public mutating func multiply(_ name: String, by mask: [Float]) {
    guard var values = constants.removeValue(forKey: name) else { return }
    if values.count == mask.count {
      mask.withPointer { m in
        values.withMutablePointer { p in
          for i in 0..<mask.count { p[i] *= m[i] }
        }
      }
    }
    constants[name] = values
  }

  /// The current elements of a parameter or buffer, without building a tensor.
  public func elements(of name: String) -> [Float]? { constants[name] }
}
