#include "CKernels.h"

// A matrix product whose columns are 16-float vectors found where they lie, so that a 1 x 1 convolution
// over NCHW samples needs no copies: with a plane of 16 * V floats, sample n's column vector v of input
// channel k is at `x + n * x_sample + k * x_row + 16 * v`, and the output vector of channel m at
// `y + n * y_sample + m * y_row + 16 * v`. The whole batch is one product, however small each plane (a
// 4 x 4 plane is one vector), and the bias and activation are applied as the results are stored.
//
// Tiles of 6 output channels x 4 column vectors keep 24 sums in registers; each step of the inner
// product loads 4 input vectors and broadcasts 6 weights (read in place from the row-major weight).
// Column tiles are the outer loop, so one tile's inputs stay in cache while every weight row passes
// (splitting the inner product into cache-sized chunks measured no faster, even at depth 1024).

#define JSK_TILE_ROWS 6
#define JSK_TILE_VECTORS 4

#if defined(__x86_64__)
#include <immintrin.h>

#include "VectorActivation.h"

/// One tile: `rows` output channels from `m` on, for the column vectors at `in[0..<vectors]` (input
/// channel 0 of each) into `out[0..<vectors]` (output channel 0 of each); `biases[v]` is the bias vector
/// of column `v` when the bias is per column. Inlined with constant `rows` and `vectors`, so the sums stay
/// in registers (the bias and the activation run in loops of their own: branching on them per sum made
/// the compiler keep the sums in memory).
__attribute__((target("avx512f"), always_inline)) static inline void tile(
    const jsk_pointwise_geometry *g, const float *weight, const float *bias, long m, int rows, int vectors,
    const float *const *in, float *const *out, const float *const *biases,
    jsk_activation activation, __m512 lows, __m512 highs) {
  __m512 sums[JSK_TILE_ROWS][JSK_TILE_VECTORS];
  for (int r = 0; r < rows; r++)
    for (int v = 0; v < vectors; v++) sums[r][v] = _mm512_setzero_ps();
  const float *w = weight + m * g->depth;
  for (long k = 0; k < g->depth; k++) {
    __m512 x[JSK_TILE_VECTORS];
    for (int v = 0; v < vectors; v++) x[v] = _mm512_loadu_ps(in[v] + k * g->x_row);
    for (int r = 0; r < rows; r++) {
      __m512 b = _mm512_set1_ps(w[r * g->depth + k]);
      for (int v = 0; v < vectors; v++) sums[r][v] = _mm512_fmadd_ps(b, x[v], sums[r][v]);
    }
  }
  // Adding a zero bias would turn -0 into +0; with no bias the sums pass through.
  if (bias && g->bias_per_column) {
    for (int v = 0; v < vectors; v++) {
      __m512 b = _mm512_loadu_ps(biases[v]);
      for (int r = 0; r < rows; r++) sums[r][v] = _mm512_add_ps(sums[r][v], b);
    }
  } else if (bias) {
    for (int r = 0; r < rows; r++) {
      __m512 b = _mm512_set1_ps(bias[m + r]);
      for (int v = 0; v < vectors; v++) sums[r][v] = _mm512_add_ps(sums[r][v], b);
    }
  }
  for (int r = 0; r < rows; r++)
    for (int v = 0; v < vectors; v++)
      _mm512_storeu_ps(out[v] + (m + r) * g->y_row, jsk_activate(sums[r][v], activation, lows, highs));
}

#define JSK_TILE_CASE(R, V) \
  case (R) * 8 + (V): \
    tile(g, weight, bias, m, R, V, in, out, biases, activation, lows, highs); \
    break;

#define JSK_TILE_ROW_CASES(R) JSK_TILE_CASE(R, 1) JSK_TILE_CASE(R, 2) JSK_TILE_CASE(R, 3) JSK_TILE_CASE(R, 4)

__attribute__((target("avx512f"))) static void pointwise_avx512(
    const jsk_pointwise_geometry *g, const float *x, const float *weight, const float *bias, float *y,
    long first, long last, jsk_activation activation, float low, float high) {
  const __m512 lows = _mm512_set1_ps(low);
  const __m512 highs = _mm512_set1_ps(high);
  for (long j = first; j < last; j += JSK_TILE_VECTORS) {
    int vectors = (int)(last - j < JSK_TILE_VECTORS ? last - j : JSK_TILE_VECTORS);
    const float *in[JSK_TILE_VECTORS];
    float *out[JSK_TILE_VECTORS];
    const float *biases[JSK_TILE_VECTORS];
    for (int v = 0; v < vectors; v++) {
      long n = (j + v) / g->vectors, p = (j + v) % g->vectors * 16;
      in[v] = x + n * g->x_sample + p;
      out[v] = y + n * g->y_sample + p;
      biases[v] = bias ? bias + p : bias;
    }
    for (long m = 0; m < g->rows; m += JSK_TILE_ROWS) {
      int rows = (int)(g->rows - m < JSK_TILE_ROWS ? g->rows - m : JSK_TILE_ROWS);
      switch (rows * 8 + vectors) {
        JSK_TILE_ROW_CASES(1)
        JSK_TILE_ROW_CASES(2)
        JSK_TILE_ROW_CASES(3)
        JSK_TILE_ROW_CASES(4)
        JSK_TILE_ROW_CASES(5)
        JSK_TILE_ROW_CASES(6)
        default: break;
      }
    }
  }
}
#endif

void jsk_pointwise(
    const jsk_pointwise_geometry *g, const float *x, const float *weight, const float *bias, float *y,
    long first, long last, jsk_activation activation, float low, float high) {
#if defined(__x86_64__)
  pointwise_avx512(g, x, weight, bias, y, first, last, activation, low, high);
#else
  (void)g, (void)x, (void)weight, (void)bias, (void)y, (void)first, (void)last, (void)activation, (void)low;
  (void)high;
#endif
}
