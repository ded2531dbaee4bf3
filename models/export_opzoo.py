#!/usr/bin/python3
"""Exports two tiny ONNX models covering the ops LeNet5 does not use, for the importer tests.

tests/data/opzoo.onnx, input "input" [N,3,8,8] -> output "output" [N,10] (probabilities):
    a = BatchNorm2d(Conv 3->4, 3x3, pad 1)(x)          Conv + BatchNormalization (eval mode)
    a = AvgPool2d(2)(a)                                AveragePool 2x2 stride 2  [N,4,4,4]
    r = BatchNorm2d(a + tanh(Conv 4->4 3x3 pad 1 (a)))  Tanh, residual Add, a BatchNormalization
                                                       that does not follow a Conv
    r = AvgPool2d(3, stride 1, pad 1, count_include_pad=False)(r)
    g = AdaptiveAvgPool2d(1)(r)                        GlobalAveragePool          [N,4,1,1]
    s = sigmoid(r) * g                                 Sigmoid, broadcasting Mul
    f = s.reshape(s.shape[0], -1)                      Shape/Gather/Unsqueeze/Concat -> Reshape
    y = softmax(f @ W + b, dim=-1)                     MatMul with a weight, Add, Softmax

tests/data/opzoo_math.onnx, input "input" [N,6] (values in [-3, 3]) -> five outputs:
    exp = exp(x / 2)         (Div by a constant, Exp)
    log = log(x*x + 1)       (Log of a value >= 1; x*x instead of abs(x): the importer has no Abs)
    reciprocal = 1/(x*x + 1) (Reciprocal)
    sqrt = sqrt(x*x + 1)     (Sqrt)
    mix = -(exp - log) * reciprocal + sqrt   (Sub, Neg, Mul, Add)

Weights come from torch.manual_seed(0); inputs are deterministic formulas. Every value stays well
inside |x| < 20. Writes the .onnx files and, beside them, <model>_input.npy and
<model>_<output>.npy (float32) with PyTorch's outputs.

    /usr/bin/python3 models/export_opzoo.py [--out tests/data]
"""

import argparse
import copy
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


class OpZoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.pool1 = nn.AvgPool2d(2, count_include_pad=False)  # the default adds a Pad node
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(4)
        self.pool2 = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.weight = nn.Parameter(torch.randn(64, 10) * 1.5)
        self.bias = nn.Parameter(torch.randn(10) * 0.1)
        # Non-trivial running statistics and affine parameters, so BatchNorm does something.
        with torch.no_grad():
            for bn in (self.bn1, self.bn2):
                bn.running_mean.copy_(torch.randn(4) * 0.2)
                bn.running_var.copy_(torch.rand(4) + 0.5)
                bn.weight.copy_(torch.rand(4) + 0.5)
                bn.bias.copy_(torch.randn(4) * 0.1)

    def forward(self, x):
        a = self.pool1(self.bn1(self.conv1(x)))
        r = self.bn2(a + torch.tanh(self.conv2(a)))
        r = self.pool2(r)
        s = torch.sigmoid(r) * self.gap(r)
        f = s.reshape(s.shape[0], -1)
        return torch.softmax(torch.matmul(f, self.weight) + self.bias, dim=-1)


class OpZooMath(nn.Module):
    def forward(self, x):
        e = torch.exp(x / 2.0)
        sq = x * x + 1.0
        lg = torch.log(sq)
        rc = torch.reciprocal(sq)
        rt = torch.sqrt(sq)
        mix = -(e - lg) * rc + rt
        return e, lg, rc, rt, mix


def export(model, example, path, outputs):
    model.eval()
    axes = {"input": {0: "N"}}
    axes.update({name: {0: "N"} for name in outputs})
    # PRESERVE keeps BatchNormalization as its own node (EVAL would fuse it into the Conv, and
    # the importer's folding would go untested); the model is in eval mode either way.
    torch.onnx.export(model, example, path, opset_version=13, input_names=["input"],
                      output_names=outputs, dynamic_axes=axes, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.PRESERVE)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    size = os.path.getsize(path)
    print(f"wrote {path} ({size:,} bytes), ops {ops}")
    if size >= 50_000:
        raise SystemExit(f"{path} is {size} bytes, over the 50 KB budget")
    return ops


def save_vectors(out, stem, x, results, outputs):
    np.save(os.path.join(out, f"{stem}_input.npy"), x.numpy().astype(np.float32))
    for name, value in zip(outputs, results):
        v = value.detach().numpy().astype(np.float32)
        if not np.all(np.abs(v) < 20):
            raise SystemExit(f"{stem}/{name}: values out of range")
        np.save(os.path.join(out, f"{stem}_{name}.npy"), v)
        print(f"  {stem}_{name}.npy {list(v.shape)} range [{v.min():.4f}, {v.max():.4f}]")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "data"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(0)

    zoo = OpZoo().eval()
    # 3 deterministic images: smooth patterns in [-2, 2].
    n, c, h, w = torch.meshgrid(torch.arange(3.0), torch.arange(3.0), torch.arange(8.0),
                                torch.arange(8.0), indexing="ij")
    x = 2.0 * torch.sin(0.7 * h + 1.3 * w + 2.1 * c + 0.9 * n) * torch.cos(0.4 * w - 0.5 * n)
    # References in float64 from the float32 weights (stored as float32).
    with torch.no_grad():
        y = copy.deepcopy(zoo).double()(x.double())
    ops = export(zoo, torch.zeros(1, 3, 8, 8), os.path.join(args.out, "opzoo.onnx"), ["output"])
    for needed in ("BatchNormalization", "AveragePool", "GlobalAveragePool", "Sigmoid", "Tanh",
                   "Add", "Softmax", "MatMul", "Reshape", "Conv", "Mul"):
        if needed not in ops:
            raise SystemExit(f"opzoo.onnx: exporter did not emit {needed}")
    save_vectors(args.out, "opzoo", x, [y], ["output"])

    outputs = ["exp", "log", "reciprocal", "sqrt", "mix"]
    xm = torch.linspace(-3.0, 3.0, 24).reshape(4, 6)
    with torch.no_grad():
        ym = OpZooMath()(xm.double())
    ops = export(OpZooMath(), torch.zeros(1, 6), os.path.join(args.out, "opzoo_math.onnx"),
                 outputs)
    for needed in ("Exp", "Log", "Reciprocal", "Sqrt", "Neg", "Sub", "Div"):
        if needed not in ops:
            raise SystemExit(f"opzoo_math.onnx: exporter did not emit {needed}")
    save_vectors(args.out, "opzoo_math", xm, ym, outputs)


if __name__ == "__main__":
    sys.exit(main())
