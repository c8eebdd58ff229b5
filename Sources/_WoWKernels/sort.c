// Sorting networks for rows of a few hundred floats: a bitonic network on 8-lane AVX2
// registers; the argsort carries each key's index in the low bits of its key. Compiled
// with a function-level target attribute and used only when the CPU has AVX2 (checked
// at run time), so the package needs no compiler flags.
//
// Keys are sorted as signed 32-bit integers: a float's bits b map to
// b ^ ((b >> 31) & 0x7FFFFFFF), which orders like the floats (-0 before +0; NaN must
// not occur). The row is padded (to 8, 16, or a power of two P >= 64) with INT32_MAX, above
// the image of +inf, so the padding sorts last. The network is the bitonic sort written
// with "flip" stages, every comparator sending the smaller key to the lower position:
// for each block size k = 2, 4, ..., P, element i of a block is compared with element
// k - 1 - i, then with i + j for j = k/4, ..., 1. Comparisons at distances of 8 or more
// compare whole registers; the others compare the lanes of one register with a fixed
// permutation of itself.
//
// Packed words are distinct (their low bits are distinct indices) and equal full keys
// keep their index order through the finishing pass, so the result is the stable sort,
// the same permutation a stable radix sort gives.
#include "wow_kernels.h"
#include "simd_support.h"
#include <stdint.h>
#include <string.h>

#if WOW_X86

static inline int32_t ordered_image(float key) {
    int32_t b;
    memcpy(&b, &key, sizeof b);
    return b ^ ((b >> 31) & 0x7FFFFFFF);
}

static inline float float_from_image(int32_t s) {
    int32_t b = s ^ ((s >> 31) & 0x7FFFFFFF);
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

#define WOW_SORT_TARGET __attribute__((target("avx2"))) static inline

// One within-register stage: every lane meets the lane given by the permutation (an
// involution); lanes set in `lower` keep the minimum.
#define LANE_STAGE_KEYS(k, PERM, lower)                                        \
    do {                                                                       \
        __m256i kp_ = PERM(k);                                                 \
        k = _mm256_blend_epi32(_mm256_max_epi32(k, kp_), _mm256_min_epi32(k, kp_), lower); \
    } while (0)

#define SWAP1(v) _mm256_shuffle_epi32(v, 0xB1)                        /* i ^ 1 */
#define SWAP2(v) _mm256_shuffle_epi32(v, 0x4E)                        /* i ^ 2 */
#define REV4(v) _mm256_shuffle_epi32(v, 0x1B)                         /* i ^ 3 */
#define SWAP4(v) _mm256_permute4x64_epi64(v, 0x4E)                    /* i ^ 4 */
#define REV8(v) _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0)) /* i ^ 7 */

// Register comparator: a gets the minima, b the maxima.
#define PAIR_STAGE_KEYS(a, b)                                                  \
    do {                                                                       \
        __m256i lo_ = _mm256_min_epi32(a, b);                                  \
        b = _mm256_max_epi32(a, b); a = lo_;                                   \
    } while (0)

// Sorts the 8 lanes of one register (k = 2, 4, 8).
#define SORT8_KEYS(k)                                                          \
    do {                                                                       \
        LANE_STAGE_KEYS(k, SWAP1, 0x55);                                       \
        LANE_STAGE_KEYS(k, REV4, 0x33);                                        \
        LANE_STAGE_KEYS(k, SWAP1, 0x55);                                       \
        LANE_STAGE_KEYS(k, REV8, 0x0F);                                        \
        LANE_STAGE_KEYS(k, SWAP2, 0x33);                                       \
        LANE_STAGE_KEYS(k, SWAP1, 0x55);                                       \
    } while (0)

// The within-register half-cleaners j = 4, 2, 1 (after every register-level stage).
#define CLEAN8_KEYS(k)                                                         \
    do {                                                                       \
        LANE_STAGE_KEYS(k, SWAP4, 0x0F);                                       \
        LANE_STAGE_KEYS(k, SWAP2, 0x33);                                       \
        LANE_STAGE_KEYS(k, SWAP1, 0x55);                                       \
    } while (0)

// The 8x8 transpose on integer lanes.
WOW_SORT_TARGET void transpose8i(__m256i r[8]) {
    __m256 f[8];
    for (int i = 0; i < 8; i++) f[i] = _mm256_castsi256_ps(r[i]);
    wow_transpose8(f);
    for (int i = 0; i < 8; i++) r[i] = _mm256_castps_si256(f[i]);
}

// The flip comparator between a and the lane-reversed b.
#define FLIP_KEYS(a, b)                                                        \
    do {                                                                       \
        __m256i rb_ = REV8(b);                                                 \
        __m256i lo_ = _mm256_min_epi32(a, rb_);                                \
        b = REV8(_mm256_max_epi32(a, rb_)); a = lo_;                           \
    } while (0)

// Sorts 64 keys (eight registers) in registers: the optimal 19-comparator network on
// the columns, a transpose (each register then sorted), and the bitonic merges of
// 16, 32 and 64 keys. Same result as the network's first stages, fewer operations.
WOW_SORT_TARGET void block64_keys(__m256i *K) {
    __m256i r[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_si256(K + i);
    PAIR_STAGE_KEYS(r[0], r[2]); PAIR_STAGE_KEYS(r[1], r[3]); PAIR_STAGE_KEYS(r[4], r[6]); PAIR_STAGE_KEYS(r[5], r[7]);
    PAIR_STAGE_KEYS(r[0], r[4]); PAIR_STAGE_KEYS(r[1], r[5]); PAIR_STAGE_KEYS(r[2], r[6]); PAIR_STAGE_KEYS(r[3], r[7]);
    PAIR_STAGE_KEYS(r[0], r[1]); PAIR_STAGE_KEYS(r[2], r[3]); PAIR_STAGE_KEYS(r[4], r[5]); PAIR_STAGE_KEYS(r[6], r[7]);
    PAIR_STAGE_KEYS(r[2], r[4]); PAIR_STAGE_KEYS(r[3], r[5]);
    PAIR_STAGE_KEYS(r[1], r[4]); PAIR_STAGE_KEYS(r[3], r[6]);
    PAIR_STAGE_KEYS(r[1], r[2]); PAIR_STAGE_KEYS(r[3], r[4]); PAIR_STAGE_KEYS(r[5], r[6]);
    transpose8i(r);
    // 16: registers in pairs.
    FLIP_KEYS(r[0], r[1]); FLIP_KEYS(r[2], r[3]); FLIP_KEYS(r[4], r[5]); FLIP_KEYS(r[6], r[7]);
    for (int i = 0; i < 8; i++) CLEAN8_KEYS(r[i]);
    // 32: registers in fours.
    FLIP_KEYS(r[0], r[3]); FLIP_KEYS(r[1], r[2]); FLIP_KEYS(r[4], r[7]); FLIP_KEYS(r[5], r[6]);
    PAIR_STAGE_KEYS(r[0], r[1]); PAIR_STAGE_KEYS(r[2], r[3]); PAIR_STAGE_KEYS(r[4], r[5]); PAIR_STAGE_KEYS(r[6], r[7]);
    for (int i = 0; i < 8; i++) CLEAN8_KEYS(r[i]);
    // 64: all eight.
    FLIP_KEYS(r[0], r[7]); FLIP_KEYS(r[1], r[6]); FLIP_KEYS(r[2], r[5]); FLIP_KEYS(r[3], r[4]);
    PAIR_STAGE_KEYS(r[0], r[2]); PAIR_STAGE_KEYS(r[1], r[3]); PAIR_STAGE_KEYS(r[4], r[6]); PAIR_STAGE_KEYS(r[5], r[7]);
    PAIR_STAGE_KEYS(r[0], r[1]); PAIR_STAGE_KEYS(r[2], r[3]); PAIR_STAGE_KEYS(r[4], r[5]); PAIR_STAGE_KEYS(r[6], r[7]);
    for (int i = 0; i < 8; i++) { CLEAN8_KEYS(r[i]); _mm256_storeu_si256(K + i, r[i]); }
}

// The last stages of a merge, in registers, on each block of eight registers: the
// half-cleaners at distances 4, 2 and 1 register, then within registers.
WOW_SORT_TARGET void clean64_keys(__m256i *K) {
    __m256i r[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_si256(K + i);
    PAIR_STAGE_KEYS(r[0], r[4]); PAIR_STAGE_KEYS(r[1], r[5]); PAIR_STAGE_KEYS(r[2], r[6]); PAIR_STAGE_KEYS(r[3], r[7]);
    PAIR_STAGE_KEYS(r[0], r[2]); PAIR_STAGE_KEYS(r[1], r[3]); PAIR_STAGE_KEYS(r[4], r[6]); PAIR_STAGE_KEYS(r[5], r[7]);
    PAIR_STAGE_KEYS(r[0], r[1]); PAIR_STAGE_KEYS(r[2], r[3]); PAIR_STAGE_KEYS(r[4], r[5]); PAIR_STAGE_KEYS(r[6], r[7]);
    for (int i = 0; i < 8; i++) { CLEAN8_KEYS(r[i]); _mm256_storeu_si256(K + i, r[i]); }
}

// Keys only: v registers, v = 1, 2 or a power of two >= 8.
WOW_SORT_TARGET void network_keys(int32_t *keys, int v) {
    __m256i *K = (__m256i *)keys;
    if (v < 8) {
        // Rows of 8 or 16 keys: one or two registers.
        __m256i a = _mm256_loadu_si256(K);
        SORT8_KEYS(a);
        if (v == 2) {
            __m256i b = _mm256_loadu_si256(K + 1);
            SORT8_KEYS(b);
            FLIP_KEYS(a, b);
            CLEAN8_KEYS(a);
            CLEAN8_KEYS(b);
            _mm256_storeu_si256(K + 1, b);
        }
        _mm256_storeu_si256(K, a);
        return;
    }
    for (int r = 0; r < v; r += 8) block64_keys(K + r);
    for (int kv = 16; kv <= v; kv *= 2) {
        for (int base = 0; base < v; base += kv) {
            for (int r = 0; r < kv / 2; r++) {
                __m256i a = _mm256_loadu_si256(K + base + r), b = _mm256_loadu_si256(K + base + kv - 1 - r);
                FLIP_KEYS(a, b);
                _mm256_storeu_si256(K + base + r, a); _mm256_storeu_si256(K + base + kv - 1 - r, b);
            }
        }
        for (int jv = kv / 4; jv >= 8; jv /= 2) {
            for (int base = 0; base < v; base += 2 * jv) {
                for (int r = base; r < base + jv; r++) {
                    __m256i a = _mm256_loadu_si256(K + r), b = _mm256_loadu_si256(K + r + jv);
                    PAIR_STAGE_KEYS(a, b);
                    _mm256_storeu_si256(K + r, a); _mm256_storeu_si256(K + r + jv, b);
                }
            }
        }
        for (int r = 0; r < v; r += 8) clean64_keys(K + r);
    }
}

// The low log2(P) bits of each key image are replaced by the key's index, and only these
// packed words go through the network. Truncation is monotone, so the words come out
// ordered by (truncated key, index); one stable insertion pass on the full keys then
// finishes the order. That pass only moves keys within runs of equal truncated keys
// (21 or more leading bits equal, rare for real projections). When it would shift more
// than 4 keys per key on average, the keys are restored (from the images kept in
// index_scratch) and 0 is returned: the caller's radix sort takes the row, in O(n).
__attribute__((target("avx2")))
static int argsort_avx2(float *keys, int32_t *order, int n, int32_t *key_scratch, int32_t *index_scratch) {
    int p = wow_sort_network_padded_count(n);
    int32_t low = p - 1;
    for (int i = 0; i < n; i++) {
        int32_t image = ordered_image(keys[i]);
        index_scratch[i] = image;
        key_scratch[i] = (image & ~low) | i;
    }
    for (int i = n; i < p; i++) key_scratch[i] = INT32_MAX;
    network_keys(key_scratch, p / 8);
    // Unpack: the index from the low bits, the full key from index_scratch (a lookup),
    // written back as floats, noting any place where the full keys are out of order.
    const __m256i low_v = _mm256_set1_epi32(low), magnitude = _mm256_set1_epi32(0x7FFFFFFF);
    const __m256i previous_lanes = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6);
    __m256i previous = _mm256_set1_epi32(INT32_MIN), disorder = _mm256_setzero_si256();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i index = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(key_scratch + i)), low_v);
        _mm256_storeu_si256((__m256i *)(order + i), index);
        // Scalar loads (AVX2 gathers measured slower on the EPYC).
        int32_t at[8];
        _mm256_storeu_si256((__m256i *)at, index);
        __m256i image = _mm256_setr_epi32(index_scratch[at[0]], index_scratch[at[1]], index_scratch[at[2]],
                                          index_scratch[at[3]], index_scratch[at[4]], index_scratch[at[5]],
                                          index_scratch[at[6]], index_scratch[at[7]]);
        __m256i before = _mm256_blend_epi32(_mm256_permutevar8x32_epi32(image, previous_lanes), previous, 0x01);
        disorder = _mm256_or_si256(disorder, _mm256_cmpgt_epi32(before, image));
        previous = _mm256_permutevar8x32_epi32(image, _mm256_set1_epi32(7));
        _mm256_storeu_si256((__m256i *)(key_scratch + i), image);
        __m256i bits = _mm256_xor_si256(image, _mm256_and_si256(_mm256_srai_epi32(image, 31), magnitude));
        _mm256_storeu_si256((__m256i *)(keys + i), bits);
    }
    int unordered = _mm256_movemask_epi8(disorder) != 0;
    int32_t last = _mm256_extract_epi32(previous, 0);
    for (; i < n; i++) {
        int32_t index = key_scratch[i] & low;
        order[i] = index;
        int32_t image = index_scratch[index];
        unordered |= i > 0 && last > image;
        last = image;
        key_scratch[i] = image;
        keys[i] = float_from_image(image);
    }
    if (!unordered) return 1;
    long budget = 4L * n;
    for (int i = 1; i < n; i++) {
        int32_t key = key_scratch[i];
        if (key_scratch[i - 1] <= key) continue;
        int32_t index = order[i];
        int j = i - 1;
        while (j >= 0 && key_scratch[j] > key) {
            key_scratch[j + 1] = key_scratch[j];
            order[j + 1] = order[j];
            j--;
        }
        key_scratch[j + 1] = key;
        order[j + 1] = index;
        budget -= i - j;
        if (budget < 0) {
            // index_scratch still holds every key image at its original place.
            for (int k = 0; k < n; k++) keys[k] = float_from_image(index_scratch[k]);
            return 0;
        }
    }
    for (int i = 0; i < n; i++) keys[i] = float_from_image(key_scratch[i]);
    return 1;
}

__attribute__((target("avx2")))
static void sort_keys_avx2(float *keys, int n, int32_t *key_scratch) {
    int p = wow_sort_network_padded_count(n);
    for (int i = 0; i < n; i++) key_scratch[i] = ordered_image(keys[i]);
    for (int i = n; i < p; i++) key_scratch[i] = INT32_MAX;
    network_keys(key_scratch, p / 8);
    for (int i = 0; i < n; i++) keys[i] = float_from_image(key_scratch[i]);
}

#endif

int wow_sort_network_available(void) { return wow_cpu_has_avx2(); }

int wow_sort_network_padded_count(int n) {
    if (n <= 8) return 8;
    if (n <= 16) return 16;
    int p = 64;
    while (p < n && p < (1 << 30)) p *= 2;
    return p;
}

int wow_argsort_network(float *keys, int32_t *order, int n, int32_t *key_scratch, int32_t *index_scratch) {
#if WOW_X86
    if (n < 1 || n > WOW_SORT_NETWORK_MAX || !wow_sort_network_available()) return 0;
    return argsort_avx2(keys, order, n, key_scratch, index_scratch);
#else
    (void)keys; (void)order; (void)n; (void)key_scratch; (void)index_scratch;
    return 0;
#endif
}

int wow_sort_keys_network(float *keys, int n, int32_t *key_scratch) {
#if WOW_X86
    if (n < 1 || n > WOW_SORT_NETWORK_MAX || !wow_sort_network_available()) return 0;
    sort_keys_avx2(keys, n, key_scratch);
    return 1;
#else
    (void)keys; (void)n; (void)key_scratch;
    return 0;
#endif
}
