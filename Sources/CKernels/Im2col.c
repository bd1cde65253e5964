#include "CKernels.h"

// The im2col matrix of one sample on AVX-512: each output row is written 16 outputs at a time, from one
// masked load (stride 1) or two masked loads and an even-lane shuffle (stride 2), the lanes whose input
// lies in the padding masked to zero. The scalar walk with a fill on each side of every row costs more
// than the GEMM after it for a first convolution with 3 input channels.

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

__attribute__((target("avx512f"))) static void im2col_avx512(
    const jsk_im2col_geometry *g, const float *input, float *columns, long row_stride) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512i evens = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  float *row = columns;
  long s = g->stride_width;
  for (long c = 0; c < g->channels; c++) {
    const float *plane = input + c * g->in_height * g->in_width;
    for (long ky = 0; ky < g->kernel_height; ky++) {
      for (long kx = 0; kx < g->kernel_width; kx++) {
        long offset = kx * g->dilation_width - g->pad_left;  // ix = ox * s + offset
        for (long oy = 0; oy < g->out_height; oy++) {
          float *destination = row + oy * g->out_width;
          long iy = oy * g->stride_height - g->pad_top + ky * g->dilation_height;
          int inside = iy >= 0 && iy < g->in_height;
          const float *source = plane + (inside ? iy : 0) * g->in_width;
          for (long ox = 0; ox < g->out_width; ox += 16) {
            long lanes = g->out_width - ox < 16 ? g->out_width - ox : 16;
            __mmask16 store = (__mmask16)((1u << lanes) - 1);
            if (!inside) {
              _mm512_mask_storeu_ps(destination + ox, store, zero);
              continue;
            }
            long first = ox * s + offset;  // the input column of lane 0
            // Input columns first + e for e in [0, s * lanes), kept where they lie inside the row.
            uint32_t valid = lane_range(-first, g->in_width - first) & lane_range(0, s * lanes);
            __m512 v;
            if (s == 1) {
              v = _mm512_maskz_loadu_ps((__mmask16)valid, source + first);
            } else {
              __m512 low = _mm512_maskz_loadu_ps((__mmask16)valid, source + first);
              __m512 high = _mm512_maskz_loadu_ps((__mmask16)(valid >> 16), source + first + 16);
              v = _mm512_permutex2var_ps(low, evens, high);
            }
            _mm512_mask_storeu_ps(destination + ox, store, v);
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
