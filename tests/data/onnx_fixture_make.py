#!/usr/bin/python3
"""Makes the small ONNX fixtures of tests/unit/onnx_*_test.cc (files tests/data/onnx_fixture_*).

Run from anywhere with the Debian python that has torch and onnx (never by the build or tests):
    /usr/bin/python3 tests/data/onnx_fixture_make.py

* onnx_fixture_ops{11,13,17}.onnx: one PyTorch module exported at three opsets with a dynamic
  batch: Conv + BatchNorm (folded), grouped Conv, MaxPool with padding, Transpose,
  Unsqueeze/Squeeze, x.view(x.size(0), -1) (Shape/Gather/Unsqueeze/Concat), Linear (Gemm),
  Pow 2, Div by a constant, Sub, Neg, LogSoftmax. Input onnx_fixture_ops_input.npy, PyTorch's
  output onnx_fixture_ops_output.npy.
* onnx_fixture_handmade.onnx (opset 12, built node by node): Identity, Dropout, Constant
  (value_float, value_ints), AveragePool with count_include_pad=1, legacy Softmax (axis 1 of a
  4-D tensor: softmax over the flattened 48 values), Gemm with alpha, beta and transB = 0,
  Transpose without perm, Squeeze/Unsqueeze with axes attributes, BatchNormalization after a
  non-Conv. References computed with PyTorch: onnx_fixture_handmade_{x,out_*}.npy.
* onnx_fixture_bn_shared.onnx (opset 15, float64): a Conv feeding a BatchNormalization and a
  Relu (the BN is not folded); references onnx_fixture_bn_shared_{x,out_bn,out_relu}.npy.
* Error cases: onnx_fixture_{unsupported,dilated,external,domain,div_data,pow3}.onnx;
  onnx_fixture_opset10.onnx (once refused, now loads: opsets 7 to 21 are accepted).
* TensorProto files: onnx_fixture_tensor_int64.pb (raw data), onnx_fixture_tensor_float.pb
  (float_data field).
"""

import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(OUT, name)


def save(name, array):
    np.save(path(name), np.ascontiguousarray(array, dtype=np.float32))


class Ops(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.gconv = nn.Conv2d(4, 4, 3, padding=1, stride=2, groups=2)
        self.fc = nn.Linear(4 * 2 * 2, 5)
        with torch.no_grad():
            self.bn.running_mean.copy_(torch.randn(4) * 0.3)
            self.bn.running_var.copy_(torch.rand(4) + 0.5)
            self.bn.weight.copy_(torch.rand(4) + 0.5)
            self.bn.bias.copy_(torch.randn(4) * 0.2)

    def forward(self, x):
        a = F.relu(self.bn(self.conv(x)))                    # [N,4,6,6]
        a = F.max_pool2d(a, 3, stride=2, padding=1)          # [N,4,3,3]
        a = self.gconv(a)                                    # [N,4,2,2]
        a = a.permute(0, 2, 3, 1).unsqueeze(1).squeeze(1)    # [N,2,2,4]
        f = a.reshape(a.size(0), -1)                         # [N,16]
        y = self.fc(f)
        y = (y ** 2) / 4.0 - y
        return torch.log_softmax(-y, dim=1)


def export_ops():
    torch.manual_seed(1)
    model = Ops().eval()
    x = torch.linspace(-2, 2, 2 * 3 * 6 * 6).reshape(2, 3, 6, 6).sin() * 1.5
    with torch.no_grad():
        y = model(x)
    save("onnx_fixture_ops_input.npy", x.numpy())
    save("onnx_fixture_ops_output.npy", y.numpy())
    for opset in (11, 13, 17):
        torch.onnx.export(model, x, path(f"onnx_fixture_ops{opset}.onnx"), opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                          training=torch.onnx.TrainingMode.PRESERVE)
    # A model at opset 10 (accepted since opsets 7 to 21 are).
    torch.onnx.export(nn.Linear(2, 2), torch.zeros(1, 2), path("onnx_fixture_opset10.onnx"),
                      opset_version=10, input_names=["input"], output_names=["output"])


def tensor(name, array, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(array, dtype=dtype), name)


def model(nodes, inputs, outputs, inits=(), opset=11, domains=()):
    graph = helper.make_graph(nodes, "fixture", inputs, outputs, list(inits))
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=imports, producer_name="sotto-fixture")
    m.ir_version = 7
    return m


def vi(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def export_handmade():
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, (2, 3, 4, 4)).astype(np.float32)
    w = rng.uniform(-1, 1, (48, 5)).astype(np.float32)         # Gemm B [K, N], transB = 0
    c = rng.uniform(-1, 1, (5,)).astype(np.float32)
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.uniform(-0.2, 0.2, 3)
    mean, var = rng.uniform(-0.3, 0.3, 3), rng.uniform(0.5, 1.5, 3)
    nodes = [
        helper.make_node("Identity", ["x"], ["xi"], name="ident"),
        helper.make_node("Dropout", ["xi", "ratio"], ["xd", "mask"], name="drop"),
        helper.make_node("AveragePool", ["xd"], ["p"], name="avg", kernel_shape=[3, 3],
                         strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("Softmax", ["p"], ["out_softmax"], name="legacy_softmax", axis=1),
        helper.make_node("Flatten", ["p"], ["pf"], name="flat", axis=1),
        helper.make_node("Gemm", ["pf", "w", "c"], ["out_gemm"], name="gemm", alpha=0.5, beta=2.0),
        helper.make_node("Transpose", ["xd"], ["t"], name="transpose"),       # reversed axes
        helper.make_node("Constant", [], ["half"], name="k_half", value_float=0.5),
        helper.make_node("Mul", ["t", "half"], ["th"], name="mul_half"),
        helper.make_node("Unsqueeze", ["th"], ["tu"], name="unsq", axes=[0, 3]),
        helper.make_node("Squeeze", ["tu"], ["ts"], name="sq", axes=[0]),     # [4,4,1,3,2]
        helper.make_node("Constant", [], ["shape"], name="k_shape", value_ints=[4, 4, 6]),
        helper.make_node("Reshape", ["ts", "shape"], ["out_transposed"], name="reshape"),
        helper.make_node("BatchNormalization", ["p", "gamma", "beta", "mean", "var"], ["bn"],
                         name="bn_alone", epsilon=1e-3),
        helper.make_node("Sigmoid", ["bn"], ["out_bn"], name="sig"),
    ]
    inits = [tensor("ratio", 0.3), tensor("w", w), tensor("c", c), tensor("gamma", gamma), tensor("beta", beta),
             tensor("mean", mean), tensor("var", var)]
    outs = [vi("out_softmax", [2, 3, 4, 4]), vi("out_gemm", [2, 5]),
            vi("out_transposed", [4, 4, 6]), vi("out_bn", [2, 3, 4, 4])]
    # "w" is listed as a graph input as well (old exporters did that): it is a weight, not data.
    m = model(nodes, [vi("x", [2, 3, 4, 4]), vi("w", [48, 5])], outs, inits, opset=12)
    onnx.checker.check_model(m)
    onnx.save(m, path("onnx_fixture_handmade.onnx"))

    tx = torch.from_numpy(x).double()
    p = F.avg_pool2d(tx, 3, stride=1, padding=1, count_include_pad=True)
    refs = {
        "out_softmax": torch.softmax(p.reshape(2, -1), dim=1).reshape(2, 3, 4, 4),
        "out_gemm": 0.5 * p.reshape(2, -1) @ torch.from_numpy(w).double()
        + 2.0 * torch.from_numpy(c).double(),
        "out_transposed": (tx.permute(3, 2, 1, 0) * 0.5).reshape(4, 4, 6),
        "out_bn": torch.sigmoid(F.batch_norm(p, torch.tensor(mean), torch.tensor(var),
                                             torch.tensor(gamma), torch.tensor(beta),
                                             eps=1e-3)),
    }
    save("onnx_fixture_handmade_x.npy", x)
    for name, value in refs.items():
        save(f"onnx_fixture_handmade_{name}.npy", value.numpy())


def export_errors():
    x = vi("x", [1, 2, 4, 4])
    w = tensor("w", np.ones((2, 2, 3, 3)))
    # An op that is not supported.
    m = model([helper.make_node("Elu", ["x"], ["y"], name="my_elu")], [x], [vi("y", None)])
    onnx.save(m, path("onnx_fixture_unsupported.onnx"))
    # A supported op with an unsupported attribute value.
    m = model([helper.make_node("Conv", ["x", "w"], ["y"], name="dilated_conv",
                                dilations=[2, 2])], [x], [vi("y", None)], [w])
    onnx.save(m, path("onnx_fixture_dilated.onnx"))
    # Weights in an external file.
    ext = tensor("w", np.ones((2, 2, 3, 3)))
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key="location", value="weights.bin")
    m = model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], [x], [vi("y", None)],
              [ext])
    onnx.save(m, path("onnx_fixture_external.onnx"))
    # A node of another domain.
    m = model([helper.make_node("FusedConv", ["x", "w"], ["y"], name="fused",
                                domain="com.microsoft")], [x], [vi("y", None)], [w],
              domains=["com.microsoft"])
    onnx.save(m, path("onnx_fixture_domain.onnx"))
    # Division by a computed value.
    m = model([helper.make_node("Div", ["x", "x"], ["y"], name="div_by_data")], [x],
              [vi("y", None)])
    onnx.save(m, path("onnx_fixture_div_data.onnx"))


def export_bn_shared():
    # Conv whose output feeds a BatchNormalization and a Relu: the BN must stay (folding it would
    # change the Relu's input). Float64 tensors throughout (double initializers).
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, (1, 2, 5, 5))
    w, b = rng.uniform(-1, 1, (3, 2, 3, 3)), rng.uniform(-1, 1, (3,))
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.uniform(-0.2, 0.2, 3)
    mean, var = rng.uniform(-0.3, 0.3, 3), rng.uniform(0.5, 1.5, 3)
    d = TensorProto.DOUBLE
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["y", "gamma", "beta", "mean", "var"], ["out_bn"],
                         name="bn"),
        helper.make_node("Relu", ["y"], ["out_relu"], name="relu"),
    ]
    inits = [tensor(n, v, np.float64) for n, v in
             (("w", w), ("b", b), ("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var))]
    m = model(nodes, [helper.make_tensor_value_info("x", d, [1, 2, 5, 5])],
              [helper.make_tensor_value_info("out_bn", d, [1, 3, 5, 5]),
               helper.make_tensor_value_info("out_relu", d, [1, 3, 5, 5])], inits, opset=15)
    onnx.checker.check_model(m)
    onnx.save(m, path("onnx_fixture_bn_shared.onnx"))
    y = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), padding=1)
    bn = F.batch_norm(y, torch.tensor(mean), torch.tensor(var), torch.tensor(gamma),
                      torch.tensor(beta), eps=1e-5)
    np.save(path("onnx_fixture_bn_shared_x.npy"), x)
    np.save(path("onnx_fixture_bn_shared_out_bn.npy"), bn.numpy())
    np.save(path("onnx_fixture_bn_shared_out_relu.npy"), F.relu(y).numpy())
    # Pow with an exponent other than 2 is an error.
    xs = vi("x", [2])
    m = model([helper.make_node("Pow", ["x", "e"], ["y"], name="cube")], [xs], [vi("y", None)],
              [tensor("e", 3.0)])
    onnx.save(m, path("onnx_fixture_pow3.onnx"))


def export_tensors():
    # raw_data int64, and float32 in the typed float_data field.
    t = numpy_helper.from_array(np.arange(-2, 4, dtype=np.int64).reshape(2, 3), "ints")
    with open(path("onnx_fixture_tensor_int64.pb"), "wb") as f:
        f.write(t.SerializeToString())
    t = helper.make_tensor("floats", TensorProto.FLOAT, [3, 1], [0.5, -1.25, 3.0], raw=False)
    with open(path("onnx_fixture_tensor_float.pb"), "wb") as f:
        f.write(t.SerializeToString())


if __name__ == "__main__":
    torch.set_num_threads(1)
    export_ops()
    export_handmade()
    export_errors()
    export_bn_shared()
    export_tensors()
    for f in sorted(os.listdir(OUT)):
        if f.startswith("onnx_fixture_") and not f.endswith(".py"):
            print(f"{f}: {os.path.getsize(path(f))} bytes")
