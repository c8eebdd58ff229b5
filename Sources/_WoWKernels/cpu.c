// Run-time CPU feature checks for the kernels' AVX2 / FMA paths (see simd_support.h).
#include "simd_support.h"

static int avx2_known = -1, avx2_fma_known = -1;

static int check(int *cache, int want_fma) {
#if WOW_X86
    int known = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && (!want_fma || __builtin_cpu_supports("fma"));
        __atomic_store_n(cache, known, __ATOMIC_RELAXED);
    }
    return known;
#else
    (void)cache; (void)want_fma;
    return 0;
#endif
}

int wow_cpu_has_avx2(void) { return check(&avx2_known, 0); }
int wow_cpu_has_avx2_fma(void) { return check(&avx2_fma_known, 1); }
