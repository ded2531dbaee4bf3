#!/usr/bin/python3
"""Makes the fixtures of tests/unit/onnx_torchops_test.cc (files tests/data/onnx_fixture_torchops*).

Run from anywhere with the Debian python that has torch and onnx (never by the build or tests):
    /usr/bin/python3 tests/data/onnx_fixture_torchops_make.py

* onnx_fixture_torchops{11,13,17}.onnx: one PyTorch module exported at three opsets with a dynamic
  batch, one graph output per op under test: Pad (constant 0.5, reflect, replicate = edge),
  AvgPool2d(padding=1) (PyTorch writes an all-zero Pad before it), torch.cat of data (Concat),
  torch.split (Split), x[:, 1:5, 2:7:2] (Slice with a step), LeakyReLU, ReLU6 (Clip), Hardsigmoid,
  Hardswish, mean over (2, 3) (ReduceMean), sum over 1 (ReduceSum). Input
  onnx_fixture_torchops_x.npy; PyTorch's outputs onnx_fixture_torchops_out_<name>.npy.
"""

import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

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


def main():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 6) * 2
    model = TorchOps().eval()
    with torch.no_grad():
        outs = model(x)
    save("onnx_fixture_torchops_x.npy", x.numpy())
    for name, out in zip(NAMES, outs):
        save(f"onnx_fixture_torchops_out_{name}.npy", out.numpy())
    for opset in (11, 13, 17):
        torch.onnx.export(model, x, path(f"onnx_fixture_torchops{opset}.onnx"),
                          opset_version=opset, input_names=["x"], output_names=NAMES,
                          dynamic_axes={"x": {0: "batch"}})


if __name__ == "__main__":
    main()
