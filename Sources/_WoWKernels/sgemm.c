// Packed, cache-blocked single-precision GEMM with a 6x16 register-tiled micro-kernel.
// The AVX2+FMA kernel is compiled with a function-level target attribute and chosen at
// run time, so no compiler flags are needed (the package stays usable as a versioned
// dependency, where SwiftPM forbids unsafeFlags).
#include "wow_kernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WOW_X86 1
#else
#define WOW_X86 0
#endif

enum { MR = 6, NR = 16, KC = 256, MC = 120, NC = 2048 };

static inline float elem_a(const float *a, int lda, int trans, int i, int p) {
    return trans ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
}

// Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row panels, zero-padded:
// buf[(panel * kc + p) * MR + r].
static void pack_a(int mc, int kc, const float *a, int lda, int trans, int i0, int p0, float *buf) {
    int panels = (mc + MR - 1) / MR;
    for (int q = 0; q < panels; q++) {
        float *dst = buf + (size_t)q * kc * MR;
        int rows = mc - q * MR < MR ? mc - q * MR : MR;
        if (!trans) {
            for (int r = 0; r < MR; r++) {
                if (r < rows) {
                    const float *src = a + (size_t)(i0 + q * MR + r) * lda + p0;
                    for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
                } else {
                    for (int p = 0; p < kc; p++) dst[p * MR + r] = 0.0f;
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                const float *src = a + (size_t)(p0 + p) * lda + i0 + q * MR;
                for (int r = 0; r < MR; r++) dst[p * MR + r] = r < rows ? src[r] : 0.0f;
            }
        }
    }
}

// Packs rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column panels:
// buf[(panel * kc + p) * NR + c].
static void pack_b(int kc, int nc, const float *b, int ldb, int trans, int p0, int j0, float *buf) {
    int panels = (nc + NR - 1) / NR;
    for (int q = 0; q < panels; q++) {
        float *dst = buf + (size_t)q * kc * NR;
        int cols = nc - q * NR < NR ? nc - q * NR : NR;
        if (!trans) {
            for (int p = 0; p < kc; p++) {
                const float *src = b + (size_t)(p0 + p) * ldb + j0 + q * NR;
                int c = 0;
                for (; c < cols; c++) dst[p * NR + c] = src[c];
                for (; c < NR; c++) dst[p * NR + c] = 0.0f;
            }
        } else {
            for (int c = 0; c < NR; c++) {
                if (c < cols) {
                    const float *src = b + (size_t)(j0 + q * NR + c) * ldb + p0;
                    for (int p = 0; p < kc; p++) dst[p * NR + c] = src[p];
                } else {
                    for (int p = 0; p < kc; p++) dst[p * NR + c] = 0.0f;
                }
            }
        }
    }
}

// Portable micro-kernel: C[0:rows, 0:cols] += alpha * Apanel * Bpanel.
static void kernel_generic(int kc, const float *ap, const float *bp, float *c, int ldc,
                           float alpha, int rows, int cols) {
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int p = 0; p < kc; p++) {
        const float *bv = bp + p * NR;
        for (int r = 0; r < MR; r++) {
            float av = ap[p * MR + r];
            for (int j = 0; j < NR; j++) acc[r][j] += av * bv[j];
        }
    }
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) c[(size_t)r * ldc + j] += alpha * acc[r][j];
}

#if WOW_X86
__attribute__((target("avx2,fma")))
static void kernel_fma(int kc, const float *ap, const float *bp, float *c, int ldc,
                       float alpha, int rows, int cols) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(bp + p * NR), b1 = _mm256_loadu_ps(bp + p * NR + 8);
        const float *a = ap + p * MR;
        // One broadcast register at a time: 12 accumulators + 2 B vectors + 1 A value
        // fit the 16 ymm registers without spills.
        __m256 av;
        av = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
        av = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
        av = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
        av = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
        av = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
        av = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
    }
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    __m256 va = _mm256_set1_ps(alpha);
    if (rows == MR && cols == NR) {
        for (int r = 0; r < MR; r++) {
            float *cr = c + (size_t)r * ldc;
            _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, acc[r][0], _mm256_loadu_ps(cr)));
            _mm256_storeu_ps(cr + 8, _mm256_fmadd_ps(va, acc[r][1], _mm256_loadu_ps(cr + 8)));
        }
    } else {
        float tile[MR][NR];
        for (int r = 0; r < MR; r++) {
            _mm256_storeu_ps(tile[r], acc[r][0]);
            _mm256_storeu_ps(tile[r] + 8, acc[r][1]);
        }
        // Same rounding as the full-tile path: one fused multiply-add per element.
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) {
                float *e = c + (size_t)r * ldc + j;
                *e = __builtin_fmaf(alpha, tile[r][j], *e);
            }
    }
}

static int detect_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

static int use_fma = -1;

int wow_sgemm_uses_fma(void) {
#if WOW_X86
    if (use_fma < 0) use_fma = detect_fma();
    return use_fma;
#else
    return 0;
#endif
}

size_t wow_sgemm_packed_b_count(int kc, int nc) {
    return (size_t)kc * (size_t)(((nc + NR - 1) / NR) * NR);
}

size_t wow_sgemm_packed_a_count(int kc) {
    return (size_t)kc * (size_t)(((MC + MR - 1) / MR) * MR);
}

void wow_sgemm_pack_b(int kc, int nc, const float *b, int ldb, int trans_b, int p0, int j0, float *packed) {
    pack_b(kc, nc, b, ldb, trans_b, p0, j0, packed);
}

void wow_sgemm_block(int rows, int cols, int kc, float alpha,
                     const float *a, int lda, int trans_a, int i0, int p0,
                     const float *packed_b, int col0, float *c, int ldc, float *packed_a) {
    int fma = wow_sgemm_uses_fma();
    (void)fma;
    for (int ib = 0; ib < rows; ib += MC) {
        int mc = rows - ib < MC ? rows - ib : MC;
        pack_a(mc, kc, a, lda, trans_a, i0 + ib, p0, packed_a);
        for (int jr = 0; jr < cols; jr += NR) {
            int nr = cols - jr < NR ? cols - jr : NR;
            const float *bp = packed_b + (size_t)((col0 + jr) / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = mc - ir < MR ? mc - ir : MR;
                const float *ap = packed_a + (size_t)(ir / MR) * kc * MR;
                float *cp = c + (size_t)(ib + ir) * ldc + jr;
#if WOW_X86
                if (fma) { kernel_fma(kc, ap, bp, cp, ldc, alpha, mr, nr); continue; }
#endif
                kernel_generic(kc, ap, bp, cp, ldc, alpha, mr, nr);
            }
        }
    }
}

void wow_sgemm(int m, int n, int k, float alpha,
               const float *a, int lda, int trans_a,
               const float *b, int ldb, int trans_b,
               float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    for (int i = 0; i < m; i++) {
        float *row = c + (size_t)i * ldc;
        if (beta == 0.0f) memset(row, 0, sizeof(float) * (size_t)n);
        else if (beta != 1.0f) for (int j = 0; j < n; j++) row[j] *= beta;
    }
    if (k <= 0 || alpha == 0.0f) return;
    int fma = wow_sgemm_uses_fma();
    int kc_max = k < KC ? k : KC;
    int nc_max = n < NC ? n : NC;
    float *bufb = aligned_alloc(64, (((size_t)kc_max * (((nc_max + NR - 1) / NR) * NR) * sizeof(float)) + 63) / 64 * 64);
    float *bufa = aligned_alloc(64, (((size_t)kc_max * (((MC + MR - 1) / MR) * MR) * sizeof(float)) + 63) / 64 * 64);
    if (!bufa || !bufb) {
        // Out of memory for the packing buffers: fall back to the naive triple loop.
        free(bufa); free(bufb);
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) {
                float av = alpha * elem_a(a, lda, trans_a, i, p);
                for (int j = 0; j < n; j++)
                    c[(size_t)i * ldc + j] += av * (trans_b ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j]);
            }
        return;
    }
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = k - p0 < KC ? k - p0 : KC;
            pack_b(kc, nc, b, ldb, trans_b, p0, j0, bufb);
            for (int i0 = 0; i0 < m; i0 += MC) {
                int mc = m - i0 < MC ? m - i0 : MC;
                pack_a(mc, kc, a, lda, trans_a, i0, p0, bufa);
                for (int jr = 0; jr < nc; jr += NR) {
                    int cols = nc - jr < NR ? nc - jr : NR;
                    const float *bp = bufb + (size_t)(jr / NR) * kc * NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = mc - ir < MR ? mc - ir : MR;
                        const float *ap = bufa + (size_t)(ir / MR) * kc * MR;
                        float *cp = c + (size_t)(i0 + ir) * ldc + j0 + jr;
#if WOW_X86
                        if (fma) { kernel_fma(kc, ap, bp, cp, ldc, alpha, rows, cols); continue; }
#endif
                        kernel_generic(kc, ap, bp, cp, ldc, alpha, rows, cols);
                    }
                }
            }
        }
    }
    free(bufa);
    free(bufb);
}
