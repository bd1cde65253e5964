#include "CKernels.h"
#include "VectorActivation.h"

// A square (3 x 3 or 5 x 5) depthwise convolution on AVX-512 without padding copies. Output planes are
// computed 16 consecutive outputs at a time; each tap is one load of 16 consecutive input floats at a
// fixed offset, with the lanes whose input lies in the padding masked out. Consecutive outputs read
// consecutive inputs when the input rows have `out_width` floats: true for stride 1 with "same" padding,
// and for stride 2 once the input plane is split into four phase planes by row and column parity (each
// `out_width` wide). A 4 x 4 plane is one vector, an 8 x 8 plane four, whatever the row length, where a
// row-by-row kernel would spend its time on partial vectors and padding. One body serves every kernel
// size; it is inlined once per supported size so that the tap loops unroll and the weights stay in
// registers.

/// Where tap `k` reads: the phase plane and the offset (in rows and columns of the output plane) of the
/// input an output reads.
typedef struct {
  long phase, dy, dx;
} jsk_tap;

static long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static jsk_tap tap_of(const jsk_depthwise_geometry *g, long k) {
  long ry = k / g->kernel - g->pad_top;
  long rx = k % g->kernel - g->pad_left;
  long s = g->stride;
  jsk_tap t;
  t.dy = floor_div(ry, s);
  t.dx = floor_div(rx, s);
  t.phase = (ry - t.dy * s) * s + (rx - t.dx * s);
  return t;
}

/// The rows of each phase plane (stride 2) or of the input plane (stride 1).
static long phase_rows(const jsk_depthwise_geometry *g) { return (g->in_height + g->stride - 1) / g->stride; }

/// The 16-output vectors of one output plane.
static long vector_count(const jsk_depthwise_geometry *g) { return (g->out_height * g->out_width + 15) / 16; }

/// The kernels this file runs: 3 x 3 and 5 x 5, so at most 25 taps.
#define JSK_MAX_TAPS 25

static long tap_count(const jsk_depthwise_geometry *g) { return g->kernel * g->kernel; }

long jsk_depthwise_mask_count(const jsk_depthwise_geometry *g) { return vector_count(g) * tap_count(g); }

int jsk_depthwise_prepare(const jsk_depthwise_geometry *g, uint16_t *masks) {
  long s = g->stride;
  if (g->kernel != 3 && g->kernel != 5) return 0;
  if (s < 1 || s > 2 || g->out_height < 1 || g->out_width < 1) return 0;
  if (s == 1 && g->in_width != g->out_width) return 0;
  long count = jsk_depthwise_mask_count(g);
  for (long i = 0; i < count; i++) masks[i] = 0;
  long taps_per_output = tap_count(g);
  jsk_tap taps[JSK_MAX_TAPS];
  for (long k = 0; k < taps_per_output; k++) taps[k] = tap_of(g, k);
  long rows = phase_rows(g);
  long o = 0;  // output index: bit o % 16 of the masks of vector o / 16
  for (long oy = 0; oy < g->out_height; oy++) {
    for (long ox = 0; ox < g->out_width; ox++, o++) {
      uint16_t *m = masks + (o >> 4) * taps_per_output;
      for (long k = 0; k < taps_per_output; k++) {
        long iy = oy * s + k / g->kernel - g->pad_top;
        long ix = ox * s + k % g->kernel - g->pad_left;
        if (iy < 0 || iy >= g->in_height || ix < 0 || ix >= g->in_width) continue;
        long y = oy + taps[k].dy, x = ox + taps[k].dx;
        if (x < 0 || x >= g->out_width || y < 0 || y >= rows) return 0;
        m[k] |= (uint16_t)(1u << (o & 15));
      }
    }
  }
  return 1;
}

/// Floats kept before and after the phase planes so that whole-vector loads near their ends stay in the
/// scratch.
#define JSK_MARGIN 64

long jsk_depthwise_scratch(const jsk_depthwise_geometry *g) {
  return g->stride == 2 ? 4 * phase_rows(g) * g->out_width + 2 * JSK_MARGIN : 0;
}

#if defined(__x86_64__)
/// The first `count` lanes (all for 16 or more, none for 0 or fewer).
__attribute__((target("avx512f"))) static __mmask16 first_lanes(long count) {
  return (__mmask16)(count <= 0 ? 0 : count >= 16 ? 0xFFFF : (1u << count) - 1);
}

/// Splits one input plane into four phase planes (row parity * 2 + column parity), `out_width` wide:
/// 32 input floats of a row at a time become 16 even and 16 odd ones with two permutes.
__attribute__((target("avx512f"))) static void split_phases(
    const jsk_depthwise_geometry *g, const float *source, float *phases) {
  long width = g->out_width;
  long plane = phase_rows(g) * width;
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  long even_count = (g->in_width + 1) / 2 < width ? (g->in_width + 1) / 2 : width;
  long odd_count = g->in_width / 2 < width ? g->in_width / 2 : width;
  for (long x = 0; 2 * x < g->in_width; x += 16) {
    long left = g->in_width - 2 * x;  // input floats from column 2x on
    __mmask16 low_mask = first_lanes(left);
    __mmask16 high_mask = first_lanes(left - 16);
    __mmask16 even_mask = first_lanes(even_count - x);
    __mmask16 odd_mask = first_lanes(odd_count - x);
    for (long y = 0; y < g->in_height; y++) {
      const float *input = source + y * g->in_width + 2 * x;
      float *even = phases + (y & 1) * 2 * plane + (y >> 1) * width + x;
      __m512 low = _mm512_maskz_loadu_ps(low_mask, input);
      __m512 high = _mm512_maskz_loadu_ps(high_mask, input + 16);
      _mm512_mask_storeu_ps(even, even_mask, _mm512_permutex2var_ps(low, evens, high));
      _mm512_mask_storeu_ps(even + plane, odd_mask, _mm512_permutex2var_ps(low, odds, high));
    }
  }
}

/// Output channels `[first, last)` of every sample with a `kernel x kernel` kernel; `kernel` is a
/// constant wherever this is inlined.
__attribute__((target("avx512f"), always_inline)) static inline void depthwise_avx512(
    const jsk_depthwise_geometry *g, const uint16_t *masks, const float *input, const float *weight,
    const float *bias, float *output, long first, long last, jsk_activation activation, float low, float high,
    float *scratch, const long kernel) {
  const long taps = kernel * kernel;
  float *phases = scratch + JSK_MARGIN;
  long count = vector_count(g);
  long plane = g->out_height * g->out_width;
  long in_plane = g->in_height * g->in_width;
  long phase_plane = phase_rows(g) * g->out_width;
  long multiplier = g->out_channels / g->in_channels;
  long offsets[JSK_MAX_TAPS];
  long lowest = 0, highest = 0;  // the range of the tap offsets
  for (long k = 0; k < taps; k++) {
    jsk_tap t = tap_of(g, k);
    offsets[k] = t.phase * phase_plane + t.dy * g->out_width + t.dx;
    if (offsets[k] < lowest) lowest = offsets[k];
    if (offsets[k] > highest) highest = offsets[k];
  }
  // A vector whose loads all stay inside memory that is read anyway (the input tensor, or the phase
  // planes with their margins) loads whole vectors and masks the multiply-add, which is faster; the
  // others (the first and last planes of the input) load with masks, which cannot fault.
  long readable = g->stride == 2 ? 4 * phase_plane + JSK_MARGIN : g->batch * g->in_channels * in_plane;
  long readable_before = g->stride == 2 ? JSK_MARGIN : 0;
  __mmask16 tail = first_lanes(plane - (count - 1) * 16);
  const __m512 lows = _mm512_set1_ps(low);
  const __m512 highs = _mm512_set1_ps(high);
  // Channel by channel, so that the weights are loaded once for the whole batch: on the small planes of
  // late layers (a 3 x 3 plane is one vector) loading them per plane costs as much as the taps.
  for (long c = first; c < last; c++) {
    const float *w = weight + c * taps;
    __m512 weights[JSK_MAX_TAPS];
#pragma clang loop unroll(full)
    for (long k = 0; k < taps; k++) weights[k] = _mm512_set1_ps(w[k]);
    const __m512 b = _mm512_set1_ps(bias ? bias[c] : 0.0f);
    long channel = c / multiplier;
    for (long n = 0; n < g->batch; n++) {
      long source_plane = n * g->in_channels + channel;
      const float *source = input + source_plane * in_plane;
      long base = source_plane * in_plane;  // where `source` starts in the readable memory
      if (g->stride == 2) {
        split_phases(g, source, phases);
        source = phases;
        base = 0;
      }
      float *destination = output + (n * g->out_channels + c) * plane;
      for (long v = 0; v < count; v++) {
        const uint16_t *m = masks + v * taps;
        const float *at = source + v * 16;
        __m512 sum = b;
        long start = base + v * 16;
        if (start + lowest >= -readable_before && start + highest + 16 <= readable) {
#pragma clang loop unroll(full)
          for (long k = 0; k < taps; k++) {
            sum = _mm512_mask3_fmadd_ps(weights[k], _mm512_loadu_ps(at + offsets[k]), sum, m[k]);
          }
        } else {
#pragma clang loop unroll(full)
          for (long k = 0; k < taps; k++) {
            sum = _mm512_fmadd_ps(weights[k], _mm512_maskz_loadu_ps(m[k], at + offsets[k]), sum);
          }
        }
        sum = jsk_activate(sum, activation, lows, highs);
        _mm512_mask_storeu_ps(destination + v * 16, v == count - 1 ? tail : 0xFFFF, sum);
      }
    }
  }
}

__attribute__((target("avx512f"))) static void depthwise3x3_avx512(
    const jsk_depthwise_geometry *g, const uint16_t *masks, const float *input, const float *weight,
    const float *bias, float *output, long first, long last, jsk_activation activation, float low, float high,
    float *scratch) {
  depthwise_avx512(g, masks, input, weight, bias, output, first, last, activation, low, high, scratch, 3);
}

__attribute__((target("avx512f"))) static void depthwise5x5_avx512(
    const jsk_depthwise_geometry *g, const uint16_t *masks, const float *input, const float *weight,
    const float *bias, float *output, long first, long last, jsk_activation activation, float low, float high,
    float *scratch) {
  depthwise_avx512(g, masks, input, weight, bias, output, first, last, activation, low, high, scratch, 5);
}
#endif

void jsk_depthwise(
    const jsk_depthwise_geometry *g, const uint16_t *masks, const float *input, const float *weight,
    const float *bias, float *output, long first, long last, jsk_activation activation, float low, float high,
    float *scratch) {
#if defined(__x86_64__)
  if (g->kernel == 3) {
    depthwise3x3_avx512(g, masks, input, weight, bias, output, first, last, activation, low, high, scratch);
  } else if (g->kernel == 5) {
    depthwise5x5_avx512(g, masks, input, weight, bias, output, first, last, activation, low, high, scratch);
  }
#else
  (void)g, (void)masks, (void)input, (void)weight, (void)bias, (void)output, (void)first, (void)last;
  (void)activation, (void)low, (void)high, (void)scratch;
#endif
}
