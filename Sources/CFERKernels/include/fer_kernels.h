#ifndef FER_KERNELS_H
#define FER_KERNELS_H
/// FERKit's C kernels: the hot loops of convolution, pooling, batch norm and
/// resizing. Each function handles a contiguous range of planes (or channels)
/// so that Swift can split work across threads; each selects an AVX-512,
/// AVX2 or baseline version of itself at run time.
///
/// Conventions: NCHW float32, contiguous; sizes are `long`; "plane" is one
/// (sample, channel) HxW image; geometry arguments come in (height, width) pairs.
#include <stdint.h>
#include "fer_blas_runtime.h"

/// Spatial geometry of a sliding-window operation over one plane.
typedef struct {
    long in_height, in_width;
    long kernel_height, kernel_width;
    long stride_height, stride_width;
    long pad_height, pad_width;
    long dilation_height, dilation_width;
    long out_height, out_width;
} fer_window_geometry;

/* ---- packed SGEMM (FERKit's own AVX-512 or AVX2 micro-kernels) ---- */

/// 1 when fer_packed_gemm runs on this CPU (AVX-512F and VL, or AVX2 and
/// FMA) and FERKIT_PACKED_GEMM is not 0; otherwise it does nothing.
int fer_packed_gemm_available(void);
/// The kernel fer_packed_gemm runs here: "AVX-512 8x48", "AVX2 6x16" or "none"
/// (AVX2 also on AVX-512 CPUs when FERKIT_PACKED_GEMM=avx2).
const char *fer_packed_gemm_kernel_name(void);
/// 1 when fer_packed_gemm runs its AVX-512 kernel.
int fer_packed_gemm_uses_avx512(void);
/// Columns of C per micro-tile panel of the kernel in use (48 or 16).
long fer_packed_gemm_panel_columns(void);
/// Floats of scratch fer_packed_gemm needs for products with `m` rows and depth `k`.
long fer_packed_gemm_scratch_count(long m, long k);
/// Row-major C[m x n] = op(A)[m x k] * op(B)[k x n] + beta * C on the calling
/// thread (beta 0 never reads C). op(A) is A, or A^T when trans_a (A stored
/// [k x m]); likewise op(B). Each element of C sums over k in the same order
/// whatever m, n and its position: results are batch invariant.
void fer_packed_gemm(int trans_a, int trans_b, long m, long n, long k, const float *a, long lda, const float *b,
                     long ldb, float beta, float *c, long ldc, float *scratch);

/// Where the elements of a stored matrix live: element (row r, column j) at
/// `r * ld + (j / block) * block_stride + j % block`, so that the columns of
/// several NCHW samples (planes of `block` positions, `block_stride` apart)
/// read as one matrix. `block` 0 is a plain row-major matrix (`r * ld + j`);
/// otherwise `block` is at least 16.
typedef struct {
    long ld, block, block_stride;
} fer_matrix_layout;

/// fer_packed_gemm with A, B and C in any layout, except that a transposed
/// operand must be plain.
void fer_packed_gemm_layouts(int trans_a, int trans_b, long m, long n, long k, const float *a, fer_matrix_layout a_layout,
                             const float *b, fer_matrix_layout b_layout, float beta, float *c,
                             fer_matrix_layout c_layout, float *scratch);

/// Floats of a whole packed op(A) with `m` rows and depth `k` (fer_packed_gemm_pack_a).
long fer_packed_gemm_packed_a_count(long m, long k);
/// Packs op(A)[m x k] (a transposed A must be plain) once, for several
/// products with the same A (fer_packed_gemm_prepacked); `packed` is
/// 64-byte aligned, fer_packed_gemm_packed_a_count(m, k) floats.
void fer_packed_gemm_pack_a(int trans_a, long m, long k, const float *a, fer_matrix_layout a_layout, float *packed);
/// fer_packed_gemm_layouts with op(A) packed beforehand by fer_packed_gemm_pack_a.
void fer_packed_gemm_prepacked(int trans_b, long m, long n, long k, const float *packed_a, const float *b,
                               fer_matrix_layout b_layout, float beta, float *c, fer_matrix_layout c_layout,
                               float *scratch);

/* ---- im2col / col2im (convolution lowering to GEMM) ---- */

/// Bytes of the lowering plan of a geometry: which lowering im2col and
/// col2im take on this CPU and, per kernel tap, the input offset and which
/// output positions read the input rather than padding. One plan serves
/// every plane and sample of a convolution.
long fer_lowering_plan_size(fer_window_geometry g);
/// Fills `plan` (fer_lowering_plan_size(g) bytes, 8-byte aligned) for `g`.
void fer_lowering_plan_init(fer_window_geometry g, void *plan);

/// Writes rows [first_row, first_row + rows) of the column matrix of the
/// planes of `x` into `col`: row (c*KH + kh)*KW + kw holds the
/// out_height*out_width values that tap (kh, kw) of channel c sees; rows are
/// `ldcol` apart in `col`, the first of them at `col`.
void fer_im2col(const float *x, long first_row, long rows, fer_window_geometry g, const void *plan, float *col,
                long ldcol);

/// Adds rows [first_row, first_row + rows) of a column matrix (laid out as
/// fer_im2col writes them) back into the planes of `x` (the adjoint of
/// im2col). A plane whose first row (tap 0) is in the range is set to zero
/// just before it, so the rows of all taps, in order, overwrite `x`.
void fer_col2im(const float *col, long ldcol, long first_row, long rows, fer_window_geometry g, const void *plan,
                float *x);

/// Whether `g` has stride 2 on both axes and phase planes small enough for
/// fer_phase_im2col and fer_phase_col2im (4 planes of at most 64 KB in all).
int fer_phase_lowering_fits(fer_window_geometry g);
/// fer_im2col through phase planes: each input plane split once into its
/// even/odd rows x columns, each tap's row copied from one of them. Used by
/// fer_im2col on CPUs without AVX-512; public so that tests run it on every
/// CPU. Only for geometries where fer_phase_lowering_fits (the planes live on
/// the stack: 64 KB).
void fer_phase_im2col(const float *x, long first_row, long rows, fer_window_geometry g, float *col, long ldcol);
/// fer_col2im through phase planes (see fer_phase_im2col), with the same
/// contract as fer_col2im.
void fer_phase_col2im(const float *col, long ldcol, long first_row, long rows, fer_window_geometry g, float *x);

/* ---- depthwise convolution (groups == input channels) ---- */

/// y[n, c*m + j] = sum_k w[c*m + j] * x[n, c] for planes (n, c) in [begin, end) (no bias).
void fer_depthwise_forward(const float *x, const float *weight, float *y,
                           long channels, long multiplier, fer_window_geometry g,
                           long plane_begin, long plane_end);
/// dx for input planes (n, c) in [begin, end) (overwritten).
void fer_depthwise_backward_input(const float *dy, const float *weight, float *dx,
                                  long channels, long multiplier, fer_window_geometry g,
                                  long plane_begin, long plane_end);
/// dw for input channels c in [begin, end) over the whole batch (overwritten).
void fer_depthwise_backward_weight(const float *dy, const float *x, float *dweight,
                                   long batch, long channels, long multiplier, fer_window_geometry g,
                                   long channel_begin, long channel_end);

/* ---- pooling ---- */

/// Max pooling of planes [begin, end); records the argmax (index in the input
/// plane, -1 for an empty window) for the backward pass. NaN propagates.
void fer_max_pool_forward(const float *x, float *y, int32_t *argmax, fer_window_geometry g,
                          long plane_begin, long plane_end);
/// Max pooling of planes [begin, end) without the argmax, for inference:
/// each output row is the maximum of its input rows, then of the columns of
/// that row (`row_max`: scratch of in_width floats). Same values as
/// fer_max_pool_forward, NaN included.
void fer_max_pool_forward_values(const float *x, float *y, float *row_max, fer_window_geometry g, long plane_begin,
                                 long plane_end);
/// dx (overwritten) from dy and the recorded argmax, planes [begin, end).
void fer_max_pool_backward(const float *dy, const int32_t *argmax, float *dx, fer_window_geometry g,
                           long plane_begin, long plane_end);
/// Average pooling of planes [begin, end), as PyTorch's avg_pool2d.
void fer_avg_pool_forward(const float *x, float *y, fer_window_geometry g, int count_include_pad,
                          long plane_begin, long plane_end);
/// dx (overwritten) of average pooling, planes [begin, end).
void fer_avg_pool_backward(const float *dy, float *dx, fer_window_geometry g, int count_include_pad,
                           long plane_begin, long plane_end);
/// Adaptive average pooling (PyTorch's bins) of planes [begin, end).
void fer_adaptive_avg_pool_forward(const float *x, float *y, long in_height, long in_width,
                                   long out_height, long out_width, long plane_begin, long plane_end);
/// dx (overwritten) of adaptive average pooling, planes [begin, end).
void fer_adaptive_avg_pool_backward(const float *dy, float *dx, long in_height, long in_width,
                                    long out_height, long out_width, long plane_begin, long plane_end);

/* ---- batch normalisation ---- */

/// Per-channel mean and biased variance over (N, H, W), channels [begin, end).
void fer_batch_norm_statistics(const float *x, long batch, long channels, long spatial,
                               float *mean, float *variance, long channel_begin, long channel_end);
/// y = x * scale[c] + shift[c] (+ residual, unless NULL) for planes [begin, end);
/// optionally followed by ReLU. y may be x (in place).
void fer_channel_affine(const float *x, const float *scale, const float *shift, const float *residual, float *y,
                        long channels, long spatial, int relu, long plane_begin, long plane_end);
/// y = max(a + b, 0) for elements [begin, end).
void fer_add_relu(const float *a, const float *b, float *y, long begin, long end);
/// Per-channel sums of dy and of dy * (x - mean) * invstd, channels [begin, end).
/// With `relu_output` (the output of a ReLU fused after the normalisation),
/// dy counts only where that output is positive; NULL for none.
void fer_batch_norm_backward_reduce(const float *dy, const float *relu_output, const float *x, const float *mean,
                                    const float *invstd, long batch, long channels, long spatial,
                                    float *sum_dy, float *sum_dy_xhat, long channel_begin, long channel_end);
/// Training-mode dx = gamma*invstd*(dy - sum_dy/M - xhat*sum_dy_xhat/M), planes [begin, end);
/// dy masked by `relu_output` as in fer_batch_norm_backward_reduce.
void fer_batch_norm_backward_input(const float *dy, const float *relu_output, const float *x,
                                   const float *mean, const float *invstd,
                                   const float *gamma, const float *sum_dy, const float *sum_dy_xhat,
                                   long batch, long channels, long spatial, float *dx,
                                   long plane_begin, long plane_end);

/* ---- optimizer updates ---- */

/// Coefficients of one Adam step (torch.optim.Adam's single-tensor update).
typedef struct {
    float step_size;        /* lr / (1 - beta1^t) */
    float beta1, beta2, epsilon;
    float second_moment_correction; /* sqrt(1 - beta2^t) */
    float coupled_decay;    /* L2 weight decay added to the gradient (Adam), or 0 */
    float shrink;           /* 1 - lr * decoupled decay (AdamW), or 1 */
} fer_adam_coefficients;

/// One Adam step on elements [begin, end): moments updated, `value` moved.
/// `max_second_moment` is NULL without AMSGrad.
void fer_adam_update(float *value, const float *gradient, float *first_moment, float *second_moment,
                     float *max_second_moment, fer_adam_coefficients c, long begin, long end);

/* ---- resizing ---- */

/// Nearest-neighbour resize (PyTorch's "nearest") of planes [begin, end).
void fer_resize_nearest_forward(const float *x, float *y, long in_height, long in_width,
                                long out_height, long out_width, long plane_begin, long plane_end);
/// dx (overwritten) of nearest resize, planes [begin, end).
void fer_resize_nearest_backward(const float *dy, float *dx, long in_height, long in_width,
                                 long out_height, long out_width, long plane_begin, long plane_end);
/// Bilinear resize (PyTorch's interpolate, align_corners as given) of planes [begin, end).
void fer_resize_bilinear_forward(const float *x, float *y, long in_height, long in_width,
                                 long out_height, long out_width, int align_corners,
                                 long plane_begin, long plane_end);
/// dx (overwritten) of bilinear resize, planes [begin, end).
void fer_resize_bilinear_backward(const float *dy, float *dx, long in_height, long in_width,
                                  long out_height, long out_width, int align_corners,
                                  long plane_begin, long plane_end);

/* ---- images (data augmentation) ---- */

/// Interleaved 8-bit pixels (height * width * channels) to channel planes of values in [0, 1].
void fer_image_bytes_to_planes(const unsigned char *pixels, float *planes, long plane, long channels);
/// Each of `rows` rows of `width` values mirrored left to right, from x to y.
void fer_mirror_rows(const float *x, float *y, long rows, long width);
/// [channels, height, width] planes rotated about their centre: each output pixel samples x bilinearly
/// at the inverse rotation (cosine, sine) of its position; outside the image, the nearest edge pixel
/// (replicate != 0) or `fill`.
void fer_rotate_bilinear(const float *x, float *y, long channels, long height, long width,
                         float cosine, float sine, int replicate, float fill);
/// Three RGB planes of `plane` values blended toward their BT.601 luma by `amount`, in place.
void fer_desaturate(float *planes, long plane, float amount);
#endif
