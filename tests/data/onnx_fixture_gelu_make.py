#!/usr/bin/python3
"""Makes the fixtures of the GELU and Erf cases of tests/unit/onnx_torchops_test.cc.

Run from anywhere with the Debian python that has torch and onnx (never by the build or tests):
    /usr/bin/python3 tests/data/onnx_fixture_gelu_make.py

* onnx_fixture_gelu17.onnx: PyTorch's export at opset 17 of gelu(3x) (no Gelu op before opset
  20: Div, Erf, Add, Mul, Mul) and erf(2x), outputs "gelu" and "erf".
* onnx_fixture_gelu20.onnx (built node by node, opset 20): Gelu(3x) in both forms ("gelu",
  "gelu_tanh") and Erf(2x) ("erf").
* onnx_fixture_gelu_bad_approx.onnx: Gelu with approximate="fast" (refused, by name).
Input onnx_fixture_gelu_x.npy [1, 2, 4, 4] (seed 7, uniform in [-2.5, 2.5], with 0 and values
near it); PyTorch's outputs onnx_fixture_gelu_out_<name>.npy.
"""

import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(OUT, name)


class GeluErf(torch.nn.Module):
    def forward(self, x):
        return F.gelu(x * 3), torch.erf(x * 2)


def node_model(opset, nodes, outputs, inits, name):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs]
    return helper.make_model(helper.make_graph(nodes, name, [x], outs, inits),
                             opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="sotto-fixture")


def main():
    torch.manual_seed(7)
    x = torch.rand(1, 2, 4, 4) * 5 - 2.5
    x[0, 0, 0, :4] = torch.tensor([0.0, 0.001, -0.001, -0.02])
    np.save(path("onnx_fixture_gelu_x.npy"), x.numpy().astype(np.float32))
    with torch.no_grad():
        y = {"gelu": F.gelu(x * 3), "gelu_tanh": F.gelu(x * 3, approximate="tanh"),
             "erf": torch.erf(x * 2)}
    for name, v in y.items():
        np.save(path(f"onnx_fixture_gelu_out_{name}.npy"), v.numpy().astype(np.float32))
    torch.onnx.export(GeluErf(), x, path("onnx_fixture_gelu17.onnx"), opset_version=17,
                      input_names=["x"], output_names=["gelu", "erf"])
    three = numpy_helper.from_array(np.array(3.0, np.float32), "three")
    two = numpy_helper.from_array(np.array(2.0, np.float32), "two")
    nodes = [helper.make_node("Mul", ["x", "three"], ["x3"], "mul3"),
             helper.make_node("Mul", ["x", "two"], ["x2"], "mul2"),
             helper.make_node("Gelu", ["x3"], ["gelu"], "gelu_node"),
             helper.make_node("Gelu", ["x3"], ["gelu_tanh"], "gelu_tanh_node", approximate="tanh"),
             helper.make_node("Erf", ["x2"], ["erf"], "erf_node")]
    onnx.save(node_model(20, nodes, ["gelu", "gelu_tanh", "erf"], [three, two], "gelu20"),
              path("onnx_fixture_gelu20.onnx"))
    bad = [helper.make_node("Gelu", ["x"], ["y"], "gelu_node", approximate="fast")]
    onnx.save(node_model(20, bad, ["y"], [], "gelu_bad"), path("onnx_fixture_gelu_bad_approx.onnx"))


if __name__ == "__main__":
    main()
