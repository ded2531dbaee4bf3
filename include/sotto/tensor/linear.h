#pragma once
/// @file linear.h
/// Linear maps on RingTensors over Z_2^64: matmul, im2col and conv2d (all mod 2^64, built on the
/// blocked uint64 GEMM of gemm.h). These are the bilinear maps of the Beaver linear layers.

#include <array>
#include <cstdint>

#include "sotto/tensor/gemm.h"
#include "sotto/tensor/ring_tensor.h"
#include "sotto/tensor/shape.h"

namespace sotto {

/// Matrix product mod 2^64. a is [..., m, k] and b is [..., k, n] (rank >= 2 each); the batch
/// dimensions (all but the last two) broadcast with NumPy rules, so [B, m, k] x [k, n] applies one
/// matrix to a batch (run as a single [B·m, k] x [k, n] GEMM). Result [batch..., m, n].
/// Cost: 2·batch·m·n·k ring operations; no communication.
/// @throws InvalidArgument naming both shapes if a rank is < 2, the inner dimensions differ or the
///         batch dimensions do not broadcast.
/// @throws NotImplemented if `kernel` is not available here (see gemmKernelAvailable).
RingTensor matmul(const RingTensor& a, const RingTensor& b, GemmKernel kernel = GemmKernel::kAuto);

/// Options of conv2d and im2col (as torch.nn.functional.conv2d): per-axis (h, w) stride, zero
/// padding and dilation, and the number of groups.
struct Conv2dOptions {
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  std::array<int64_t, 2> dilation{1, 1};
  int64_t groups = 1;
};

/// Output shape [N, O, OH, OW] of conv2d(input, weight, options) with
/// OH = (H + 2·pad_h - dil_h·(kh - 1) - 1) / stride_h + 1 (likewise OW).
/// @throws InvalidArgument naming the shapes if input is not [N, C, H, W], weight is not
///         [O, C/groups, kh, kw], groups does not divide C and O, a stride or dilation is < 1, a
///         padding is negative, or the output would be empty because the kernel does not fit
///         (OH or OW < 1).
Shape conv2dOutputShape(const Shape& input, const Shape& weight, const Conv2dOptions& options = {});

/// Unfolds the kernel_h x kernel_w patches of input [N, C, H, W] into columns:
/// result [N, C·kh·kw, OH·OW] with row c·kh·kw + i·kw + j and column oh·OW + ow holding
/// input[n, c, oh·sh - ph + i·dh, ow·sw - pw + j·dw] (0 where that falls in the padding).
/// options.groups is ignored (a group's rows are a contiguous block of channels). O(result).
/// @throws InvalidArgument as conv2dOutputShape for the stride, padding, dilation, rank and an
///         empty output, or if a kernel size is < 1.
RingTensor im2col(const RingTensor& input, int64_t kernel_h, int64_t kernel_w,
                  const Conv2dOptions& options = {});

/// 2-D convolution (cross-correlation, as PyTorch) mod 2^64: input [N, C, H, W], weight
/// [O, C/groups, kh, kw] -> [N, O, OH, OW]; no bias (add one by broadcasting a [1, O, 1, 1]).
/// Computed as one GEMM per (image, group) whose im2col operand is packed straight from the
/// image (implicit GEMM: the unfolded matrix is never materialised).
/// Cost: 2·N·O·OH·OW·(C/groups)·kh·kw ring operations plus the im2col copy of
/// N·C·kh·kw·OH·OW elements; no communication.
/// @throws InvalidArgument as conv2dOutputShape.
/// @throws NotImplemented if `kernel` is not available here.
RingTensor conv2d(const RingTensor& input, const RingTensor& weight,
                  const Conv2dOptions& options = {}, GemmKernel kernel = GemmKernel::kAuto);

}  // namespace sotto
