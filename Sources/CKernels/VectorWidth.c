#include "CKernels.h"

int jsk_vector_width(void) {
#if defined(__x86_64__)
  // __builtin_cpu_supports also checks that the operating system saves the AVX-512 registers.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 16;
#endif
  return 0;
}
