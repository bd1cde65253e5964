extension Kernels {
  /// Output tiles multiplied together in one set of Winograd GEMMs (whole samples are grouped up to this).
  ///
  /// 512 columns keep OpenBLAS at full speed while a worker's transformed input and output (16 matrices
  /// of `C x 512` each) stay a few megabytes.
  static let winogradTileColumns = 512

  /// True when `conv2d` runs `g` as Winograd F(2 x 2, 3 x 3) (Lavin & Gray 2016): a dense 3 x 3, stride-1,
  /// undilated convolution with enough channels that its GEMMs dominate the transforms.
  ///
  /// The 16 GEMMs of F(2 x 2, 3 x 3) do `4 C_out C_in` multiply-adds per output pixel where im2col does
  /// `9 C_out C_in`; the transforms add about `8 C_in + 6 C_out` operations per pixel, so from 32 channels
  /// on each side the GEMM saving wins. Below an 4 x 4 output the tiles are mostly padding.
  static func usesWinograd(_ g: ConvGeometry) -> Bool {
    g.group == 1 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
      && g.dilationHeight == 1 && g.dilationWidth == 1 && g.inChannels >= 32 && g.outChannels >= 32
      && g.outHeight >= 4 && g.outWidth >= 4
  }

  /// The shape of one Winograd run: tiles per sample, samples per chunk, and the padded input plane.
  struct WinogradPlan {
    let tileRows: Int, tileColumns: Int
    /// Samples whose tiles share one set of GEMMs.
    let samplesPerChunk: Int
    /// A zero-padded input plane holding every tile's 4 x 4 window.
    let paddedRows: Int, paddedColumns: Int

    /// Chunks of `samplesPerChunk` samples (the last may be shorter) covering the batch.
    let chunks: Int

    init(_ g: ConvGeometry) {
      tileRows = (g.outHeight + 1) / 2
      tileColumns = (g.outWidth + 1) / 2
      samplesPerChunk = max(1, min(g.batch, Kernels.winogradTileColumns / (tileRows * tileColumns)))
      chunks = (g.batch + samplesPerChunk - 1) / samplesPerChunk
      paddedRows = 2 * tileRows + 2
      paddedColumns = 2 * tileColumns + 2
    }

    var tilesPerSample: Int { tileRows * tileColumns }
    var chunkColumns: Int { samplesPerChunk * tilesPerSample }

    /// One worker's scratch: transformed input and products of a chunk, a padded plane, four output rows.
    func workerFloats(_ g: ConvGeometry) -> Int {
      16 * (g.inChannels + g.outChannels) * chunkColumns + paddedRows * paddedColumns + 4 * tileColumns
    }
  }

  /// The floats of `g`'s transformed filters (`winogradFilters`): 16 matrices `C_out x C_in`.
  static func winogradFilterCount(_ g: ConvGeometry) -> Int { 16 * g.outChannels * g.inChannels }

  /// The scratch floats a Winograd `conv2d` needs: the transformed filters, then per worker the
  /// transformed input and output tiles of one chunk and one padded input plane.
  static func winogradScratchCount(_ g: ConvGeometry, threads: Int) -> Int {
    let plan = WinogradPlan(g)
    let worker = plan.workerFloats(g)
    return 16 * g.outChannels * g.inChannels + worker * max(1, min(threads, plan.chunks))
  }

  /// Convolution by Winograd F(2 x 2, 3 x 3), then bias and `activation` (`usesWinograd(g)` must hold).
  ///
  /// The filters become `U = G g Gᵀ` (16 matrices `C_out x C_in`), each 4 x 4 input window with stride 2
  /// becomes `V = Bᵀ d B` (16 matrices `C_in x tiles`), 16 GEMMs give `M = U V`, and each tile's 2 x 2 output
  /// is `Aᵀ M A`. Chunks of whole samples are split across threads, each with its own scratch; a single
  /// chunk splits its 16 GEMMs across the threads instead. BLAS always runs single-threaded.
  ///
  /// `transformedFilters`, when given, holds `winogradFilters` of `weight` computed beforehand (the
  /// executor does it once for constant weights: at batch 1 the transform costs as much as the GEMMs).
  static func winogradConv2d(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>, activation: Activation, scratch: UnsafeMutablePointer<Float>,
    threads: Int, transformedFilters: UnsafePointer<Float>? = nil
  ) {
    let plan = WinogradPlan(g)
    let filters: UnsafePointer<Float>
    if let transformedFilters {
      filters = transformedFilters
    } else {
      winogradFilters(g, weight, scratch)
      filters = UnsafePointer(scratch)
    }
    let chunks = plan.chunks
    let workerSize = plan.workerFloats(g)
    let byChunk = threads > 1 && chunks > 1
    // Every GEMM runs on a single-threaded BLAS: with one chunk the 16 GEMMs are split across the threads
    // instead (small GEMMs gain little from BLAS's own threads), and the bits never depend on `threads`.
    setBLASThreads(1)
    let workers = scratch + 16 * g.outChannels * g.inChannels
    parallelParts(chunks, threads: byChunk ? threads : 1) { part, range in
      let transformed = workers + part * workerSize
      let products = transformed + 16 * g.inChannels * plan.chunkColumns
      let padded = products + 16 * g.outChannels * plan.chunkColumns
      let rows = padded + plan.paddedRows * plan.paddedColumns
      for chunk in range {
        let first = chunk * plan.samplesPerChunk
        let samples = first..<min(g.batch, first + plan.samplesPerChunk)
        let columns = samples.count * plan.tilesPerSample
        for (i, n) in samples.enumerated() {
          winogradInputTiles(
            g, plan, input + n * g.inChannels * g.inPlane, padded, transformed,
            column: i * plan.tilesPerSample,
            stride: columns)
        }
        parallelRanges(16, threads: byChunk ? 1 : threads) { matrices in
          setBLASThreads(1)
          for k in matrices {
            sgemm(
              transA: false, transB: false, m: g.outChannels, n: columns, k: g.inChannels, alpha: 1,
              a: filters + k * g.outChannels * g.inChannels, lda: g.inChannels,
              b: transformed + k * g.inChannels * columns, ldb: columns, beta: 0,
              c: products + k * g.outChannels * columns, ldc: columns)
          }
        }
        for (i, n) in samples.enumerated() {
          let destination = output + n * g.outChannels * g.outPlane
          winogradOutputTiles(
            g, plan, products, column: i * plan.tilesPerSample, stride: columns, bias: bias, destination,
            rows: rows)
          activation.applyInPlace(destination, g.outChannels * g.outPlane)
        }
      }
    }
  }

  /// `U = G g Gᵀ` for every filter, stored as 16 row-major `C_out x C_in` matrices (element `4i + j` of
  /// every 4 x 4 result in matrix `4i + j`), with `G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]`.
  static func winogradFilters(
    _ g: ConvGeometry, _ weight: UnsafePointer<Float>, _ filters: UnsafeMutablePointer<Float>
  ) {
    let matrix = g.outChannels * g.inChannels
    for o in 0..<g.outChannels {
      for c in 0..<g.inChannels {
        let w = weight + (o * g.inChannels + c) * 9
        // Columns of t = G g (4 x 3), one per filter column.
        let t0 = filterColumn(w[0], w[3], w[6])
        let t1 = filterColumn(w[1], w[4], w[7])
        let t2 = filterColumn(w[2], w[5], w[8])
        // U = t Gᵀ: row i of U from row i of t.
        let u = (t0, 0.5 * (t0 + t1 + t2), 0.5 * (t0 - t1 + t2), t2)
        let at = filters + o * g.inChannels + c
        for i in 0..<4 {
          at[(4 * i) * matrix] = u.0[i]
          at[(4 * i + 1) * matrix] = u.1[i]
          at[(4 * i + 2) * matrix] = u.2[i]
          at[(4 * i + 3) * matrix] = u.3[i]
        }
      }
    }
  }

  /// One column of `G g`: `(a, ½(a + b + d), ½(a − b + d), d)` from a filter column `(a, b, d)`.
  @inline(__always)
  private static func filterColumn(_ a: Float, _ b: Float, _ d: Float) -> SIMD4<Float> {
    SIMD4(a, 0.5 * (a + b + d), 0.5 * (a - b + d), d)
  }

  /// `V = Bᵀ d B` for every 4 x 4 input window of one sample, with `Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0],
  /// [0, −1, 1, 0], [0, 1, 0, −1]]`: matrix `k` (`C_in x stride`) gets element `k` of each window's result in
  /// the window's column, from `column` on.
  ///
  /// Each channel is copied into a zero-padded plane; window `tx` of a row of tiles starts at column `2 tx`,
  /// so along the row every term of `Bᵀ d B` is a loop over `tx` with even/odd lanes split from 8-float loads.
  private static func winogradInputTiles(
    _ g: ConvGeometry, _ plan: WinogradPlan, _ sample: UnsafePointer<Float>,
    _ padded: UnsafeMutablePointer<Float>,
    _ transformed: UnsafeMutablePointer<Float>, column: Int, stride: Int
  ) {
    let width = plan.paddedColumns
    let tiles = plan.tileColumns
    let matrix = g.inChannels * stride
    let rows = min(g.inHeight, plan.paddedRows - g.padTop)
    let columns = min(g.inWidth, width - g.padLeft)
    fill(padded, 0, plan.paddedRows * width)
    for c in 0..<g.inChannels {
      let source = sample + c * g.inPlane
      for y in 0..<rows {
        copy(source + y * g.inWidth, padded + (y + g.padTop) * width + g.padLeft, columns)
      }
      let out = transformed + c * stride + column
      for ty in 0..<plan.tileRows {
        let r0 = UnsafePointer(padded + 2 * ty * width)
        let (r1, r2, r3) = (r0 + width, r0 + 2 * width, r0 + 3 * width)
        let at = out + ty * tiles
        // Row i of Bᵀ d is a sum of two input rows: (r0 − r2, r1 + r2, r2 − r1, r1 − r3).
        winogradInputRow(r0, r2, -1, tiles, at, matrix)
        winogradInputRow(r1, r2, 1, tiles, at + 4 * matrix, matrix)
        winogradInputRow(r2, r1, -1, tiles, at + 8 * matrix, matrix)
        winogradInputRow(r1, r3, -1, tiles, at + 12 * matrix, matrix)
      }
    }
  }

  /// Row `i` of `V` for a row of tiles, from the row `t = a + sign · b` of `Bᵀ d` (`a`, `b`: padded input
  /// rows): `(t0 − t2, t1 + t2, t2 − t1, t1 − t3)` of window `tx` (columns `2 tx ..< 2 tx + 4`) into
  /// matrices `4i ..< 4i + 4`.
  @inline(__always)
  private static func winogradInputRow(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ sign: Float, _ tiles: Int,
    _ out: UnsafeMutablePointer<Float>, _ matrix: Int
  ) {
    let (v0, v1, v2, v3) = (out, out + matrix, out + 2 * matrix, out + 3 * matrix)
    var tx = 0
    // Four windows at a time: columns 2 tx ..< 2 tx + 10 (the padded row has 2 tiles + 2).
    while tx + 4 <= tiles {
      let here = load8(a, 2 * tx) + sign * load8(b, 2 * tx)
      let next = load8(a, 2 * tx + 2) + sign * load8(b, 2 * tx + 2)
      let (t0, t1, t2, t3) = (here.evenHalf, here.oddHalf, next.evenHalf, next.oddHalf)
      SIMDRows.store(t0 - t2, v0, tx)
      SIMDRows.store(t1 + t2, v1, tx)
      SIMDRows.store(t2 - t1, v2, tx)
      SIMDRows.store(t1 - t3, v3, tx)
      tx += 4
    }
    while tx < tiles {
      let x = 2 * tx
      let (t0, t1) = (a[x] + sign * b[x], a[x + 1] + sign * b[x + 1])
      let (t2, t3) = (a[x + 2] + sign * b[x + 2], a[x + 3] + sign * b[x + 3])
      v0[tx] = t0 - t2
      v1[tx] = t1 + t2
      v2[tx] = t2 - t1
      v3[tx] = t1 - t3
      tx += 1
    }
  }

  /// Loads eight floats from `p + i`.
  @inline(__always)
  private static func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
  }

  /// `Y = Aᵀ M A` for every tile of one sample, `Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]`, plus the bias, written
  /// into the sample's `C_out x H x W` output (tiles past an odd edge write only their inside part).
  ///
  /// Along a row of tiles each of the four outputs of a tile is a contiguous loop over `tx` into `rows`
  /// (four rows of `tileColumns` floats), which are then interleaved into the two output rows.
  private static func winogradOutputTiles(
    _ g: ConvGeometry, _ plan: WinogradPlan, _ products: UnsafePointer<Float>, column: Int, stride: Int,
    bias: UnsafePointer<Float>?, _ destination: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>
  ) {
    let matrix = g.outChannels * stride
    let tiles = plan.tileColumns
    let (topEven, topOdd) = (rows, rows + tiles)
    let (bottomEven, bottomOdd) = (rows + 2 * tiles, rows + 3 * tiles)
    for o in 0..<g.outChannels {
      let b = bias?[o] ?? 0
      let plane = destination + o * g.outPlane
      let source = products + o * stride + column
      for ty in 0..<plan.tileRows {
        let m = source + ty * tiles
        let (m0, m1, m2, m3) = (m, m + matrix, m + 2 * matrix, m + 3 * matrix)
        let (m4, m5, m6, m7) = (m + 4 * matrix, m + 5 * matrix, m + 6 * matrix, m + 7 * matrix)
        let (m8, m9, m10, m11) = (m + 8 * matrix, m + 9 * matrix, m + 10 * matrix, m + 11 * matrix)
        let (m12, m13, m14, m15) = (m + 12 * matrix, m + 13 * matrix, m + 14 * matrix, m + 15 * matrix)
        var tx = 0
        while tx + 4 <= tiles {
          // Row i of M A: (m_i0 + m_i1 + m_i2, m_i1 − m_i2 − m_i3); then Aᵀ combines the rows.
          let (l0, r0) = outputRow(m0, m1, m2, m3, tx)
          let (l1, r1) = outputRow(m4, m5, m6, m7, tx)
          let (l2, r2) = outputRow(m8, m9, m10, m11, tx)
          let (l3, r3) = outputRow(m12, m13, m14, m15, tx)
          let bias = SIMD4<Float>(repeating: b)
          SIMDRows.store(l0 + l1 + l2 + bias, topEven, tx)
          SIMDRows.store(r0 + r1 + r2 + bias, topOdd, tx)
          SIMDRows.store(l1 - l2 - l3 + bias, bottomEven, tx)
          SIMDRows.store(r1 - r2 - r3 + bias, bottomOdd, tx)
          tx += 4
        }
        while tx < tiles {
          let (l0, r0) = (m0[tx] + m1[tx] + m2[tx], m1[tx] - m2[tx] - m3[tx])
          let (l1, r1) = (m4[tx] + m5[tx] + m6[tx], m5[tx] - m6[tx] - m7[tx])
          let (l2, r2) = (m8[tx] + m9[tx] + m10[tx], m9[tx] - m10[tx] - m11[tx])
          let (l3, r3) = (m12[tx] + m13[tx] + m14[tx], m13[tx] - m14[tx] - m15[tx])
          topEven[tx] = l0 + l1 + l2 + b
          topOdd[tx] = r0 + r1 + r2 + b
          bottomEven[tx] = l1 - l2 - l3 + b
          bottomOdd[tx] = r1 - r2 - r3 + b
          tx += 1
        }
        let y = 2 * ty
        winogradInterleave(topEven, topOdd, plane + y * g.outWidth, g.outWidth)
        if y + 1 < g.outHeight {
          winogradInterleave(bottomEven, bottomOdd, plane + (y + 1) * g.outWidth, g.outWidth)
        }
      }
    }
  }

  /// Row `i` of `M A` for four tiles from `tx`: `(m0 + m1 + m2, m1 − m2 − m3)` of the row's four matrices.
  @inline(__always)
  private static func outputRow(
    _ m0: UnsafePointer<Float>, _ m1: UnsafePointer<Float>, _ m2: UnsafePointer<Float>,
    _ m3: UnsafePointer<Float>, _ tx: Int
  ) -> (SIMD4<Float>, SIMD4<Float>) {
    let (a, b, c, d) = (
      SIMDRows.load(m0, tx), SIMDRows.load(m1, tx), SIMDRows.load(m2, tx), SIMDRows.load(m3, tx)
    )
    return (a + b + c, b - c - d)
  }

  /// Writes `even[0], odd[0], even[1], odd[1], …` into the first `width` floats of `row`.
  @inline(__always)
  private static func winogradInterleave(
    _ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, _ row: UnsafeMutablePointer<Float>,
    _ width: Int
  ) {
    var x = 0
    while 2 * x + 8 <= width {
      let (e, o) = (SIMDRows.load(even, x), SIMDRows.load(odd, x))
      SIMDRows.store(SIMD4(e[0], o[0], e[1], o[1]), row, 2 * x)
      SIMDRows.store(SIMD4(e[2], o[2], e[3], o[3]), row, 2 * x + 4)
      x += 4
    }
    while 2 * x + 1 < width {
      row[2 * x] = even[x]
      row[2 * x + 1] = odd[x]
      x += 1
    }
    if width & 1 == 1 { row[width - 1] = even[width / 2] }
  }
}
