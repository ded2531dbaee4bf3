#!/usr/bin/python3
"""Makes the fixtures of tests/unit/onnx_torchops_test.cc (files tests/data/onnx_fixture_torchops*).

Run from anywhere with the Debian python that has torch and onnx (never by the build or tests):
    /usr/bin/python3 tests/data/onnx_fixture_torchops_make.py

* onnx_fixture_torchops{10,11,13,17}.onnx: one PyTorch module exported at three opsets with a dynamic
  batch, one graph output per op under test: Pad (constant 0.5, reflect, replicate = edge),
  AvgPool2d(padding=1) (PyTorch writes an all-zero Pad before it), torch.cat of data (Concat),
  torch.split (Split), x[:, 1:5, 2:7:2] (Slice with a step), LeakyReLU, ReLU6 (Clip), Hardsigmoid,
  Hardswish, mean over (2, 3) (ReduceMean), sum over 1 (ReduceSum). Opset 10 writes Pad's pads
  and Clip's bounds as attributes.
* onnx_fixture_torchops_small{7,8,9}.onnx: Conv, BatchNorm, Relu, MaxPool, AvgPool2d(padding 1),
  Flatten, Linear, Softmax at opsets 7 to 9 (fixed batch); PyTorch's output
  onnx_fixture_torchops_small_out.npy on onnx_fixture_torchops_x.npy.
* onnx_fixture_torchops_legacy9.onnx and onnx_fixture_torchops_new21.onnx (built node by node):
  the same computation, y = ReduceSum(Clip(Slice(Pad(x)))) and a Split, in each opset's form:
  attributes at opset 9 (Pad pads/value, Slice starts/ends/axes, Clip min/max, Split split,
  ReduceSum axes) and inputs at opset 21 (Pad pads/constant_value/axes, Slice, Clip, Split's
  num_outputs, ReduceSum axes). References onnx_fixture_torchops_forms_{x,y,s0,s1}.npy (NumPy).
* onnx_fixture_torchops_bad_*.onnx: forms still refused (Pad's wrap mode, a Slice
  step of 0, Split sizes that do not add up, Clip's min above max, Clip's bounds as inputs at opset 10); onnx_fixture_torchops_reverse
  (a Slice with step -1), onnx_fixture_torchops_concat_const (a constant before the input),
  onnx_fixture_torchops_leaky_steep (LeakyRelu with alpha 2.5). Input
  onnx_fixture_torchops_x.npy; PyTorch's outputs onnx_fixture_torchops_out_<name>.npy.
"""

import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.dirname(os.path.abspath(__file__))
NAMES = ["pad_const", "pad_reflect", "pad_edge", "avgpool", "leaky", "relu6", "hsigmoid",
         "hswish", "rmean", "rsum"]


def path(name):
    return os.path.join(OUT, name)


def save(name, array):
    np.save(path(name), np.ascontiguousarray(array, dtype=np.float32))


class TorchOps(nn.Module):
    def forward(self, x):                                    # [N,3,6,6]
        pad_const = F.pad(x, (1, 2, 0, 1), value=0.5)        # [N,3,7,9]
        pad_reflect = F.pad(x, (2, 1, 1, 2), mode="reflect")
        pad_edge = F.pad(x, (1, 1, 1, 1), mode="replicate")
        avg = F.avg_pool2d(x, 3, stride=1, padding=1)        # Pad (zeros) + AveragePool
        e = torch.cat([x, avg], dim=1)                       # [N,6,6,6]
        p, q = torch.split(e, [2, 4], dim=1)
        s = e[:, 1:5, 2:7:2, :]                              # [N,4,2,6]
        return (pad_const, pad_reflect, pad_edge, avg, F.leaky_relu(p, 0.1), F.relu6(q * 3),
                F.hardsigmoid(s * 2), F.hardswish(e * 3), e.mean((2, 3), keepdim=True),
                e.sum(1))


class SmallNet(nn.Module):
    """The ops older model zoos hold, for opsets 7 to 9."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 3 * 3, 5)
        with torch.no_grad():
            self.bn.running_mean.copy_(torch.randn(4) * 0.3)
            self.bn.running_var.copy_(torch.rand(4) + 0.5)

    def forward(self, x):                                    # [N,3,6,6]
        a = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)   # [N,4,3,3]
        a = F.avg_pool2d(a, 3, stride=1, padding=1)          # Pad + AveragePool
        return F.softmax(self.fc(torch.flatten(a, 1)), dim=1)


def old_opsets(x):
    torch.manual_seed(2)
    model = SmallNet().eval()
    with torch.no_grad():
        save("onnx_fixture_torchops_small_out.npy", model(x).numpy())
    for opset in (7, 8, 9):
        torch.onnx.export(model, x, path(f"onnx_fixture_torchops_small{opset}.onnx"),
                          opset_version=opset, input_names=["x"], output_names=["y"])


def main():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 6) * 2
    model = TorchOps().eval()
    with torch.no_grad():
        outs = model(x)
    save("onnx_fixture_torchops_x.npy", x.numpy())
    for name, out in zip(NAMES, outs):
        save(f"onnx_fixture_torchops_out_{name}.npy", out.numpy())
    for opset in (10, 11, 13, 17):
        torch.onnx.export(model, x, path(f"onnx_fixture_torchops{opset}.onnx"),
                          opset_version=opset, input_names=["x"], output_names=NAMES,
                          dynamic_axes={"x": {0: "batch"}})
    forms()
    old_opsets(x)
    errors()


def forms():
    """The opset 9 (attributes) and opset 21 (inputs) forms of Pad, Slice, Clip, Split, ReduceSum."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((2, 3, 4, 4)) * 2).astype(np.float32)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 2), (2, 1)), constant_values=0.25)   # [2,3,7,7]
    sliced = padded[:, :, 1:6, ::2]                                              # [2,3,5,4]
    y = np.clip(sliced, -0.5, 1.0).sum(axis=(1, 3), keepdims=True)               # [2,1,5,1]
    s0, s1 = x[:, :, :2], x[:, :, 2:]
    save("onnx_fixture_torchops_forms_x.npy", x)
    save("onnx_fixture_torchops_forms_y.npy", y)
    save("onnx_fixture_torchops_forms_s0.npy", s0)
    save("onnx_fixture_torchops_forms_s1.npy", s1)
    ins = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4, 4])]
    outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("y", "s0", "s1")]
    big = np.iinfo(np.int64).max

    def ints(name, v):
        return numpy_helper.from_array(np.array(v, dtype=np.int64), name)

    old = [
        helper.make_node("Pad", ["x"], ["p"], pads=[0, 0, 1, 2, 0, 0, 2, 1], value=0.25),
        helper.make_node("Slice", ["p"], ["q"], starts=[1, 0], ends=[6, big], axes=[2, 3]),
        # Opset 9's Slice has no steps: the ::2 is a Gather of the even columns.
        helper.make_node("Gather", ["q", "even"], ["p2"], axis=3),
        helper.make_node("Clip", ["p2"], ["c"], min=-0.5, max=1.0),
        helper.make_node("ReduceSum", ["c"], ["y"], axes=[1, 3], keepdims=1),
        helper.make_node("Split", ["x"], ["s0", "s1"], axis=2, split=[2, 2]),
    ]
    m = helper.make_model(helper.make_graph(old, "forms9", ins, outs, [ints("even", [0, 2, 4, 6])]),
                          opset_imports=[helper.make_opsetid("", 9)], producer_name="sotto-fixture")
    onnx.save(m, path("onnx_fixture_torchops_legacy9.onnx"))
    new = [
        helper.make_node("Pad", ["x", "pads", "pv", "pax"], ["p"], mode="constant"),
        helper.make_node("Slice", ["p", "st", "en", "ax", "sp"], ["p2"]),
        helper.make_node("Clip", ["p2", "lo", "hi"], ["c"]),
        helper.make_node("ReduceSum", ["c", "rax"], ["y"], keepdims=1),
        helper.make_node("Split", ["x"], ["s0", "s1"], axis=2, num_outputs=2),
    ]
    inits = [ints("pads", [1, 2, 2, 1]), numpy_helper.from_array(np.array(0.25, np.float32), "pv"),
             ints("pax", [2, 3]), ints("st", [1, 0]), ints("en", [6, big]), ints("ax", [2, -1]),
             ints("sp", [1, 2]), numpy_helper.from_array(np.array(-0.5, np.float32), "lo"),
             numpy_helper.from_array(np.array(1.0, np.float32), "hi"), ints("rax", [1, 3])]
    m = helper.make_model(helper.make_graph(new, "forms21", ins, outs, inits),
                          opset_imports=[helper.make_opsetid("", 21)], producer_name="sotto-fixture")
    onnx.save(m, path("onnx_fixture_torchops_new21.onnx"))
    for opset in (6, 22):  # outside 7..21: refused
        m.opset_import[0].version = opset
        onnx.save(m, path(f"onnx_fixture_torchops_opset{opset}.onnx"))


def errors():
    """Forms still unsupported, one file each: onnx_fixture_torchops_bad_<case>.onnx."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)

    def ints(name, v):
        return numpy_helper.from_array(np.array(v, dtype=np.int64), name)

    cases = {
        "pad_wrap": (19, [helper.make_node("Pad", ["x", "pads"], ["y"], "pad_node", mode="wrap")],
                     [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])]),
        "slice_zero_step": (13, [helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"],
                                                  "slice_node")],
                            [ints("s", [0]), ints("e", [4]), ints("a", [3]), ints("st", [0])]),
        "split_sizes": (13, [helper.make_node("Split", ["x", "sp"], ["y", "z"], "split_node",
                                              axis=1)], [ints("sp", [1, 2])]),
        "clip_order": (11, [helper.make_node("Clip", ["x", "lo", "hi"], ["y"], "clip_node")],
                       [numpy_helper.from_array(np.array(2.0, np.float32), "lo"),
                        numpy_helper.from_array(np.array(1.0, np.float32), "hi")]),
        "clip_inputs_opset10": (10, [helper.make_node("Clip", ["x", "lo", "hi"], ["y"],
                                                      "old_clip")],
                                [numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
                                 numpy_helper.from_array(np.array(1.0, np.float32), "hi")]),
    }
    for name, (opset, nodes, inits) in cases.items():
        outs = [y] + ([helper.make_tensor_value_info("z", TensorProto.FLOAT, None)]
                      if name == "split_sizes" else [])
        m = helper.make_model(helper.make_graph(nodes, name, [x], outs, inits),
                              opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="sotto-fixture")
        onnx.save(m, path(f"onnx_fixture_torchops_bad_{name}.onnx"))
    # A step of -1: the last axis reversed.
    m = helper.make_model(
        helper.make_graph([helper.make_node("Slice", ["x", "s", "e", "a", "st"], ["y"],
                                            "reverse_node")], "reverse", [x], [y],
                          [ints("s", [-1]), ints("e", [-100]), ints("a", [3]), ints("st", [-1])]),
        opset_imports=[helper.make_opsetid("", 13)], producer_name="sotto-fixture")
    onnx.save(m, path("onnx_fixture_torchops_reverse.onnx"))
    # Concat of the input and a constant [1, 1, 4, 4] holding 0.1 * (0..15), along the channels.
    c = numpy_helper.from_array((np.arange(16, dtype=np.float32) * 0.1).reshape(1, 1, 4, 4), "c")
    m = helper.make_model(
        helper.make_graph([helper.make_node("Concat", ["c", "x"], ["y"], "concat_node", axis=1)],
                          "concat_const", [x], [y], [c]),
        opset_imports=[helper.make_opsetid("", 13)], producer_name="sotto-fixture")
    onnx.save(m, path("onnx_fixture_torchops_concat_const.onnx"))
    # LeakyRelu with a slope above 1 (the private plan takes min(x, a x) there).
    m = helper.make_model(
        helper.make_graph([helper.make_node("LeakyRelu", ["x"], ["y"], "leaky_node", alpha=2.5)],
                          "leaky_steep", [x], [y]),
        opset_imports=[helper.make_opsetid("", 13)], producer_name="sotto-fixture")
    onnx.save(m, path("onnx_fixture_torchops_leaky_steep.onnx"))


if __name__ == "__main__":
    main()
