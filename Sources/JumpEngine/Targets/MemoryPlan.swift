/// The activation arena of a model as TFLite Micro will lay it out, and how its use changes across the ops.
///
/// `arenaBytes` is the planned head of the arena (tensors and kernel scratch); TFLite Micro keeps its
/// persistent structs at the arena's tail (`persistentBytes`, estimated by `PersistentTail`), and the
/// rest of the runtime needs RAM outside the arena (`runtimeOverhead`, from the target).
public struct MemoryPlan: Sendable, Equatable {
  /// One planned buffer: an activation tensor or a kernel's scratch.
  public struct Buffer: Sendable, Equatable {
    /// What the buffer holds.
    public enum Kind: String, Sendable, Equatable {
      /// A tensor computed at run time (inputs, activations, outputs).
      case tensor
      /// Scratch a kernel requests for its own op (INT4 filter unpacking, MEAN accumulators).
      case scratch
    }

    /// The tensor's name in the file, or `OP#k scratch (why)` for scratch.
    public var name: String
    /// Tensor or scratch.
    public var kind: Kind
    /// Bytes in the arena, rounded up to the 16-byte arena alignment.
    public var bytes: Int
    /// The first op that needs it (0 for graph inputs).
    public var firstOp: Int
    /// The last op that needs it.
    public var lastOp: Int
    /// Where it starts in the arena.
    public var offset: Int

    /// Whether the buffer is live while op `index` runs.
    public func isLive(at index: Int) -> Bool { firstOp <= index && index <= lastOp }
  }

  /// One operator of the file, in execution order, and the arena while it runs.
  public struct Step: Sendable, Equatable {
    /// The TFLite builtin (`CONV_2D`).
    public var op: String
    /// The tensor it writes (names the op in reports).
    public var output: String
    /// Bytes of all buffers live while it runs.
    public var liveBytes: Int
    /// The highest arena address in use while it runs (live buffers' end offsets).
    public var extent: Int
  }

  /// Every planned buffer, tensors first (in file order), then scratch (in request order).
  public var buffers: [Buffer]
  /// The ops in execution order, as the exported file runs them (including PADs and io QUANTIZEs).
  public var steps: [Step]
  /// The planned arena head: the size TFLite Micro's planner computes for this file.
  public var arenaBytes: Int
  /// The arena's persistent tail for this file (0 for runtimes other than TFLite Micro).
  public var persistentBytes: Int
  /// Bytes the runtime needs outside the arena (the target's overhead: interpreter, stack, system).
  public var runtimeOverhead: Int

  /// The arena size to give TFLite Micro's interpreter: the planned head plus the persistent tail.
  public var totalArenaBytes: Int { arenaBytes + persistentBytes }

  /// Arena (head and tail) plus runtime overhead: the RAM the model needs on the device.
  public var peakBytes: Int { arenaBytes + persistentBytes + runtimeOverhead }

  /// The RAM the model needs on `device`, from a plan made for a 32-bit TFLite Micro build: the head, the
  /// tail when the device runs TFLite Micro, and the device's own overhead. Lets one plan serve a catalog.
  public func peakBytes(on device: Device) -> Int {
    arenaBytes + (device.tfliteMicroPointerBytes == nil ? 0 : persistentBytes) + device.runtimeOverhead
  }

  /// The op while which the most bytes are live (the first of equals).
  ///
  /// Not necessarily where the arena's high-water mark is first touched: a buffer placed high because of
  /// an earlier neighbour can reach it at an op with little else live.
  public var peakOp: Int {
    var best = 0
    for (index, step) in steps.enumerated() where step.liveBytes > steps[best].liveBytes { best = index }
    return best
  }

  /// The buffers live at the peak op, largest first.
  public var livePeakBuffers: [Buffer] {
    let peak = peakOp
    return buffers.filter { $0.isLive(at: peak) }.sorted { $0.bytes > $1.bytes }
  }
}
