// matmul, im2col and conv2d over Z_2^64, on top of the blocked uint64 GEMM.

#include "sotto/tensor/linear.h"

#include <algorithm>
#include <vector>

#include "sotto/error.h"
#include "tensor/gemm_source.h"
#include "tensor/strided.h"

namespace sotto {
namespace {

/// ceil(a / b) for b > 0 and any sign of a.
int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

struct ConvGeometry {
  int64_t n, c, h, w;  // input
  int64_t o, kh, kw;   // weight (o = 0 when only unfolding)
  int64_t oh, ow;      // output spatial size
  int64_t sh, sw, ph, pw, dh, dw;
};

ConvGeometry convGeometry(const Shape& input, int64_t kernel_h, int64_t kernel_w,
                          const Conv2dOptions& options, const char* what) {
  SOTTO_ENFORCE(input.rank() == 4, what, ": input must be [N, C, H, W], got shape ", input);
  SOTTO_ENFORCE(kernel_h >= 1 && kernel_w >= 1, what, ": kernel size ", kernel_h, "x", kernel_w,
                " must be at least 1x1");
  const auto& [sh, sw] = options.stride;
  const auto& [ph, pw] = options.padding;
  const auto& [dh, dw] = options.dilation;
  SOTTO_ENFORCE(sh >= 1 && sw >= 1, what, ": stride (", sh, ", ", sw, ") must be >= 1");
  SOTTO_ENFORCE(dh >= 1 && dw >= 1, what, ": dilation (", dh, ", ", dw, ") must be >= 1");
  SOTTO_ENFORCE(ph >= 0 && pw >= 0, what, ": padding (", ph, ", ", pw, ") must be >= 0");
  ConvGeometry g{};
  g.n = input[0];
  g.c = input[1];
  g.h = input[2];
  g.w = input[3];
  g.kh = kernel_h;
  g.kw = kernel_w;
  g.sh = sh;
  g.sw = sw;
  g.ph = ph;
  g.pw = pw;
  g.dh = dh;
  g.dw = dw;
  const int64_t span_h = g.h + 2 * ph - dh * (kernel_h - 1) - 1;
  const int64_t span_w = g.w + 2 * pw - dw * (kernel_w - 1) - 1;
  SOTTO_ENFORCE(span_h >= 0 && span_w >= 0, what, ": kernel ", kernel_h, "x", kernel_w,
                " (dilation ", dh, ", ", dw, ") does not fit input ", input, " with padding (", ph,
                ", ", pw, ")");
  g.oh = span_h / sh + 1;
  g.ow = span_w / sw + 1;
  return g;
}

ConvGeometry conv2dGeometry(const Shape& input, const Shape& weight, const Conv2dOptions& options) {
  SOTTO_ENFORCE(weight.rank() == 4, "conv2d: weight must be [O, C/groups, kh, kw], got shape ",
                weight, " (input ", input, ")");
  SOTTO_ENFORCE(input.rank() == 4, "conv2d: input must be [N, C, H, W], got shape ", input,
                " (weight ", weight, ")");
  const int64_t groups = options.groups;
  SOTTO_ENFORCE(groups >= 1, "conv2d: groups ", groups, " must be >= 1");
  SOTTO_ENFORCE(input[1] % groups == 0 && weight[0] % groups == 0 && weight[1] * groups == input[1],
                "conv2d: input ", input, " and weight ", weight, " do not match with groups ",
                groups, " (need weight [O, C/groups, kh, kw] with groups dividing C and O)");
  ConvGeometry g = convGeometry(input, weight[2], weight[3], options, "conv2d");
  g.o = weight[0];
  return g;
}

/// Unfolds one image [C, H, W] into cols [C*kh*kw, OH*OW], writing every element (zeros at
/// padding positions), so cols needs no initialisation.
void im2colImage(const ConvGeometry& g, const uint64_t* image, uint64_t* cols) {
  const int64_t l = g.oh * g.ow;
  for (int64_t ch = 0; ch < g.c; ++ch) {
    const uint64_t* plane = image + ch * g.h * g.w;
    for (int64_t i = 0; i < g.kh; ++i) {
      for (int64_t j = 0; j < g.kw; ++j) {
        uint64_t* row = cols + ((ch * g.kh + i) * g.kw + j) * l;
        // Output columns [ow_lo, ow_hi) read input column iw = ow*sw - pw + j*dw inside [0, W).
        const int64_t col_shift = j * g.dw - g.pw;
        const int64_t ow_lo = std::clamp<int64_t>(ceilDiv(-col_shift, g.sw), 0, g.ow);
        const int64_t ow_hi = std::clamp<int64_t>(ceilDiv(g.w - col_shift, g.sw), ow_lo, g.ow);
        for (int64_t oh = 0; oh < g.oh; ++oh) {
          uint64_t* dst = row + oh * g.ow;
          const int64_t ih = oh * g.sh - g.ph + i * g.dh;
          if (ih < 0 || ih >= g.h) {
            std::fill_n(dst, g.ow, uint64_t{0});
            continue;
          }
          const uint64_t* src = plane + ih * g.w;
          std::fill_n(dst, ow_lo, uint64_t{0});
          if (g.sw == 1) {
            std::copy_n(src + ow_lo + col_shift, ow_hi - ow_lo, dst + ow_lo);
          } else {
            for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow] = src[ow * g.sw + col_shift];
          }
          std::fill_n(dst + ow_hi, g.ow - ow_hi, uint64_t{0});
        }
      }
    }
  }
}

/// The im2col matrix of one image restricted to `channels` channels from `first_channel` (rows
/// (c - first_channel)*kh*kw + i*kw + j, columns oh*OW + ow), never materialised: the GEMM packs
/// its panels straight from the image (implicit GEMM), which saves writing and re-reading the
/// C·kh·kw x OH·OW unfolded matrix.
class Im2colSource final : public detail::GemmPanelSource {
 public:
  Im2colSource(const ConvGeometry& g, const uint64_t* image, int64_t first_channel)
      : g_(g), image_(image), first_channel_(first_channel) {
    // Per kernel column j: the output columns [ow_lo, ow_hi) whose input column is inside [0, W).
    for (int64_t j = 0; j < g.kw; ++j) {
      const int64_t col_shift = j * g.dw - g.pw;
      const int64_t lo = std::clamp<int64_t>(ceilDiv(-col_shift, g.sw), 0, g.ow);
      ow_lo_.push_back(lo);
      ow_hi_.push_back(std::clamp<int64_t>(ceilDiv(g.w - col_shift, g.sw), lo, g.ow));
    }
  }

  void pack(int64_t p0, int64_t kc, int64_t j0, int64_t nc, int64_t nr,
            uint64_t* dst) const override {
    const int64_t kernel_area = g_.kh * g_.kw;
    for (int64_t jr = 0; jr < nc; jr += nr, dst += nr * kc) {
      const int64_t cols = std::min(nr, nc - jr);
      const int64_t l0 = j0 + jr;  // first output position of this panel
      int64_t ch = first_channel_ + p0 / kernel_area;
      int64_t i = (p0 % kernel_area) / g_.kw;
      int64_t j = p0 % g_.kw;
      for (int64_t p = 0; p < kc; ++p) {
        uint64_t* out = dst + p * nr;
        fillRow(ch, i, j, l0 / g_.ow, l0 % g_.ow, cols, out);
        std::fill(out + cols, out + nr, uint64_t{0});
        if (++j == g_.kw) {  // next row of the im2col matrix: (ch, i, j) in row-major order
          j = 0;
          if (++i == g_.kh) {
            i = 0;
            ++ch;
          }
        }
      }
    }
  }

 private:
  /// out[t] = im2col(row (ch, i, j), column oh*OW + ow + t) for t < count; the columns run on
  /// across output rows.
  void fillRow(int64_t ch, int64_t i, int64_t j, int64_t oh, int64_t ow, int64_t count,
               uint64_t* out) const {
    const uint64_t* plane = image_ + ch * g_.h * g_.w;
    const int64_t col_shift = j * g_.dw - g_.pw;
    const int64_t lo = ow_lo_[static_cast<size_t>(j)];
    const int64_t hi = ow_hi_[static_cast<size_t>(j)];
    for (int64_t t = 0; t < count; ++oh, ow = 0) {
      const int64_t seg = std::min(count - t, g_.ow - ow);  // columns left in this output row
      const int64_t ih = oh * g_.sh - g_.ph + i * g_.dh;
      uint64_t* o = out + t - ow;  // o[x] is the value for output column x of this row
      if (ih < 0 || ih >= g_.h) {
        std::fill_n(o + ow, seg, uint64_t{0});
      } else {
        const uint64_t* src = plane + ih * g_.w;
        const int64_t a = std::clamp(lo, ow, ow + seg);
        const int64_t b = std::clamp(hi, a, ow + seg);
        std::fill(o + ow, o + a, uint64_t{0});
        if (g_.sw == 1) {
          std::copy(src + a + col_shift, src + b + col_shift, o + a);
        } else {
          for (int64_t x = a; x < b; ++x) o[x] = src[x * g_.sw + col_shift];
        }
        std::fill(o + b, o + ow + seg, uint64_t{0});
      }
      t += seg;
    }
  }

  ConvGeometry g_;
  const uint64_t* image_;
  int64_t first_channel_;
  std::vector<int64_t> ow_lo_;
  std::vector<int64_t> ow_hi_;
};

}  // namespace

RingTensor matmul(const RingTensor& a, const RingTensor& b, GemmKernel kernel) {
  SOTTO_ENFORCE(a.rank() >= 2 && b.rank() >= 2, "matmul of shapes ", a.shape(), " and ", b.shape(),
                ": both need rank >= 2");
  const int64_t m = a.dim(-2);
  const int64_t k = a.dim(-1);
  const int64_t n = b.dim(-1);
  SOTTO_ENFORCE(b.dim(-2) == k, "matmul of shapes ", a.shape(), " and ", b.shape(),
                ": inner dimensions ", k, " and ", b.dim(-2), " differ");
  const Shape batch_a(std::vector<int64_t>(a.shape().dims().begin(), a.shape().dims().end() - 2));
  const Shape batch_b(std::vector<int64_t>(b.shape().dims().begin(), b.shape().dims().end() - 2));
  Shape batch;
  try {
    batch = broadcastShapes(batch_a, batch_b);
  } catch (const InvalidArgument&) {
    detail::fail(__FILE__, __LINE__, "matmul of shapes ", a.shape(), " and ", b.shape(),
                 ": batch dimensions ", batch_a, " and ", batch_b, " do not broadcast");
  }
  std::vector<int64_t> out_dims = batch.dims();
  out_dims.push_back(m);
  out_dims.push_back(n);
  RingTensor out{Shape(std::move(out_dims))};
  if (out.numel() == 0) return out;
  const GemmOptions options{.accumulate = false, .kernel = kernel};

  if (batch_b.rank() == 0 || batch_b.numel() == 1) {
    // One matrix b for every batch element: a's batch folds into the rows of a single GEMM.
    if (batch_a == batch) {
      gemm(ConstMatrixView::rowMajor(a.data().data(), batch.numel() * m, k),
           ConstMatrixView::rowMajor(b.data().data(), k, n),
           MatrixView::rowMajor(out.data().data(), batch.numel() * m, n), options);
      return out;
    }
  }
  // General case: one GEMM per broadcast batch index.
  const std::vector<int64_t> stride_a = detail::broadcastStrides(batch_a, batch);
  const std::vector<int64_t> stride_b = detail::broadcastStrides(batch_b, batch);
  const std::vector<int64_t>& dims = batch.dims();
  std::vector<int64_t> index(dims.size(), 0);
  for (int64_t t = 0; t < batch.numel(); ++t) {
    int64_t off_a = 0;
    int64_t off_b = 0;
    for (size_t d = 0; d < dims.size(); ++d) {
      off_a += index[d] * stride_a[d];
      off_b += index[d] * stride_b[d];
    }
    gemm(ConstMatrixView::rowMajor(a.data().data() + off_a * m * k, m, k),
         ConstMatrixView::rowMajor(b.data().data() + off_b * k * n, k, n),
         MatrixView::rowMajor(out.data().data() + t * m * n, m, n), options);
    for (size_t d = dims.size(); d-- > 0;) {  // next batch multi-index, last fastest
      if (++index[d] < dims[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

Shape conv2dOutputShape(const Shape& input, const Shape& weight, const Conv2dOptions& options) {
  const ConvGeometry g = conv2dGeometry(input, weight, options);
  return Shape{g.n, g.o, g.oh, g.ow};
}

RingTensor im2col(const RingTensor& input, int64_t kernel_h, int64_t kernel_w,
                  const Conv2dOptions& options) {
  const ConvGeometry g = convGeometry(input.shape(), kernel_h, kernel_w, options, "im2col");
  const int64_t rows = g.c * g.kh * g.kw;
  const int64_t l = g.oh * g.ow;
  RingTensor out{Shape{g.n, rows, l}};
  if (out.numel() == 0) return out;
  for (int64_t img = 0; img < g.n; ++img) {
    im2colImage(g, input.data().data() + img * g.c * g.h * g.w, out.data().data() + img * rows * l);
  }
  return out;
}

RingTensor conv2d(const RingTensor& input, const RingTensor& weight, const Conv2dOptions& options,
                  GemmKernel kernel) {
  const ConvGeometry g = conv2dGeometry(input.shape(), weight.shape(), options);
  RingTensor out{Shape{g.n, g.o, g.oh, g.ow}};
  if (out.numel() == 0) return out;
  const int64_t groups = options.groups;
  const int64_t l = g.oh * g.ow;
  const int64_t o_per_group = g.o / groups;
  const int64_t c_per_group = g.c / groups;
  const int64_t k_per_group = c_per_group * g.kh * g.kw;
  // A 1x1 kernel with unit stride and no padding needs no unfolding: the image is its own im2col.
  const bool direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
  const GemmOptions gemm_options{.accumulate = false, .kernel = kernel};
  for (int64_t img = 0; img < g.n; ++img) {
    const uint64_t* image = input.data().data() + img * g.c * g.h * g.w;
    for (int64_t grp = 0; grp < groups; ++grp) {
      // out[img, group's channels] = W_g [O/groups, K_g] · im2col_g [K_g, OH*OW]
      const ConstMatrixView w = ConstMatrixView::rowMajor(
          weight.data().data() + grp * o_per_group * k_per_group, o_per_group, k_per_group);
      const MatrixView y = MatrixView::rowMajor(
          out.data().data() + (img * g.o + grp * o_per_group) * l, o_per_group, l);
      if (direct) {
        gemm(w, ConstMatrixView::rowMajor(image + grp * k_per_group * l, k_per_group, l), y,
             gemm_options);
      } else {
        detail::gemmWithSource(w, Im2colSource(g, image, grp * c_per_group), l, y, gemm_options);
      }
    }
  }
  return out;
}

}  // namespace sotto
