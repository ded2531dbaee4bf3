#pragma once
// The built-in op families of the plaintext model layer, each in its own file (op_registry.h).
#include <set>
#include <string>

#include "sotto/model/op_registry.h"

namespace sotto::nn {

/// The symbolic dimension number `id` (op_registry.h); the importer numbers them from 0.
int64_t symbolicDim(int64_t id);

namespace ops {

void addLinearOps(OpRegistry& r);       // Conv, Gemm, MatMul, BatchNormalization
void addElementwiseOps(OpRegistry& r);  // Add, Sub, Mul, Div, Neg
void addPoolingOps(OpRegistry& r);      // MaxPool, AveragePool, GlobalAveragePool
void addActivationOps(OpRegistry& r);   // Relu, Sigmoid, Tanh, Exp, Log, Reciprocal, Sqrt,
                                        // Softmax, LogSoftmax
void addShapeOps(OpRegistry& r);        // Flatten, Reshape, Transpose, Squeeze, Unsqueeze,
                                        // Gather, ConstantOfShape
void addRecurrentOps(OpRegistry& r);    // GRU, LSTM
void addPiecewiseOps(OpRegistry& r);    // LeakyRelu, Clip, HardSigmoid, HardSwish
void addSlicingOps(OpRegistry& r);      // Concat, Split, Slice, Pad
void addReduceOps(OpRegistry& r);       // ReduceSum, ReduceMean

/// Conv -> BatchNormalization where the conv's output feeds only the BN (and is not one of
/// `graph_outputs`): the BN is folded into the conv's weights and bias and removed from `g`.
/// @throws InvalidArgument (through ctx) if the BN's parameters do not match the channels.
void foldBatchNormsIntoConvs(ImportContext& ctx, Graph& g,
                             const std::set<std::string>& graph_outputs);

}  // namespace ops
}  // namespace sotto::nn
