#!/usr/bin/python3
"""Trains Sotto's two recurrent Fashion-MNIST classifiers and exports them to ONNX with test vectors.

Each image is read row by row: a sequence of 28 steps of 28 features (the rows, normalised as for
LeNet5), one recurrent layer of hidden size 128, and a linear classifier on the last hidden state:

  (a) gru128   GRU(28 -> 128) (PyTorch's cell: linear_before_reset = 1), FC(128 -> 10)
               3*(28*128 + 128*128 + 2*128) + 128*10 + 10 = 61,962 parameters
  (b) lstm128  LSTM(28 -> 128), FC(128 -> 10)
               4*(28*128 + 128*128 + 2*128) + 128*10 + 10 = 82,186 parameters

Input "input" float32 [N, 28, 28] (batch, step, feature), output "logits" [N, 10]. PyTorch exports
the batch-first layer as Transpose -> GRU/LSTM (ONNX layout 0) and takes Y_h of the last step.
Reads the IDX .gz files directly (train_lenet5.py's reader), fixed seed 0.

Run with Debian's python (it has torch and onnx):
    /usr/bin/python3 models/train_rnn.py             # trains both, about 20 min each on one thread;
                                                     # --only gru|lstm trains one
Writes models/gru128.onnx, models/lstm128.onnx and, in tests/data, rnn_input16.npy (the first 16
test images as sequences), gru128_logits16.npy and lstm128_logits16.npy (float64 evaluation of the
float32 weights, rounded to float32).
"""

import argparse
import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

from train_lenet5 import SEED, evaluate, export, load_split, train

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
HIDDEN = 128
EXPECTED_PARAMETERS = {"gru128": 61_962, "lstm128": 82_186}


class RowClassifier(nn.Module):
    """A recurrent layer over the rows of an image, then a linear layer on its last hidden state."""

    def __init__(self, cell):
        super().__init__()
        kind = {"gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.rnn = kind(28, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, 10)

    def forward(self, x):
        _, state = self.rnn(x)
        h = state[0] if isinstance(state, tuple) else state  # LSTM: (h, c)
        return self.fc(h[-1])


def as_sequences(images):
    """[n, 1, 28, 28] normalised images -> [n, 28, 28] sequences (28 steps of one row each)."""
    return images[:, 0].contiguous()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=6e-3)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=HERE, help="where the .onnx files go")
    ap.add_argument("--vectors", default=os.path.join(REPO, "tests", "data"),
                    help="where the .npy test vectors go")
    ap.add_argument("--only", choices=["gru", "lstm"], help="train one model only")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    t0 = time.time()
    train_x, train_y = load_split(args.data, "train")
    test_x, test_y = load_split(args.data, "t10k")
    train_x, test_x = as_sequences(train_x), as_sequences(test_x)
    print(f"train {tuple(train_x.shape)}, test {tuple(test_x.shape)}", flush=True)

    os.makedirs(args.vectors, exist_ok=True)
    first16 = test_x[:16].contiguous()
    np.save(os.path.join(args.vectors, "rnn_input16.npy"), first16.numpy().astype(np.float32))

    for cell in ("gru", "lstm"):
        if args.only and args.only != cell:
            continue
        name = f"{cell}{HIDDEN}"
        torch.manual_seed(SEED)
        model = RowClassifier(cell)
        params = sum(p.numel() for p in model.parameters())
        if params != EXPECTED_PARAMETERS[name]:
            raise SystemExit(f"{name}: expected {EXPECTED_PARAMETERS[name]:,} parameters, "
                             f"got {params:,}")
        print(f"[{name}] {params} parameters, {args.epochs} epochs, batch {args.batch}, Adam lr "
              f"{args.lr} (one-cycle), clip 1.0", flush=True)
        seconds = train(name, model, train_x, train_y, test_x, test_y, args.epochs, args.lr,
                        clip=1.0, weight_decay=0.0, batch=args.batch)
        acc = evaluate(model, test_x, test_y)
        print(f"[{name}] final test accuracy {100 * acc:.2f}% over {len(test_x)} images, "
              f"trained in {seconds:.0f} s", flush=True)
        export(model, os.path.join(args.out, f"{name}.onnx"), acc,
               {"parameters": str(params), "epochs": str(args.epochs), "seed": str(SEED)},
               dummy_shape=(1, 28, 28), opset=14,
               input_layout="float32 [N,28,28]: 28 steps (image rows) of 28 features",
               trained_by="models/train_rnn.py")
        with torch.no_grad():
            logits = copy.deepcopy(model).double()(first16.double()).numpy().astype(np.float32)
        np.save(os.path.join(args.vectors, f"{name}_logits16.npy"), logits)
        print(f"[{name}] first 16 predictions {logits.argmax(1).tolist()}", flush=True)
    print(f"total {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
