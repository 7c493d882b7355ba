/* quant.h — quantized weights and their products: int8 (weights and activations), int4 and
 * bf16 weight-only.
 *
 * All products follow kern.h's convention Y (B x N) = X (B x K) * W^T (W: N x K).
 *  - int8: weights symmetric per output channel (scale = max|w_n| / 127, q in [-127, 127]);
 *    activations quantized on the fly, symmetric per token (row of X); products accumulate in
 *    int32 exactly, then Y = acc * sx[b] * sw[n]. The inner kernel is chosen at run time:
 *    AVX-512 VNNI (vpdpbusd, with activations offset to u8 and the offset removed through
 *    per-channel weight sums), AVX2 (vpsignb + vpmaddubsw + vpmaddwd: |x| times sign-moved w,
 *    never saturating because |q| <= 127), or portable C. All three give bit-identical int32
 *    sums. Rows are zero-padded to a multiple of 64 so every path shares one layout.
 *  - int4 weight-only: groups of QUANT_I4_GROUP weights along K share one fp32 scale
 *    (max|w| / 7, q in [-7, 7], stored as q + 8 in a nibble); activations stay fp32.
 *  - bf16 weight-only: weights rounded to bfloat16 (round to nearest even); activations fp32.
 *  For int4 and bf16, small batches (B <= QUANT_FUSED_MAX_B) decode weights inside the dot
 *  products (the decode case: memory-bound, weights read once); larger batches decode a tile of
 *  rows to fp32 and hand it to OpenBLAS sgemm (the prefill case: decode cost amortised over
 *  the batch). Objects keep scratch buffers, so one object is used by one thread at a time.
 */
#ifndef MAASIM_QUANT_H
#define MAASIM_QUANT_H

#include <stddef.h>

#define QUANT_I4_GROUP 32 /* weights per int4 scale group, as in GPTQ/AWQ-style g32 schemes */
#define QUANT_FUSED_MAX_B 8

enum quant_path { QUANT_AUTO = 0, QUANT_PORTABLE, QUANT_AVX2, QUANT_VNNI };

/* Name of a path ("auto", "portable", "avx2", "avx512-vnni"). */
const char *quant_path_name(int path);

/* Best path this CPU supports for the int8 kernel. */
int quant_i8_best_path(void);

struct quant_i8;

/* The largest k the int8 kernels sum exactly in int32: the exact sum is at most 127 * 127 * k
 * and VNNI's offset correction 128 * 127 * k (both < 2^31 up to 132,104); 2^17. */
#define QUANT_I8_MAX_K 131072

/* Quantizes w (n x k, row-major, not retained; 1 <= k <= QUANT_I8_MAX_K, else the process
 * aborts: a programming error, no input reaches it). Caller frees with quant_i8_free. */
struct quant_i8 *quant_i8_new(const float *w, int n, int k);
void quant_i8_free(struct quant_i8 *q);

/* Bytes of weight storage (int8 codes with their padding, scales, channel sums). */
size_t quant_i8_bytes(const struct quant_i8 *q);

/* Writes the dequantized weights (n x k) to w. */
void quant_i8_dequant(const struct quant_i8 *q, float *w);

/* Y (b x n) = X (b x k) * W^T through int8. path QUANT_AUTO picks the best; a forced path the
 * CPU lacks returns -1 (Y untouched). */
int quant_i8_gemm(struct quant_i8 *q, const float *x, int b, float *y, int path);

/* The per-token activation quantization the kernel applies, exposed for tests: xq (b x k)
 * receives codes in [-127, 127], xs (b) the scales. */
void quant_i8_quantize_rows(const float *x, int b, int k, signed char *xq, float *xs);

struct quant_i4;
struct quant_i4 *quant_i4_new(const float *w, int n, int k);
void quant_i4_free(struct quant_i4 *q);
size_t quant_i4_bytes(const struct quant_i4 *q);
void quant_i4_dequant(const struct quant_i4 *q, float *w);
/* path: QUANT_AUTO, QUANT_PORTABLE or QUANT_AVX2 (fused small-batch decode). */
int quant_i4_gemm(struct quant_i4 *q, const float *x, int b, float *y, int path);

struct quant_bf16;
struct quant_bf16 *quant_bf16_new(const float *w, int n, int k);
void quant_bf16_free(struct quant_bf16 *q);
size_t quant_bf16_bytes(const struct quant_bf16 *q);
void quant_bf16_dequant(const struct quant_bf16 *q, float *w);
int quant_bf16_gemm(struct quant_bf16 *q, const float *x, int b, float *y, int path);

/* fp32 -> bf16 bits, round to nearest even (NaN kept quiet), and back. */
unsigned short quant_to_bf16(float f);
float quant_from_bf16(unsigned short h);

#endif
