#ifndef WOW_KERNELS_H
#define WOW_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// C = beta * C + alpha * op(A) * op(B) on row-major float matrices, serially.
/// op(A) is m x k: A[i*lda + p] (trans_a == 0) or A[p*lda + i] (trans_a != 0).
/// op(B) is k x n: B[p*ldb + j] (trans_b == 0) or B[j*ldb + p] (trans_b != 0).
/// Packed, cache-blocked, with a 6x16 register tile: AVX2+FMA when the CPU has them
/// (checked at run time), portable C otherwise. Each element of C is accumulated over k
/// in a fixed order, independent of how callers split C into blocks.
void wow_sgemm(int m, int n, int k, float alpha,
               const float *a, int lda, int trans_a,
               const float *b, int ldb, int trans_b,
               float beta, float *c, int ldc);

#include <stddef.h>

/// A stored row-major matrix S used as op(S) = S (trans == 0) or S^T (trans != 0).
/// Row r of S is rows[r] when rows is non-NULL (separately stored rows, e.g. the
/// points of several measures), base + r * ld otherwise.
///
/// With packed != 0 (only as A), base holds op(A) (m x k) already in the micro-kernel's
/// layout and ld is m rounded up to a multiple of 6: see wow_sgemm_packed_a_offset.
typedef struct {
    const float *base;
    long ld;
    int trans;
    const float *const *rows;
    int packed;
} wow_operand;

/// Position of element (i, p) of a pre-packed op(A) of depth k whose row count rounded
/// up to a multiple of 6 is m_padded: the depth blocks of wow_sgemm_kc(k) one after
/// another (block at p0 starts at p0 * m_padded), each a sequence of 6-row panels of
/// kc x 6 floats, row i % 6 of panel i / 6 at column p - p0. Padding rows are read
/// (they only feed rows of C that are never stored) and should hold finite values.
size_t wow_sgemm_packed_a_offset(int i, int p, int k, int m_padded);

/// The output C: row i at rows[i] when rows is non-NULL, base + i * ld otherwise.
typedef struct {
    float *base;
    long ld;
    float *const *rows;
} wow_output;

/// The depth of the k blocks for a product of depth k: k split into equal blocks of at
/// most 800 (fixed by k alone, so the summation order never depends on threading).
int wow_sgemm_kc(int k);

/// `wow_sgemm` on general operands.
void wow_sgemm_op(int m, int n, int k, float alpha, const wow_operand *a, const wow_operand *b,
                  float beta, const wow_output *c);

/// Building blocks for callers that parallelise: pack a kc x nc block of op(B) once,
/// then let workers run disjoint (rows x cols) tiles of C against it.
size_t wow_sgemm_packed_b_count(int kc, int nc);
size_t wow_sgemm_packed_a_count(int kc);
/// Packs rows [p0, p0+kc) x columns [j0, j0+nc) of op(B) for a general operand.
void wow_sgemm_pack_b_op(int kc, int nc, const wow_operand *b, int p0, int j0, float *packed);
/// C[ci0:ci0+rows, cj0:cj0+cols] += alpha * op(A)[i0:i0+rows, p0:p0+kc] *
/// packedB[:, col0:col0+cols] for general operands, col0 a multiple of 16 inside the
/// packed block; with overwrite != 0 the tile is set to the product instead (C = 0
/// beforehand, without the clearing pass). packed_a holds wow_sgemm_packed_a_count(kc)
/// floats of scratch.
void wow_sgemm_block_op(int rows, int cols, int kc, float alpha, const wow_operand *a, int i0, int p0,
                        const float *packed_b, int col0, const wow_output *c, int ci0, int cj0,
                        int overwrite, float *packed_a);

/// Runs `iterations` rounds of 12 independent 8-lane FMA chains on this thread and
/// returns the flops done (0 when the FMA kernel is not in use); for measuring the
/// machine's peak. The result goes to *sink so the work is not optimised away.
long wow_fma_probe_flops(long iterations, float *sink);

/// 1 when the AVX2+FMA micro-kernel is in use on this CPU, 0 otherwise.
int wow_sgemm_uses_fma(void);

#include <stdint.h>

/// Longest row the sorting networks take (longer rows: the caller's radix sort).
#define WOW_SORT_NETWORK_MAX 2048

/// 1 when the AVX2 sorting networks can run on this CPU, 0 otherwise.
int wow_sort_network_available(void);

/// The scratch length (in int32) each scratch array needs for a row of n keys: 8 for
/// n <= 8, 16 for n <= 16, otherwise n rounded up to a power of two of at least 64
/// (for n <= WOW_SORT_NETWORK_MAX).
int wow_sort_network_padded_count(int n);

/// Sorts keys[0..<n] ascending in place and writes the original index of each sorted key
/// to order[0..<n]; equal keys keep their original order (a stable sort; -0 sorts before
/// +0). No key may be NaN. key_scratch and index_scratch hold
/// wow_sort_network_padded_count(n) values each. Returns 1 when done. Returns 0 with
/// keys unchanged (order and the scratch arrays overwritten) when the network cannot
/// run (no AVX2, n < 1 or n > WOW_SORT_NETWORK_MAX) or when the row has long runs of keys
/// agreeing on their leading 21-29 bits (the finishing pass would shift more than 4n
/// keys): the caller sorts the row another way.
/// Cost: about (log2 P)(log2 P + 1)/2 compare-exchange stages over P / 8 registers,
/// plus O(n) for packing and the finishing pass.
int wow_argsort_network(float *keys, int32_t *order, int n, int32_t *key_scratch, int32_t *index_scratch);

/// Sorts keys[0..<n] ascending in place (no permutation). Returns 0, touching nothing,
/// when the network cannot run (no AVX2, n < 1 or n > WOW_SORT_NETWORK_MAX).
int wow_sort_keys_network(float *keys, int n, int32_t *key_scratch);

/// costs[p] = sum_k c(s[k] - partners[p][k]) over k < n for count sorted partners of s's
/// size, c(d) = |d| (absolute != 0) or d^2: eight lanes per sum, added in a fixed order,
/// then the tail; four partners per pass over s (AVX2+FMA when the CPU has them).
void wow_equal_size_costs(const float *s, int n, const float *const *partners, int count, int absolute, float *costs);

/// out[k] = sum_p coefficients[p] * c'(s[k] - partners[p][k]) for k < n, c'(d) = sign(d)
/// (0 at 0) or 2d, partners added in order.
void wow_sum_equal_size_gradients(const float *s, int n, const float *const *partners, const float *coefficients,
                                  int count, int absolute, float *out);

/// g[k] += coefficient * c'(s[k] - t[k]) for k < n, rounded exactly as one term of
/// wow_sum_equal_size_gradients (one fused multiply-add), so adding partners one at a
/// time gives the fused sum's bits.
void wow_add_equal_size_gradient(const float *s, int n, const float *t, float coefficient, int absolute, float *g);

// Stop requests (signals.c): SIGINT/SIGTERM set a flag that checkpointed flows poll.
void wow_install_stop_handlers(void);
void wow_uninstall_stop_handlers(void);
int wow_stop_requested(void);
void wow_reset_stop_request(void);


#ifdef __cplusplus
}
#endif


#endif
