#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "CKernels.h"

// The int8 convolution GEMM on AVX-512 VNNI: `vpdpbusd` multiplies 4 unsigned bytes by 4 signed bytes and
// adds the 4 products to a 32-bit lane, 64 multiply-adds per instruction, exactly. Activations enter as
// `x + 128` (unsigned), weights as they are; the `128 + zero point` that shift adds to every product is
// taken out by starting each row's accumulators at `-(128 + zero point) * sum of its weights`.

int jsk_int8_dot_supported(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni")) return 1;
#endif
  return 0;
}

/// One im2col row (channel plane `source`, tap `ky, kx`) as `x + 128` bytes, contiguous: `plane` bytes.
static void unsigned_row(
    const int8_t *source, const jsk_im2col_geometry *g, long ky, long kx, uint8_t pad, uint8_t *row) {
  const long ow = g->out_width;
  // Output columns whose input column lies inside the row: [low, high).
  const long shift = g->pad_left - kx * g->dilation_width;  // ix = ox * stride - shift
  long low = shift <= 0 ? 0 : (shift + g->stride_width - 1) / g->stride_width;
  const long last = g->in_width - 1 + shift;
  long high = last < 0 ? 0 : (last / g->stride_width + 1 < ow ? last / g->stride_width + 1 : ow);
  if (low > high) low = high;
  for (long oy = 0; oy < g->out_height; oy++) {
    const long iy = oy * g->stride_height - g->pad_top + ky * g->dilation_height;
    uint8_t *out = row + oy * ow;
    if (iy < 0 || iy >= g->in_height) {
      memset(out, pad, (size_t)ow);
      continue;
    }
    const int8_t *line = source + iy * g->in_width - shift;
    for (long ox = 0; ox < low; ox++) out[ox] = pad;
    if (g->stride_width == 1) {
      for (long ox = low; ox < high; ox++) out[ox] = (uint8_t)line[ox] ^ 0x80;
    } else {
      for (long ox = low; ox < high; ox++) out[ox] = (uint8_t)line[ox * g->stride_width] ^ 0x80;
    }
    for (long ox = high; ox < ow; ox++) out[ox] = pad;
  }
}

/// Interleaves 4 rows of `count` bytes: `packed[n * 4 + j] = rows[j][n]`.
static void interleave4(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2, const uint8_t *r3, long count,
                        uint8_t *packed) {
  long n = 0;
#if defined(__x86_64__)
  for (; n + 16 <= count; n += 16) {
    const __m128i a0 = _mm_loadu_si128((const __m128i *)(r0 + n)), a1 = _mm_loadu_si128((const __m128i *)(r1 + n));
    const __m128i a2 = _mm_loadu_si128((const __m128i *)(r2 + n)), a3 = _mm_loadu_si128((const __m128i *)(r3 + n));
    const __m128i lo01 = _mm_unpacklo_epi8(a0, a1), hi01 = _mm_unpackhi_epi8(a0, a1);
    const __m128i lo23 = _mm_unpacklo_epi8(a2, a3), hi23 = _mm_unpackhi_epi8(a2, a3);
    __m128i *out = (__m128i *)(packed + n * 4);
    _mm_storeu_si128(out, _mm_unpacklo_epi16(lo01, lo23));
    _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(lo01, lo23));
    _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(hi01, hi23));
    _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(hi01, hi23));
  }
#endif
  for (; n < count; n++) {
    packed[n * 4] = r0[n];
    packed[n * 4 + 1] = r1[n];
    packed[n * 4 + 2] = r2[n];
    packed[n * 4 + 3] = r3[n];
  }
}

long jsk_int8_dot_columns_scratch(const jsk_im2col_geometry *g) {
  return 4 * g->out_height * g->out_width;
}

void jsk_int8_dot_columns(
    const int8_t *x, const jsk_im2col_geometry *g, int8_t zero_point, uint8_t *packed, long ldb,
    long column, uint8_t *scratch) {
  const uint8_t pad = (uint8_t)zero_point ^ 0x80;
  const long plane = g->out_height * g->out_width;
  const long taps = g->kernel_height * g->kernel_width;
  const long depth = g->channels * taps;
  uint8_t *rows[4] = {scratch, scratch + plane, scratch + 2 * plane, scratch + 3 * plane};
  for (long k4 = 0; k4 * 4 < depth; k4++) {
    for (long j = 0; j < 4; j++) {
      const long k = k4 * 4 + j;
      if (k >= depth) {
        // Rows past the depth meet zero weights; they are written so nothing is unset.
        memset(rows[j], 0, (size_t)plane);
        continue;
      }
      const long c = k / taps, ky = (k % taps) / g->kernel_width, kx = k % g->kernel_width;
      unsigned_row(x + c * g->in_height * g->in_width, g, ky, kx, pad, rows[j]);
    }
    interleave4(rows[0], rows[1], rows[2], rows[3], plane, packed + (k4 * ldb + column) * 4);
  }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define JSK_VNNI __attribute__((target("avx512f,avx512vnni")))

/// The 4 weights of row `r` at depth step `k` (4 bytes) broadcast to every lane.
JSK_VNNI static inline __m512i weights4(const int8_t *a, long lda, long r, long k) {
  int32_t v;
  memcpy(&v, a + r * lda + k * 4, 4);
  return _mm512_set1_epi32(v);
}

/// Rows `[m, m + 8)` times the 32 columns at `b`.
JSK_VNNI static void block8(
    long depth4, const int8_t *a, long lda, const uint8_t *b, long ldb, int32_t *c, long ldc,
    const int32_t *start, __mmask16 m0, __mmask16 m1) {
  __m512i acc[8][2];
  for (int r = 0; r < 8; r++) {
    acc[r][0] = _mm512_set1_epi32(start ? start[r] : 0);
    acc[r][1] = acc[r][0];
  }
  for (long k = 0; k < depth4; k++) {
    const __m512i b0 = _mm512_maskz_loadu_epi32(m0, b + k * ldb * 4);
    const __m512i b1 = _mm512_maskz_loadu_epi32(m1, b + k * ldb * 4 + 64);
#pragma clang loop unroll(full)
    for (int r = 0; r < 8; r++) {
      const __m512i w = weights4(a, lda, r, k);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], b0, w);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], b1, w);
    }
  }
  for (int r = 0; r < 8; r++) {
    _mm512_mask_storeu_epi32(c + r * ldc, m0, acc[r][0]);
    _mm512_mask_storeu_epi32(c + r * ldc + 16, m1, acc[r][1]);
  }
}

/// One row times the 32 columns at `b`.
JSK_VNNI static void block1(
    long depth4, const int8_t *a, const uint8_t *b, long ldb, int32_t *c, int32_t start, __mmask16 m0,
    __mmask16 m1) {
  __m512i acc0 = _mm512_set1_epi32(start), acc1 = acc0;
  for (long k = 0; k < depth4; k++) {
    const __m512i w = weights4(a, 0, 0, k);
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_maskz_loadu_epi32(m0, b + k * ldb * 4), w);
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_maskz_loadu_epi32(m1, b + k * ldb * 4 + 64), w);
  }
  _mm512_mask_storeu_epi32(c, m0, acc0);
  _mm512_mask_storeu_epi32(c + 16, m1, acc1);
}

JSK_VNNI static void gemm_vnni(
    long m_count, long n_count, long depth4, const int8_t *a, const uint8_t *b, long ldb, int32_t *c, long ldc,
    const int32_t *start) {
  const long lda = depth4 * 4;
  // Columns outermost: the packed columns of one block (depth4 x 128 bytes) stay in cache for every row.
  for (long n = 0; n < n_count; n += 32) {
    const long left = n_count - n;
    const __mmask16 m0 = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    const __mmask16 m1 =
        left >= 32 ? (__mmask16)0xFFFF : (left <= 16 ? (__mmask16)0 : (__mmask16)((1u << (left - 16)) - 1));
    const uint8_t *columns = b + n * 4;
    long m = 0;
    for (; m + 8 <= m_count; m += 8) {
      block8(depth4, a + m * lda, lda, columns, ldb, c + m * ldc + n, ldc, start ? start + m : 0, m0, m1);
    }
    for (; m < m_count; m++) {
      block1(depth4, a + m * lda, columns, ldb, c + m * ldc + n, start ? start[m] : 0, m0, m1);
    }
  }
}
#endif

void jsk_int8_dot_gemm(
    long m_count, long n_count, long depth4, const int8_t *a, const uint8_t *b, long ldb, int32_t *c, long ldc,
    const int32_t *start) {
#if defined(__x86_64__)
  gemm_vnni(m_count, n_count, depth4, a, b, ldb, c, ldc, start);
#endif
}
