#ifndef JUMPSTATION_VECTOR_ACTIVATION_H
#define JUMPSTATION_VECTOR_ACTIVATION_H

// The fused activations of the AVX-512 kernels, shared by the C files that include this header. Each
// rounds as Swift's `Activation.apply` does (separate multiply and add, no fused multiply-add), so a fused
// activation gives the bits of the Swift pass it replaces.

#if defined(__x86_64__)
#include <immintrin.h>

#include "CKernels.h"

/// `activation` on 16 lanes; `lows` and `highs` bound the clip. Comparisons are ordered, so a NaN passes
/// through every activation, as in Swift.
__attribute__((target("avx512f"), always_inline)) static inline __m512 jsk_activate(
    __m512 v, jsk_activation activation, __m512 lows, __m512 highs) {
  const __m512 zero = _mm512_setzero_ps();
  if (activation == jsk_relu) return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), zero, v);
  if (activation == jsk_clip) {
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, lows, _CMP_LT_OQ), v, lows);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, highs, _CMP_GT_OQ), v, highs);
  }
  if (activation == jsk_hardswish) {
    // v * clamp(v / 6 + 1 / 2, 0, 1), the gate computed as `v * (1 / 6) + 0.5` in two roundings.
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 t = _mm512_add_ps(_mm512_mul_ps(v, _mm512_set1_ps(1.0f / 6.0f)), _mm512_set1_ps(0.5f));
    t = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(t, zero, _CMP_LT_OQ), t, zero);
    t = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(t, one, _CMP_GT_OQ), t, one);
    return _mm512_mul_ps(v, t);
  }
  return v;
}
#endif

#endif
