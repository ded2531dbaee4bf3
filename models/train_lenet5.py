#!/usr/bin/python3
"""Trains Sotto's two Fashion-MNIST models and exports them to ONNX with test vectors.

  (a) lenet5       Conv(1->6,5x5) ReLU MaxPool2 Conv(6->16,5x5) ReLU MaxPool2 Flatten(256)
                   FC120 ReLU FC84 ReLU FC10                              (44,426 parameters)
  (b) lenet5_poly  the same layers with every ReLU replaced by a trainable quadratic
                   a*x^2 + b*x + c (per channel after a conv, per feature after an FC) and every
                   MaxPool by AvgPool2: only additions and multiplications, cheap under MPC
                   (44,426 + 3*(6+16+120+84) = 45,104 parameters)

Input: 1x28x28, normalised as (x/255 - 0.2860) / 0.3530 (Fashion-MNIST training-set mean and
standard deviation). Reads the IDX .gz files directly (numpy + gzip, no torchvision).

Run with Debian's python (it has torch and onnx):
    /usr/bin/python3 models/train_lenet5.py            # trains both, ~10 min on 2 threads
Writes models/lenet5.onnx, models/lenet5_poly.onnx and, in tests/data/, lenet5_input16.npy,
lenet5_labels16.npy, lenet5_logits16.npy, lenet5_poly_logits16.npy.
"""

import argparse
import copy
import gzip
import os
import struct
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.2860, 0.3530
SEED = 0
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def read_idx(path, expected_magic):
    """The array stored in an IDX file (plain or .gz): uint8, shape from the header."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic != expected_magic:
        raise ValueError(f"{path}: magic {magic:#010x}, expected {expected_magic:#010x}")
    ndims = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {arr.size} data bytes, header says {dims}")
    return arr.reshape(dims)


def load_split(data_dir, split):
    """(images float32 [n,1,28,28] normalised, labels int64 [n]) of 'train' or 't10k'."""
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), 0x801)
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x[:, None, :, :].copy()), torch.from_numpy(labels.astype(np.int64))


class Quadratic(nn.Module):
    """y = a*x*x + b*x + c, coefficients trainable, one set per channel or feature.

    Written as products and sums so the ONNX exporter emits Mul/Add nodes only (no Pow).
    Initialised at a least-squares fit of ReLU for x ~ N(0,1) in the quadratic term and the
    linear term (a=0.2, b=0.5); c starts at 0.
    """

    def __init__(self, shape, a0=0.2, b0=0.5, c0=0.0):
        super().__init__()
        self.a = nn.Parameter(torch.full(shape, a0))
        self.b = nn.Parameter(torch.full(shape, b0))
        self.c = nn.Parameter(torch.full(shape, c0))

    def forward(self, x):
        return x * x * self.a + x * self.b + self.c


def lenet5(poly=False):
    if poly:
        act = lambda shape: Quadratic(shape)  # noqa: E731
        # count_include_pad=False: without padding the same average, but the exporter then
        # emits a bare AveragePool (with the default it adds a zero Pad node in front).
        pool = lambda: nn.AvgPool2d(2, count_include_pad=False)  # noqa: E731
    else:
        act = lambda shape: nn.ReLU()  # noqa: E731
        pool = lambda: nn.MaxPool2d(2)  # noqa: E731
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), act((6, 1, 1)), pool(),       # 6x24x24 -> 6x12x12
        nn.Conv2d(6, 16, 5), act((16, 1, 1)), pool(),     # 16x8x8 -> 16x4x4
        nn.Flatten(),                                     # 256
        nn.Linear(256, 120), act((120,)),
        nn.Linear(120, 84), act((84,)),
        nn.Linear(84, 10),
    )


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


@torch.no_grad()
def activation_range(model, x, batch=1000):
    """Per-image largest |value| entering any activation and largest |logit| over x, summarised
    as "p99 / p99.9 / max" strings (what the fixed-point encoding must hold)."""
    model.eval()
    pre, logits, current = [], [], []
    hooks = []
    for m in model:
        if isinstance(m, (Quadratic, nn.ReLU)):
            def hook(_m, inp, _out):
                current.append(inp[0].abs().flatten(1).max(1).values)
            hooks.append(m.register_forward_hook(hook))
    for i in range(0, len(x), batch):
        current.clear()
        logits.append(model(x[i:i + batch]).abs().max(1).values)
        pre.append(torch.stack(current).max(0).values)
    for h in hooks:
        h.remove()

    def summary(values):
        v = torch.cat(values).numpy()
        return (f"p99 {np.percentile(v, 99):.1f} / p99.9 {np.percentile(v, 99.9):.1f} / "
                f"max {v.max():.1f}")
    return {"pre_activation": summary(pre), "logits": summary(logits)}


def range_penalty(model, margin):
    """Hooks that collect mean(relu(|x| - margin)^2) over the inputs of every Quadratic.

    A quadratic activation amplifies outliers (x^2 of an input that is already large), which
    training alone does not discourage; under MPC every value must also fit the fixed-point
    range. The penalty leaves inputs inside +-margin alone and pulls the rare large ones back.
    Returns (terms, hooks): `terms` fills up during each forward pass.
    """
    terms, hooks = [], []
    for m in model:
        if isinstance(m, Quadratic):
            def hook(_m, inp, _out):
                terms.append(F.relu(inp[0].abs() - margin).pow(2).mean())
            hooks.append(m.register_forward_hook(hook))
    return terms, hooks


def train(name, model, train_x, train_y, test_x, test_y, epochs, lr, clip, weight_decay,
          penalty=0.0, margin=10.0, batch=128):
    gen = torch.Generator().manual_seed(SEED)
    terms, hooks = range_penalty(model, margin) if penalty else ([], [])
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = (len(train_x) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch)
    start = time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(train_x), generator=gen)
        total, seen = 0.0, 0
        for i in range(0, len(train_x), batch):
            idx = perm[i:i + batch]
            terms.clear()
            loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
            if terms:
                loss = loss + penalty * sum(terms)
            opt.zero_grad()
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            seen += len(idx)
        acc = evaluate(model, test_x, test_y)
        print(f"[{name}] epoch {epoch + 1}/{epochs} loss {total / seen:.4f} "
              f"test acc {100 * acc:.2f}% ({time.time() - start:.0f} s)", flush=True)
        if not np.isfinite(total):
            raise RuntimeError(f"{name}: training diverged")
    for h in hooks:
        h.remove()
    return time.time() - start


def load_onnx_weights(model, path):
    """Copies the initializers of an exported model back into `model` (same parameter names)."""
    weights = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy())
               for t in onnx.load(path).graph.initializer}
    state = model.state_dict()
    missing = sorted(set(state) - set(weights))
    if missing:
        raise SystemExit(f"{path}: no initializer for {missing}")
    model.load_state_dict({k: weights[k].reshape(state[k].shape) for k in state})


def export(model, path, accuracy, extra_meta, dummy_shape=(1, 1, 28, 28), opset=13,
           input_layout="NCHW float32 [N,1,28,28]", trained_by="models/train_lenet5.py"):
    """Exports `model` (dynamic batch, input "input", output "logits") with Fashion-MNIST's
    normalisation, the accuracy and `extra_meta` in metadata_props; refuses a Pow node."""
    model.eval()
    dummy = torch.zeros(*dummy_shape)
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["input"],
                      output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(path)
    meta = {
        "normalization": f"(x/255 - {MEAN}) / {STD}",
        "normalization_mean": str(MEAN),
        "normalization_stddev": str(STD),
        "dataset": "Fashion-MNIST",
        "input_layout": input_layout,
        "test_accuracy": f"{accuracy:.4f}",
        "trained_by": trained_by,
    }
    meta.update(extra_meta)
    for k, v in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    if "Pow" in ops:
        raise RuntimeError(f"{path}: exporter emitted Pow")
    onnx.save(m, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, ops {ops})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--poly-epochs", type=int, default=25)
    ap.add_argument("--out", default=HERE, help="where the .onnx files go")
    ap.add_argument("--vectors", default=os.path.join(REPO, "tests", "data"),
                    help="where the .npy test vectors go")
    ap.add_argument("--range-penalty", type=float, default=0.01,
                    help="weight of the penalty on quadratic inputs beyond +-10 (0: off)")
    ap.add_argument("--from-onnx", action="store_true",
                    help="do not train: read the weights back from the exported .onnx files, "
                         "re-measure accuracy and rewrite the test vectors")
    ap.add_argument("--only", choices=["relu", "poly"], help="train one model only")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    t0 = time.time()
    train_x, train_y = load_split(args.data, "train")
    test_x, test_y = load_split(args.data, "t10k")
    print(f"train {tuple(train_x.shape)}, test {tuple(test_x.shape)}, "
          f"normalised train mean {train_x.mean():.4f} std {train_x.std():.4f}", flush=True)

    os.makedirs(args.vectors, exist_ok=True)
    first16 = test_x[:16].contiguous()
    np.save(os.path.join(args.vectors, "lenet5_input16.npy"), first16.numpy().astype(np.float32))
    np.save(os.path.join(args.vectors, "lenet5_labels16.npy"), test_y[:16].numpy())

    # (name, poly, epochs, Adam lr, gradient clip norm, weight decay, range penalty)
    runs = [("lenet5", False, args.epochs, 3e-3, 0.0, 0.0, 0.0),
            ("lenet5_poly", True, args.poly_epochs, 2e-3, 1.0, 1e-4, args.range_penalty)]
    for name, poly, epochs, lr, clip, wd, penalty in runs:
        if args.only and args.only != ("poly" if poly else "relu"):
            continue
        onnx_path = os.path.join(args.out, f"{name}.onnx")
        torch.manual_seed(SEED)
        model = lenet5(poly)
        params = count_parameters(model)
        if not poly:
            assert params == 44426, params
        if args.from_onnx:
            load_onnx_weights(model, onnx_path)
            print(f"[{name}] weights read back from {onnx_path}", flush=True)
            seconds = 0.0
        else:
            print(f"[{name}] {params} parameters, {epochs} epochs, Adam lr {lr} (one-cycle), "
                  f"clip {clip}, weight decay {wd}, range penalty {penalty}", flush=True)
            seconds = train(name, model, train_x, train_y, test_x, test_y, epochs, lr, clip, wd,
                            penalty)
        acc = evaluate(model, test_x, test_y)
        ranges = activation_range(model, test_x)
        print(f"[{name}] final test accuracy {100 * acc:.2f}% over {len(test_x)} images, "
              f"trained in {seconds:.0f} s; per-image max |pre-activation| "
              f"{ranges['pre_activation']}; per-image max |logit| {ranges['logits']}", flush=True)
        if not args.from_onnx:
            export(model, onnx_path, acc,
                   {"parameters": str(params), "epochs": str(epochs), "seed": str(SEED)})
        # The reference logits are computed in float64 from the (float32) weights, then rounded
        # to float32: they differ from an exact evaluation by float32 rounding only.
        with torch.no_grad():
            logits = copy.deepcopy(model).double()(first16.double()).numpy().astype(np.float32)
        np.save(os.path.join(args.vectors, f"{name}_logits16.npy"), logits)
        print(f"[{name}] first 16 predictions {logits.argmax(1).tolist()}, "
              f"labels {test_y[:16].tolist()}", flush=True)
    print(f"total {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
