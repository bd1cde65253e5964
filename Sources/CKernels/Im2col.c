#include "CKernels.h"

// The im2col matrix of one sample on AVX-512: each output row is written 16 outputs at a time from one
// load (stride 1) or two loads and an even-lane shuffle (stride 2), the lanes whose input lies in the
// padding zeroed. The loads are plain, clamped to lie inside the input row, and the shuffle's indices
// are shifted by the clamp: masked loads reaching past a row's ends ran three times slower on this
// processor, and the scalar walk with a fill on each side of every row cost more than the GEMM after it
// for a first convolution with 3 input channels. Rows narrower than one load's span (16 or 32 floats)
// use masked loads.

#if defined(__x86_64__)
#include <immintrin.h>

/// Lanes `[low, high)` of a 32-lane mask (none when empty).
static inline uint32_t lane_range(long low, long high) {
  if (low < 0) low = 0;
  if (high > 32) high = 32;
  if (high <= low) return 0;
  uint64_t bits = ((uint64_t)1 << high) - ((uint64_t)1 << low);
  return (uint32_t)bits;
}

/// `ceil(a / b)` for `b > 0`.
static inline long ceil_div(long a, long b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

__attribute__((target("avx512f"))) static void im2col_avx512(
    const jsk_im2col_geometry *g, const float *input, float *columns, long row_stride) {
  const __m512 zero = _mm512_setzero_ps();
  const long s = g->stride_width;
  const long span = 16 * s;  // input floats one chunk of 16 outputs reads
  // Lane l picks element s * l of the span.
  const __m512i picks = s == 1 ? _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
                               : _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  float *row = columns;
  for (long c = 0; c < g->channels; c++) {
    const float *plane = input + c * g->in_height * g->in_width;
    for (long ky = 0; ky < g->kernel_height; ky++) {
      for (long kx = 0; kx < g->kernel_width; kx++) {
        long offset = kx * g->dilation_width - g->pad_left;  // ix = ox * s + offset
        for (long ox = 0; ox < g->out_width; ox += 16) {
          long lanes = g->out_width - ox < 16 ? g->out_width - ox : 16;
          __mmask16 store = (__mmask16)((1u << lanes) - 1);
          long first = ox * s + offset;  // the input column of lane 0
          // Lanes whose input column first + s * l lies inside the row.
          __mmask16 inside = (__mmask16)(lane_range(ceil_div(-first, s), ceil_div(g->in_width - first, s)) & store);
          int clamped = g->in_width >= span;
          long base = first < 0 ? 0 : first > g->in_width - span ? g->in_width - span : first;
          __m512i picks_here = _mm512_add_epi32(picks, _mm512_set1_epi32((int)(first - base)));
          // Without clamping: element e of the span kept where it lies inside the row.
          uint32_t valid = lane_range(-first, g->in_width - first) & lane_range(0, s * lanes);
          for (long oy = 0; oy < g->out_height; oy++) {
            float *destination = row + oy * g->out_width + ox;
            long iy = oy * g->stride_height - g->pad_top + ky * g->dilation_height;
            if (iy < 0 || iy >= g->in_height) {
              _mm512_mask_storeu_ps(destination, store, zero);
              continue;
            }
            const float *source = plane + iy * g->in_width;
            __m512 v;
            if (clamped && s == 1) {
              v = _mm512_maskz_permutexvar_ps(inside, picks_here, _mm512_loadu_ps(source + base));
            } else if (clamped) {
              __m512 low = _mm512_loadu_ps(source + base);
              __m512 high = _mm512_loadu_ps(source + base + 16);
              v = _mm512_maskz_permutex2var_ps(inside, low, picks_here, high);
            } else if (s == 1) {
              v = _mm512_maskz_loadu_ps((__mmask16)valid, source + first);
            } else {
              __m512 low = _mm512_maskz_loadu_ps((__mmask16)valid, source + first);
              __m512 high = _mm512_maskz_loadu_ps((__mmask16)(valid >> 16), source + first + 16);
              v = _mm512_permutex2var_ps(low, picks, high);
            }
            _mm512_mask_storeu_ps(destination, store, v);
          }
        }
        row += row_stride;
      }
    }
  }
}
#endif

int jsk_im2col_supported(const jsk_im2col_geometry *g) { return g->stride_width == 1 || g->stride_width == 2; }

void jsk_im2col(const jsk_im2col_geometry *g, const float *input, float *columns, long row_stride) {
#if defined(__x86_64__)
  if (jsk_im2col_supported(g)) im2col_avx512(g, input, columns, row_stride);
#else
  (void)g, (void)input, (void)columns, (void)row_stride;
#endif
}
