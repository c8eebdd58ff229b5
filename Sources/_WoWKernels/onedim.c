// The 1-D passes of the sliced kernels over sorted projections: costs and gradients of
// the monotone plan between samples of one size, several partners per pass. AVX2+FMA
// versions chosen at run time (no compiler flags), portable C otherwise. Both keep
// eight lanes per sum and add them in the same fixed order, so results depend only on
// the inputs and on which version the CPU runs.
#include "wow_kernels.h"
#include "simd_support.h"
#include <math.h>

// Lanes 0..7 added pairwise: ((0+4)+(2+6)) + ((1+5)+(3+7)).
static inline float lane_sum(const float v[8]) {
    float a = v[0] + v[4], b = v[1] + v[5], c = v[2] + v[6], d = v[3] + v[7];
    return (a + c) + (b + d);
}

static inline float slice_cost(float d, int absolute) { return absolute ? fabsf(d) : d * d; }
static inline float slice_derivative(float d, int absolute) {
    return absolute ? (d > 0 ? 1.0f : (d < 0 ? -1.0f : 0.0f)) : 2.0f * d;
}

static void equal_size_costs_c(const float *s, int n, const float *const *t, int count, int absolute, float *costs) {
    for (int p = 0; p < count; p++) {
        float lanes[8] = {0};
        int k = 0;
        for (; k + 8 <= n; k += 8)
            for (int q = 0; q < 8; q++) lanes[q] += slice_cost(s[k + q] - t[p][k + q], absolute);
        float total = lane_sum(lanes);
        for (; k < n; k++) total += slice_cost(s[k] - t[p][k], absolute);
        costs[p] = total;
    }
}

// One partner's term added to g: fma(c, sign(d), g) or fma(2c, d, g) (doubling is
// exact). Every version adds exactly this, so fused and pair-by-pair sums agree.
static inline float gradient_term(float g, float c, float d, int absolute) {
    return absolute ? fmaf(c, slice_derivative(d, 1), g) : fmaf(2.0f * c, d, g);
}

static void sum_gradients_c(const float *s, int n, const float *const *t, const float *coefficients, int count,
                            int absolute, float *out) {
    for (int k = 0; k < n; k++) {
        float sum = 0;
        for (int p = 0; p < count; p++) sum = gradient_term(sum, coefficients[p], s[k] - t[p][k], absolute);
        out[k] = sum;
    }
}

#if WOW_X86
#define WOW_PASS_TARGET __attribute__((target("avx2,fma")))

WOW_PASS_TARGET static inline float lane_sum_avx(__m256 v) {
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    return lane_sum(lanes);
}

WOW_PASS_TARGET static inline __m256 cost8(__m256 d, int absolute) {
    return absolute ? _mm256_andnot_ps(_mm256_set1_ps(-0.0f), d) : _mm256_mul_ps(d, d);
}

WOW_PASS_TARGET static void equal_size_costs_avx2(const float *s, int n, const float *const *t, int count, int absolute,
                                                  float *costs) {
    int p = 0;
    for (; p + 4 <= count; p += 4) {
        const float *t0 = t[p], *t1 = t[p + 1], *t2 = t[p + 2], *t3 = t[p + 3];
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        int k = 0;
        for (; k + 8 <= n; k += 8) {
            __m256 x = _mm256_loadu_ps(s + k);
            __m256 d0 = _mm256_sub_ps(x, _mm256_loadu_ps(t0 + k)), d1 = _mm256_sub_ps(x, _mm256_loadu_ps(t1 + k));
            __m256 d2 = _mm256_sub_ps(x, _mm256_loadu_ps(t2 + k)), d3 = _mm256_sub_ps(x, _mm256_loadu_ps(t3 + k));
            if (absolute) {
                a0 = _mm256_add_ps(a0, cost8(d0, 1)); a1 = _mm256_add_ps(a1, cost8(d1, 1));
                a2 = _mm256_add_ps(a2, cost8(d2, 1)); a3 = _mm256_add_ps(a3, cost8(d3, 1));
            } else {
                a0 = _mm256_fmadd_ps(d0, d0, a0); a1 = _mm256_fmadd_ps(d1, d1, a1);
                a2 = _mm256_fmadd_ps(d2, d2, a2); a3 = _mm256_fmadd_ps(d3, d3, a3);
            }
        }
        float c0 = lane_sum_avx(a0), c1 = lane_sum_avx(a1), c2 = lane_sum_avx(a2), c3 = lane_sum_avx(a3);
        for (; k < n; k++) {
            c0 += slice_cost(s[k] - t0[k], absolute); c1 += slice_cost(s[k] - t1[k], absolute);
            c2 += slice_cost(s[k] - t2[k], absolute); c3 += slice_cost(s[k] - t3[k], absolute);
        }
        costs[p] = c0; costs[p + 1] = c1; costs[p + 2] = c2; costs[p + 3] = c3;
    }
    for (; p < count; p++) {
        // The same chain as above, one partner.
        const float *t0 = t[p];
        __m256 a0 = _mm256_setzero_ps();
        int k = 0;
        for (; k + 8 <= n; k += 8) {
            __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(s + k), _mm256_loadu_ps(t0 + k));
            a0 = absolute ? _mm256_add_ps(a0, cost8(d0, 1)) : _mm256_fmadd_ps(d0, d0, a0);
        }
        float c0 = lane_sum_avx(a0);
        for (; k < n; k++) c0 += slice_cost(s[k] - t0[k], absolute);
        costs[p] = c0;
    }
}

// One partner's term, eight lanes: fma(c, sign(d), sum) with sign(0) = 0, or
// fma(2c, d, sum) (c2 holds c or 2c).
WOW_PASS_TARGET static inline __m256 term8(__m256 sum, __m256 c2, __m256 d, int absolute) {
    if (absolute) {
        const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
        d = _mm256_and_ps(_mm256_or_ps(_mm256_and_ps(d, sign), one), _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_NEQ_OQ));
    }
    return _mm256_fmadd_ps(c2, d, sum);
}

// out[k] = sum_p coefficients[p] c'(s_k - t_p[k]); squared cost: sum_p (2 c_p)(s_k - t_p[k])
// (doubling is exact), one FMA per partner. Four blocks of eight at a time, so four
// independent chains hide the FMA latency (each element's terms still in partner order).
WOW_PASS_TARGET static inline void sum_gradients_body(const float *s, int n, const float *const *t, const float *coefficients,
                                                      int count, int absolute, float *out) {
    int k = 0;
    for (; k + 32 <= n; k += 32) {
        __m256 x0 = _mm256_loadu_ps(s + k), x1 = _mm256_loadu_ps(s + k + 8);
        __m256 x2 = _mm256_loadu_ps(s + k + 16), x3 = _mm256_loadu_ps(s + k + 24);
        __m256 sum0 = _mm256_setzero_ps(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
        for (int p = 0; p < count; p++) {
            const float *tp = t[p] + k;
            __m256 c2 = _mm256_set1_ps(absolute ? coefficients[p] : 2.0f * coefficients[p]);
            sum0 = term8(sum0, c2, _mm256_sub_ps(x0, _mm256_loadu_ps(tp)), absolute);
            sum1 = term8(sum1, c2, _mm256_sub_ps(x1, _mm256_loadu_ps(tp + 8)), absolute);
            sum2 = term8(sum2, c2, _mm256_sub_ps(x2, _mm256_loadu_ps(tp + 16)), absolute);
            sum3 = term8(sum3, c2, _mm256_sub_ps(x3, _mm256_loadu_ps(tp + 24)), absolute);
        }
        _mm256_storeu_ps(out + k, sum0); _mm256_storeu_ps(out + k + 8, sum1);
        _mm256_storeu_ps(out + k + 16, sum2); _mm256_storeu_ps(out + k + 24, sum3);
    }
    for (; k + 8 <= n; k += 8) {
        __m256 x0 = _mm256_loadu_ps(s + k), sum0 = _mm256_setzero_ps();
        for (int p = 0; p < count; p++) {
            __m256 c2 = _mm256_set1_ps(absolute ? coefficients[p] : 2.0f * coefficients[p]);
            sum0 = term8(sum0, c2, _mm256_sub_ps(x0, _mm256_loadu_ps(t[p] + k)), absolute);
        }
        _mm256_storeu_ps(out + k, sum0);
    }
    for (; k < n; k++) {
        float sum = 0;
        for (int p = 0; p < count; p++) sum = gradient_term(sum, coefficients[p], s[k] - t[p][k], absolute);
        out[k] = sum;
    }
}

// The cost flag as a constant in each copy, so the inner loops carry no branch.
WOW_PASS_TARGET static void sum_gradients_avx2(const float *s, int n, const float *const *t, const float *coefficients,
                                               int count, int absolute, float *out) {
    if (absolute) sum_gradients_body(s, n, t, coefficients, count, 1, out);
    else sum_gradients_body(s, n, t, coefficients, count, 0, out);
}

WOW_PASS_TARGET static void add_gradient_avx2(const float *s, int n, const float *t, float coefficient, int absolute,
                                              float *g) {
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    const __m256 c = _mm256_set1_ps(absolute ? coefficient : 2.0f * coefficient);
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(s + k), _mm256_loadu_ps(t + k));
        if (absolute)
            d = _mm256_and_ps(_mm256_or_ps(_mm256_and_ps(d, sign), one), _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_NEQ_OQ));
        _mm256_storeu_ps(g + k, _mm256_fmadd_ps(c, d, _mm256_loadu_ps(g + k)));
    }
    for (; k < n; k++) g[k] = gradient_term(g[k], coefficient, s[k] - t[k], absolute);
}

#endif

static inline int passes_use_avx(void) { return wow_cpu_has_avx2_fma(); }

void wow_equal_size_costs(const float *s, int n, const float *const *partners, int count, int absolute, float *costs) {
#if WOW_X86
    if (passes_use_avx()) { equal_size_costs_avx2(s, n, partners, count, absolute, costs); return; }
#endif
    equal_size_costs_c(s, n, partners, count, absolute, costs);
}

void wow_add_equal_size_gradient(const float *s, int n, const float *t, float coefficient, int absolute, float *g) {
#if WOW_X86
    if (passes_use_avx()) { add_gradient_avx2(s, n, t, coefficient, absolute, g); return; }
#endif
    for (int k = 0; k < n; k++) g[k] = gradient_term(g[k], coefficient, s[k] - t[k], absolute);
}

void wow_sum_equal_size_gradients(const float *s, int n, const float *const *partners, const float *coefficients,
                                  int count, int absolute, float *out) {
#if WOW_X86
    if (passes_use_avx()) { sum_gradients_avx2(s, n, partners, coefficients, count, absolute, out); return; }
#endif
    sum_gradients_c(s, n, partners, coefficients, count, absolute, out);
}
