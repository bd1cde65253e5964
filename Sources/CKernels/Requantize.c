#include "CKernels.h"

// TFLite's int8 requantization of a convolution's int32 accumulators, 16 at a time on AVX-512F: the same
// integer operations as `FixedPoint.multiplyByQuantizedMultiplier` (gemmlowp's double rounding, or the
// single rounding of TFLITE_SINGLE_ROUNDING builds), so every output equals the scalar one.

#if defined(__x86_64__)
#include <immintrin.h>

#define JSK_AVX512 __attribute__((target("avx512f")))

/// `SaturatingRoundingDoublingHighMul(x, multiplier)` for the even 32-bit lanes of `x` (held in the low
/// half of each 64-bit lane), the result in the low half: `(x * m + nudge) / 2^31` truncated toward zero.
JSK_AVX512 static inline __m512i high_mul_even(__m512i x, __m512i m) {
  const __m512i product = _mm512_mul_epi32(x, m);
  const __m512i zero = _mm512_setzero_si512();
  const __mmask8 negative = _mm512_cmplt_epi64_mask(product, zero);
  const __m512i nudge =
      _mm512_mask_blend_epi64(negative, _mm512_set1_epi64(1LL << 30), _mm512_set1_epi64(1 - (1LL << 30)));
  __m512i sum = _mm512_add_epi64(product, nudge);
  // Division truncating toward zero: add 2^31 - 1 to negative sums before the arithmetic shift.
  sum = _mm512_mask_add_epi64(sum, _mm512_cmplt_epi64_mask(sum, zero), sum, _mm512_set1_epi64((1LL << 31) - 1));
  return _mm512_srai_epi64(sum, 31);
}

/// `(x * m + 2^(total - 1)) >> total` (64-bit, arithmetic) for the even 32-bit lanes of `x`.
JSK_AVX512 static inline __m512i single_even(__m512i x, __m512i m, __m512i round, __m128i total) {
  return _mm512_sra_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, m), round), total);
}

JSK_AVX512 static void requantize_avx512(
    const int32_t *acc, long count, int32_t bias, int32_t multiplier, int shift, int32_t zero_point,
    int32_t low, int32_t high, int single_rounding, int8_t *output) {
  const __m512i m = _mm512_set1_epi32(multiplier);
  const __m512i biases = _mm512_set1_epi32(bias);
  const __m512i zeros = _mm512_set1_epi32(zero_point);
  const __m512i lows = _mm512_set1_epi32(low), highs = _mm512_set1_epi32(high);
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const __m128i left_count = _mm_cvtsi32_si128(left), right_count = _mm_cvtsi32_si128(right);
  const int total = 31 - shift;
  const __m128i total_count = _mm_cvtsi32_si128(total);
  const __m512i round = _mm512_set1_epi64(total > 0 ? 1LL << (total - 1) : 0);
  const __m512i mask = _mm512_set1_epi32((int32_t)((1LL << right) - 1));
  const __m512i half_mask = _mm512_srai_epi32(mask, 1);
  const __m512i one = _mm512_set1_epi32(1);
  for (long i = 0; i < count; i += 16) {
    const long left_over = count - i;
    const __mmask16 lanes = left_over >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left_over) - 1);
    __m512i x = _mm512_add_epi32(_mm512_maskz_loadu_epi32(lanes, acc + i), biases);
    __m512i even, odd;
    if (single_rounding) {
      even = single_even(x, m, round, total_count);
      odd = single_even(_mm512_srli_epi64(x, 32), m, round, total_count);
    } else {
      x = _mm512_sll_epi32(x, left_count);
      even = high_mul_even(x, m);
      odd = high_mul_even(_mm512_srli_epi64(x, 32), m);
    }
    __m512i v = _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, _mm512_slli_epi64(odd, 32));
    if (!single_rounding && right > 0) {
      // RoundingDivideByPOT: round half away from zero.
      const __m512i remainder = _mm512_and_si512(v, mask);
      const __mmask16 negative = _mm512_cmplt_epi32_mask(v, _mm512_setzero_si512());
      const __m512i threshold = _mm512_mask_add_epi32(half_mask, negative, half_mask, one);
      v = _mm512_sra_epi32(v, right_count);
      v = _mm512_mask_add_epi32(v, _mm512_cmpgt_epi32_mask(remainder, threshold), v, one);
    }
    v = _mm512_add_epi32(v, zeros);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lows), highs);
    _mm512_mask_cvtepi32_storeu_epi8(output + i, lanes, v);
  }
}
#endif

void jsk_requantize_int8(
    const int32_t *acc, long count, int32_t bias, int32_t multiplier, int shift, int32_t zero_point,
    int32_t low, int32_t high, int single_rounding, int8_t *output) {
#if defined(__x86_64__)
  requantize_avx512(acc, count, bias, multiplier, shift, zero_point, low, high, single_rounding, output);
#endif
}
