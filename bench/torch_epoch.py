#!/usr/bin/python3
"""End-to-end figure, PyTorch side: seconds per epoch and peak memory for the notebook's
experiment (GOOG Close 2005-01-01..2020-12-31, 70/30 split, look-back 1, hidden 256,
batch 32, SGD lr 1e-3, gradient clipping at ±1) with the same BN-LSTM as bnlstm's
(Cooijmans et al., statistics per step) or torch.nn.LSTM.

    /usr/bin/python3 bench/torch_epoch.py --data ../shared/data/google.csv --threads 2
Prints one JSON line: {"model": ..., "sec_per_epoch_median": ..., "peak_rss_mb": ...}.
"""
import argparse
import csv
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_bench import CooijmansCell  # noqa: E402


def load_close(path, start, end):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if start <= r["Date"] <= end and r["Close"] != "null"]
    return torch.tensor([float(r["Close"]) for r in rows], dtype=torch.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/google.csv")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--model", choices=["batch", "none"], default="batch")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    close = load_close(args.data, "2005-01-01", "2020-12-31")
    n_train = int(len(close) * 0.7)
    lo, hi = close[:n_train].min(), close[:n_train].max()
    scaled = (close - lo) / (hi - lo)
    x = scaled[:-1].reshape(-1, 1, 1)  # look-back 1: (samples, L=1, I=1)
    y = scaled[1:].reshape(-1, 1)
    x_train, y_train = x[: n_train - 1], y[: n_train - 1]

    hidden = 256
    if args.model == "batch":
        rnn = CooijmansCell(1, hidden, 1)
        run = rnn
    else:
        rnn = nn.LSTM(1, hidden)
        run = lambda seq: rnn(seq)[0][-1]
    head = nn.Linear(hidden, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=1e-3)

    times = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(len(x_train))
        for b in range(0, len(perm), 32):
            idx = perm[b:b + 32]
            if len(idx) < 2:
                continue  # BatchNorm cannot train on a single sample
            opt.zero_grad()
            loss = F.mse_loss(head(run(x_train[idx].transpose(0, 1))), y_train[idx])
            loss.backward()
            torch.nn.utils.clip_grad_value_(params, 1.0)
            opt.step()
        times.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"model": f"torch-{args.model}", "train_windows": len(x_train),
                      "sec_per_epoch_median": statistics.median(times), "peak_rss_mb": peak_mb}))


if __name__ == "__main__":
    main()
