#!/usr/bin/python3
"""Exports AlexNet-CIFAR with fixed pseudo-random weights (torch.manual_seed(0)) to ONNX.

  Conv(3->64, 11x11, stride 4, pad 5) ReLU MaxPool2
  Conv(64->192, 5x5, pad 2) ReLU MaxPool2
  Conv(192->384, 3x3, pad 1) ReLU
  Conv(384->256, 3x3, pad 1) ReLU
  Conv(256->256, 3x3, pad 1) ReLU MaxPool2
  Flatten FC(256->10)                                   2,472,266 parameters, input 3x32x32

The weights are untrained (PyTorch's default initialisation under seed 0): the model is for
measuring private inference cost, not accuracy. The ~10 MB .onnx is not committed; the test
vectors are (tests/data/alexnet_input2.npy, alexnet_logits2.npy).

    /usr/bin/python3 models/export_alexnet.py [output.onnx]     # default /tmp/alexnet_cifar.onnx
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
EXPECTED_PARAMETERS = 2_472_266


def alexnet_cifar():
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=5), nn.ReLU(), nn.MaxPool2d(2),   # 64x8x8 -> 4x4
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),            # 192x4x4 -> 2x2
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),           # 256x1x1
        nn.Flatten(),
        nn.Linear(256, 10),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output", nargs="?", default="/tmp/alexnet_cifar.onnx")
    ap.add_argument("--vectors", default=os.path.join(REPO, "tests", "data"),
                    help="where alexnet_input2.npy and alexnet_logits2.npy go")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = alexnet_cifar().eval()
    params = sum(p.numel() for p in model.parameters())
    print(f"AlexNet-CIFAR: {params:,} parameters")
    if params != EXPECTED_PARAMETERS:
        raise SystemExit(f"expected {EXPECTED_PARAMETERS:,} parameters, got {params:,}")

    # Two deterministic inputs in the range of normalised images (roughly N(0, 1)).
    gen = torch.Generator().manual_seed(1234)
    x = torch.randn(2, 3, 32, 32, generator=gen)
    # Reference logits in float64 from the float32 weights (then stored as float32).
    with torch.no_grad():
        logits = copy.deepcopy(model).double()(x.double()).float()

    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), args.output, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(args.output)
    for key, value in {"parameters": str(params), "weights": "untrained, torch.manual_seed(0)",
                       "input_layout": "NCHW float32 [N,3,32,32]",
                       "exported_by": "models/export_alexnet.py"}.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(m)
    onnx.save(m, args.output)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"wrote {args.output} ({os.path.getsize(args.output):,} bytes, ops {ops})")

    os.makedirs(args.vectors, exist_ok=True)
    np.save(os.path.join(args.vectors, "alexnet_input2.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(args.vectors, "alexnet_logits2.npy"), logits.numpy().astype(np.float32))
    print(f"wrote {args.vectors}/alexnet_input2.npy [2,3,32,32] and alexnet_logits2.npy [2,10]: "
          f"logits range [{logits.min():.4f}, {logits.max():.4f}]")


if __name__ == "__main__":
    sys.exit(main())
