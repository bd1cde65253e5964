#include "CKernels.h"
#include "VectorActivation.h"

// The copies around a batched convolution GEMM: `N x C x P` samples to `C x (N * P)` columns and back.
// With the small planes that batching is for (4 x 4: P = 16) every row is one AVX-512 vector, where a
// generic copy call per row costs more than the copy.

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static void batch_to_columns_avx512(
    const float *x, float *columns, long batch, long channels, long plane) {
  long wide = batch * plane;
  __mmask16 tail = (__mmask16)(plane % 16 == 0 ? 0xFFFF : (1u << (plane % 16)) - 1);
  long last = (plane - 1) / 16 * 16;  // where the last (maybe partial) vector of a row starts
  for (long n = 0; n < batch; n++) {
    for (long c = 0; c < channels; c++) {
      const float *source = x + (n * channels + c) * plane;
      float *destination = columns + c * wide + n * plane;
      for (long p = 0; p < last; p += 16) _mm512_storeu_ps(destination + p, _mm512_loadu_ps(source + p));
      _mm512_mask_storeu_ps(destination + last, tail, _mm512_maskz_loadu_ps(tail, source + last));
    }
  }
}

__attribute__((target("avx512f"))) static void columns_to_batch_avx512(
    const float *columns, float *y, long batch, long channels, long plane, const float *bias,
    jsk_activation activation, float low, float high) {
  long wide = batch * plane;
  __mmask16 tail = (__mmask16)(plane % 16 == 0 ? 0xFFFF : (1u << (plane % 16)) - 1);
  long last = (plane - 1) / 16 * 16;
  const __m512 lows = _mm512_set1_ps(low);
  const __m512 highs = _mm512_set1_ps(high);
  for (long n = 0; n < batch; n++) {
    for (long c = 0; c < channels; c++) {
      const float *source = columns + c * wide + n * plane;
      float *destination = y + (n * channels + c) * plane;
      // Adding a zero bias would turn -0 into +0; with no bias the values pass through.
      if (bias) {
        const __m512 b = _mm512_set1_ps(bias[c]);
        for (long p = 0; p < last; p += 16) {
          __m512 v = _mm512_add_ps(_mm512_loadu_ps(source + p), b);
          _mm512_storeu_ps(destination + p, jsk_activate(v, activation, lows, highs));
        }
        __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(tail, source + last), b);
        _mm512_mask_storeu_ps(destination + last, tail, jsk_activate(v, activation, lows, highs));
      } else {
        for (long p = 0; p < last; p += 16) {
          _mm512_storeu_ps(destination + p, jsk_activate(_mm512_loadu_ps(source + p), activation, lows, highs));
        }
        __m512 v = _mm512_maskz_loadu_ps(tail, source + last);
        _mm512_mask_storeu_ps(destination + last, tail, jsk_activate(v, activation, lows, highs));
      }
    }
  }
}
#endif

void jsk_batch_to_columns(const float *x, float *columns, long batch, long channels, long plane) {
#if defined(__x86_64__)
  if (plane > 0) batch_to_columns_avx512(x, columns, batch, channels, plane);
#else
  (void)x, (void)columns, (void)batch, (void)channels, (void)plane;
#endif
}

void jsk_columns_to_batch(
    const float *columns, float *y, long batch, long channels, long plane, const float *bias,
    jsk_activation activation, float low, float high) {
#if defined(__x86_64__)
  if (plane > 0) columns_to_batch_avx512(columns, y, batch, channels, plane, bias, activation, low, high);
#else
  (void)columns, (void)y, (void)batch, (void)channels, (void)plane, (void)bias, (void)activation, (void)low;
  (void)high;
#endif
}
