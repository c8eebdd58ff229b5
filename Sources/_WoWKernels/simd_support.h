// Shared by the C kernels (private to _WoWKernels): run-time CPU checks and an 8x8
// register transpose. Kernels using AVX2 are compiled with function-level target
// attributes and chosen at run time with these checks, so no compiler flags are needed.
#ifndef WOW_SIMD_SUPPORT_H
#define WOW_SIMD_SUPPORT_H

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WOW_X86 1
#else
#define WOW_X86 0
#endif

/// 1 when the CPU has AVX2 (and, for the second, FMA), 0 otherwise (always 0 off x86).
/// Computed once; cached with relaxed atomics (every thread computes the same value).
int wow_cpu_has_avx2(void);
int wow_cpu_has_avx2_fma(void);

#if WOW_X86
/// Transposes eight rows of eight 32-bit lanes in registers: out[j] lane i = in[i]
/// lane j (24 shuffles).
__attribute__((target("avx2")))
static inline void wow_transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    // Lanes of each 128-bit half: u0 = (r0[0], r1[0], r2[0], r3[0]), ...
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}
#endif

#endif
