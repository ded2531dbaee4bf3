#!/usr/bin/python3
"""Makes the ONNX GRU and LSTM fixtures (files tests/data/onnx_fixture_rnn_*).

Run with the Debian python that has torch and onnx (never by the build or the tests):
    /usr/bin/python3 tests/data/onnx_fixture_rnn_make.py

Each fixture is one GRU or LSTM node (opset 14), built by hand, with its weights and initial
states as initializers and input "x": 5 steps, batch 3, 4 features, hidden size 6. Every output
the node has is a graph output, named Y, Y_h (and Y_c for LSTM). Files, per case:
    onnx_fixture_rnn_<case>.onnx, onnx_fixture_rnn_<case>_x.npy, onnx_fixture_rnn_<case>_out_<Y|Y_h|Y_c>.npy

References: an evaluation of the ONNX equations in float64 (`reference` below). Where PyTorch has
the same cell (GRU with linear_before_reset = 1, LSTM without peepholes) the script also runs
torch.nn.GRU / torch.nn.LSTM on the same weights (gate order converted) and stops unless the
two agree to 1e-12, so those references are PyTorch's outputs.

Cases: gru_forward (no initial state), gru_bidirectional_h0, gru_layout1_h0,
gru_reverse_lbr0 (linear_before_reset = 0, which PyTorch has not: reference equations only),
lstm_forward, lstm_bidirectional_states, lstm_layout1_states.
Error cases (no references): gru_bad_activations (Relu), gru_bad_clip, lstm_bad_peepholes
(input P), lstm_bad_input_forget, gru_bad_sequence_lens (shorter than the sequence),
gru_bad_weight_shape (W for hidden 5 while hidden_size is 6).
"""

import os
import sys

import numpy as np
import torch
from onnx import checker, helper

from onnx_fixture_make import model, path, save, tensor, vi

SEQ, BATCH, INPUT, HIDDEN = 5, 3, 4, 6
OPSET = 14
# ONNX gate order -> PyTorch gate order (rows of W, R and the biases in blocks of HIDDEN).
GRU_TO_TORCH = [1, 0, 2]  # ONNX z, r, h; PyTorch r, z, n
LSTM_TO_TORCH = [0, 2, 3, 1]  # ONNX i, o, f, c; PyTorch i, f, g, o


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gru_step(x, h, w, r, b, lbr):
    """One GRU step per the ONNX equations; w [3H, I], r [3H, H], b [6H] (Wb then Rb)."""
    H = h.shape[-1]
    wb, rb = b[:3 * H], b[3 * H:]
    xw = x @ w.T + wb
    z = sigmoid(xw[:, :H] + h @ r[:H].T + rb[:H])
    rr = sigmoid(xw[:, H:2 * H] + h @ r[H:2 * H].T + rb[H:2 * H])
    if lbr:
        n = np.tanh(xw[:, 2 * H:] + rr * (h @ r[2 * H:].T + rb[2 * H:]))
    else:
        n = np.tanh(xw[:, 2 * H:] + (rr * h) @ r[2 * H:].T + rb[2 * H:])
    return (1 - z) * n + z * h, None


def lstm_step(x, h, c, w, r, b):
    """One LSTM step per the ONNX equations (no peepholes); gates i, o, f, c."""
    H = h.shape[-1]
    g = x @ w.T + h @ r.T + b[:4 * H] + b[4 * H:]
    i, o, f, cc = (g[:, k * H:(k + 1) * H] for k in range(4))
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
    return sigmoid(o) * np.tanh(c), c


def reference(kind, x, w, r, b, h0, c0, directions, lbr):
    """(Y [seq, dirs, batch, H], Y_h [dirs, batch, H], Y_c or None) for layout 0 inputs."""
    seq = x.shape[0]
    Y = np.zeros((seq, len(directions), x.shape[1], HIDDEN))
    Yh, Yc = [], []
    for d, reverse in enumerate(directions):
        h, c = h0[d], c0[d] if c0 is not None else None
        for t in (reversed(range(seq)) if reverse else range(seq)):
            if kind == "GRU":
                h, _ = gru_step(x[t], h, w[d], r[d], b[d], lbr)
            else:
                h, c = lstm_step(x[t], h, c, w[d], r[d], b[d])
            Y[t, d] = h
        Yh.append(h)
        Yc.append(c)
    return Y, np.stack(Yh), (np.stack(Yc) if kind == "LSTM" else None)


def torch_reference(kind, x, w, r, b, h0, c0, directions):
    """The same computation by torch.nn.GRU/LSTM (layout 0), for the cells PyTorch has."""
    gates = 3 if kind == "GRU" else 4
    order = GRU_TO_TORCH if kind == "GRU" else LSTM_TO_TORCH

    def to_torch(m):  # reorder the gate blocks of the first axis
        blocks = np.split(m, gates, axis=0)
        return torch.from_numpy(np.concatenate([blocks[k] for k in order], axis=0))

    cls = torch.nn.GRU if kind == "GRU" else torch.nn.LSTM
    net = cls(INPUT, HIDDEN, bidirectional=len(directions) == 2).double()
    with torch.no_grad():
        for d in range(len(directions)):
            suffix = "_reverse" if d == 1 else ""
            getattr(net, "weight_ih_l0" + suffix).copy_(to_torch(w[d]))
            getattr(net, "weight_hh_l0" + suffix).copy_(to_torch(r[d]))
            getattr(net, "bias_ih_l0" + suffix).copy_(to_torch(b[d][:gates * HIDDEN]))
            getattr(net, "bias_hh_l0" + suffix).copy_(to_torch(b[d][gates * HIDDEN:]))
        state = torch.from_numpy(h0)
        if kind == "LSTM":
            state = (state, torch.from_numpy(c0))
        y, out = net(torch.from_numpy(x), state)
    y = y.numpy().reshape(x.shape[0], x.shape[1], len(directions), HIDDEN).transpose(0, 2, 1, 3)
    if kind == "GRU":
        return y, out.numpy(), None
    return y, out[0].numpy(), out[1].numpy()


def make_case(name, kind, rng, direction="forward", layout=0, h0=False, c0=False, lbr=1,
              attrs=None, peepholes=False, seq_lens=None, w_hidden=HIDDEN, check=True):
    gates = 3 if kind == "GRU" else 4
    dirs = 2 if direction == "bidirectional" else 1
    directions = {"forward": [False], "reverse": [True], "bidirectional": [False, True]}[direction]
    w = rng.uniform(-0.6, 0.6, (dirs, gates * w_hidden, INPUT))
    r = rng.uniform(-0.6, 0.6, (dirs, gates * HIDDEN, HIDDEN))
    b = rng.uniform(-0.3, 0.3, (dirs, 2 * gates * HIDDEN))
    x = rng.uniform(-2, 2, (SEQ, BATCH, INPUT))
    h_init = rng.uniform(-0.8, 0.8, (dirs, BATCH, HIDDEN)) if h0 else np.zeros((dirs, BATCH, HIDDEN))
    c_init = rng.uniform(-0.8, 0.8, (dirs, BATCH, HIDDEN)) if c0 else np.zeros((dirs, BATCH, HIDDEN))
    # The files hold float32: the references start from the same float32 values.
    w, r, b, x, h_init, c_init = (a.astype(np.float32).astype(np.float64)
                                  for a in (w, r, b, x, h_init, c_init))

    def lay(a):  # layout 1 puts batch first: initial states [batch, dirs, H]
        return a if layout == 0 else np.swapaxes(a, 0, 1)

    inits = [tensor("W", w), tensor("R", r), tensor("B", b)]
    inputs = ["x", "W", "R", "B", "", "", ""]
    if seq_lens is not None:
        inits.append(tensor("sequence_lens", seq_lens, np.int32))
        inputs[4] = "sequence_lens"
    if h0:
        inits.append(tensor("initial_h", lay(h_init)))
        inputs[5] = "initial_h"
    if kind == "LSTM" and c0:
        inits.append(tensor("initial_c", lay(c_init)))
        inputs[6] = "initial_c"
    if peepholes:
        inits.append(tensor("P", rng.uniform(-0.5, 0.5, (dirs, 3 * HIDDEN))))
        inputs.append("P")
    while inputs and inputs[-1] == "":
        inputs.pop()
    outputs = ["Y", "Y_h"] + (["Y_c"] if kind == "LSTM" else [])
    node_attrs = {"hidden_size": HIDDEN, "direction": direction}
    if layout:
        node_attrs["layout"] = layout
    if kind == "GRU":
        node_attrs["linear_before_reset"] = lbr
    node_attrs.update(attrs or {})
    node = helper.make_node(kind, inputs, outputs, name=f"{kind.lower()}_node", **node_attrs)

    x_shape = [SEQ, BATCH, INPUT] if layout == 0 else [BATCH, SEQ, INPUT]
    y_shape = [SEQ, dirs, BATCH, HIDDEN] if layout == 0 else [BATCH, SEQ, dirs, HIDDEN]
    h_shape = [dirs, BATCH, HIDDEN] if layout == 0 else [BATCH, dirs, HIDDEN]
    outs = [vi("Y", y_shape), vi("Y_h", h_shape)] + ([vi("Y_c", h_shape)] if kind == "LSTM" else [])
    m = model([node], [vi("x", x_shape)], outs, inits, opset=OPSET)
    if check:
        checker.check_model(m)
    with open(path(f"onnx_fixture_rnn_{name}.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    if not check:
        return

    Y, Yh, Yc = reference(kind, x, w, r, b, h_init, c_init if kind == "LSTM" else None,
                          directions, lbr)
    if lbr and direction != "reverse":
        tY, tYh, tYc = torch_reference(kind, x, w, r, b, h_init, c_init, directions)
        err = max(np.abs(Y - tY).max(), np.abs(Yh - tYh).max(),
                  np.abs(Yc - tYc).max() if Yc is not None else 0.0)
        if err > 1e-12:
            sys.exit(f"{name}: the ONNX equations and PyTorch differ by {err}")
        Y, Yh, Yc = tY, tYh, tYc
    if layout == 1:
        Y = Y.transpose(2, 0, 1, 3)  # [batch, seq, dirs, H]
        Yh = np.swapaxes(Yh, 0, 1)
        Yc = np.swapaxes(Yc, 0, 1) if Yc is not None else None
    save(f"onnx_fixture_rnn_{name}_x.npy", np.swapaxes(x, 0, 1) if layout == 1 else x)
    save(f"onnx_fixture_rnn_{name}_out_Y.npy", Y)
    save(f"onnx_fixture_rnn_{name}_out_Y_h.npy", Yh)
    if Yc is not None:
        save(f"onnx_fixture_rnn_{name}_out_Y_c.npy", Yc)


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(14)
    make_case("gru_forward", "GRU", rng)
    make_case("gru_bidirectional_h0", "GRU", rng, "bidirectional", h0=True)
    make_case("gru_layout1_h0", "GRU", rng, layout=1, h0=True)
    make_case("gru_reverse_lbr0", "GRU", rng, "reverse", lbr=0, h0=True)
    make_case("lstm_forward", "LSTM", rng)
    make_case("lstm_bidirectional_states", "LSTM", rng, "bidirectional", h0=True, c0=True)
    make_case("lstm_layout1_states", "LSTM", rng, layout=1, h0=True, c0=True)
    make_case("gru_bad_activations", "GRU", rng, attrs={"activations": ["Relu", "Tanh"]},
              check=False)
    make_case("gru_bad_clip", "GRU", rng, attrs={"clip": 10.0}, check=False)
    make_case("lstm_bad_peepholes", "LSTM", rng, peepholes=True, check=False)
    make_case("lstm_bad_input_forget", "LSTM", rng, attrs={"input_forget": 1}, check=False)
    make_case("gru_bad_sequence_lens", "GRU", rng, seq_lens=[SEQ, SEQ - 2, SEQ], check=False)
    make_case("gru_bad_weight_shape", "GRU", rng, w_hidden=HIDDEN - 1, check=False)
    for f in sorted(os.listdir(os.path.dirname(path("x")))):
        if f.startswith("onnx_fixture_rnn_") and not f.endswith(".py"):
            print(f"{f}: {os.path.getsize(path(f))} bytes")


if __name__ == "__main__":
    sys.exit(main())
