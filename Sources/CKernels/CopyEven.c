#include "CKernels.h"

// im2col of a stride-2 convolution copies every other float of an input row; as a scalar loop that was
// most of the first convolution's time in small CNNs. Here 32 input floats become 16 with one permute.

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static __mmask16 first_lanes(long count) {
  return (__mmask16)(count <= 0 ? 0 : count >= 16 ? 0xFFFF : (1u << count) - 1);
}

__attribute__((target("avx512f"))) static void copy_even_avx512(const float *source, float *destination, long count) {
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  long floats = 2 * count - 1;  // source floats read
  for (long i = 0; i < count; i += 16) {
    long left = floats - 2 * i;
    __m512 low = _mm512_maskz_loadu_ps(first_lanes(left), source + 2 * i);
    __m512 high = _mm512_maskz_loadu_ps(first_lanes(left - 16), source + 2 * i + 16);
    _mm512_mask_storeu_ps(destination + i, first_lanes(count - i), _mm512_permutex2var_ps(low, evens, high));
  }
}
#endif

void jsk_copy_even(const float *source, float *destination, long count) {
#if defined(__x86_64__)
  copy_even_avx512(source, destination, count);
#else
  for (long i = 0; i < count; i++) destination[i] = source[2 * i];
#endif
}
