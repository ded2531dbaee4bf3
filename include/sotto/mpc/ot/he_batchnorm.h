#pragma once
/// @file he_batchnorm.h
/// HeBatchNorm: an inference BatchNorm that was not folded into the previous layer, between two
/// parties: y[n, c, h, w] = scale[c]·x[n, c, h, w] + bias[c] mod 2^64, where x is additively
/// shared and the model owner (party 0) holds scale = γ/√(var + ε) and bias = β − scale·mean in
/// plaintext (fixed point: scale at f fractional bits, bias at the output's scale, the sum of
/// the input's and the scale's; the truncation is the caller's). Semi-honest.
///
/// Computed as a depthwise 1x1 HeConv2d (sotto/mpc/ot/he_conv2d.h, groups = C, kernel
/// [C, 1, 1, 1] = scale), so it has the same packing, circuit privacy (σ = 40 flooding,
/// re-randomisation, masking), parameters (N = 8192, t = 2^64) and checks; party 0 then adds the
/// bias to its share. A constant-polynomial product per channel would need one ciphertext per
/// channel each way; the depthwise packing shares the upload between C_w channels and the
/// download between O_w of them.  // y0 = scale·x0 − R + bias,  y1 = scale·x1 + R
///
/// Cost: as HeConv2d for input [N, C, H, W] and weight [C, 1, 1, 1] with groups C (plan()): the
/// setup (4 B each way, then 217,113 B from party 1 to 0, at construction) and per call one round
/// trip with inputCiphertexts()·217,113 B up and the trimmed outputs down.

#include <memory>

#include "sotto/comm/communicator.h"
#include "sotto/mpc/ot/he_conv2d.h"
#include "sotto/tensor/ring_tensor.h"
#include "sotto/tensor/shape.h"

namespace sotto {

class HeBatchNorm {
 public:
  /// A BatchNorm over input [N, C, H, W] between the parties of comm (rank 0 the model owner).
  /// Both parties call it. Cost: the setup above.
  /// @throws InvalidArgument naming the shape if it is not [N, C, H, W] with every dimension
  ///         ≥ 1 or does not fit N (as HeConv2d); ProtocolError naming party 1 on a malformed
  ///         key; CommError.
  HeBatchNorm(Communicator& comm, const Shape& input, bool trim_download = true);
  /// The same on a shared session (sotto/mpc/ot/he_session.h): no setup, no message.
  /// @throws InvalidArgument as above, or if session is null.
  HeBatchNorm(std::shared_ptr<HeSession> session, const Shape& input);

  /// This party's share of scale·x + bias, from its share of x and, on party 0, scale and bias
  /// (each [C]; ignored on party 1). Cost: header.
  /// @throws InvalidArgument on shapes other than the constructor's; ProtocolError naming the
  ///         peer on a malformed or wrong-parameter ciphertext; CommError.
  RingTensor forward(const RingTensor& x_share, const RingTensor& scale, const RingTensor& bias);

  const HeConv2dPlan& plan() const { return conv_.plan(); }

 private:
  int64_t channels_;
  HeConv2d conv_;
};

}  // namespace sotto
