#!/usr/bin/python3
"""PyTorch side of the benchmark comparison: the same shapes bench/bench_*.cpp runs.

Prints one JSON object per line: {"name": ..., "median_us": ..., "reps": ...}.
Run with Debian's interpreter (python3-torch + libopenblas0-pthread):
    /usr/bin/python3 bench/torch_bench.py --threads 2
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def median_us(fn, min_time=0.5, warmup=3, min_reps=7):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6, len(times)


def bench_batch_norm(n, c):
    bn = nn.BatchNorm1d(c)
    x = torch.randn(n, c, requires_grad=True)
    dy = torch.randn(n, c)

    def step():
        x.grad = None
        bn.weight.grad = None
        bn.bias.grad = None
        bn(x).backward(dy)

    return step


class CooijmansCell(nn.Module):
    """BN-LSTM from torch ops: BN(W_h h) + BN(W_x x) + b, BN(c); statistics per time step."""

    def __init__(self, input_size, hidden, max_len):
        super().__init__()
        self.hidden = hidden
        self.w_ih = nn.Linear(input_size, 4 * hidden, bias=False)
        self.w_hh = nn.Linear(hidden, 4 * hidden, bias=False)
        self.bias = nn.Parameter(torch.zeros(4 * hidden))
        self.bn_x = nn.ModuleList(nn.BatchNorm1d(4 * hidden, affine=False) for _ in range(max_len))
        self.bn_h = nn.ModuleList(nn.BatchNorm1d(4 * hidden, affine=False) for _ in range(max_len))
        self.bn_c = nn.ModuleList(nn.BatchNorm1d(hidden, affine=False) for _ in range(max_len))
        self.gamma_x = nn.Parameter(torch.full((4 * hidden,), 0.1))
        self.gamma_h = nn.Parameter(torch.full((4 * hidden,), 0.1))
        self.gamma_c = nn.Parameter(torch.full((hidden,), 0.1))
        self.beta_c = nn.Parameter(torch.zeros(hidden))

    def forward(self, x):  # x: (L, N, I)
        length, n, _ = x.shape
        h = x.new_zeros(n, self.hidden)
        c = x.new_zeros(n, self.hidden)
        wx = self.w_ih(x)
        for t in range(length):
            gates = (self.gamma_h * self.bn_h[t](self.w_hh(h)) + self.gamma_x * self.bn_x[t](wx[t])
                     + self.bias)
            i, f, g, o = gates.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(self.gamma_c * self.bn_c[t](c) + self.beta_c)
        return h


def bench_lstm_step(kind, length, batch=32, input_size=1, hidden=256):
    torch.manual_seed(0)
    if kind == "lstm":
        rnn = nn.LSTM(input_size, hidden)
        run = lambda x: rnn(x)[0][-1]
    else:
        rnn = CooijmansCell(input_size, hidden, length)
        run = rnn
    head = nn.Linear(hidden, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=1e-3)
    x = torch.randn(length, batch, input_size)
    y = torch.randn(batch, 1)

    def step():
        opt.zero_grad()
        loss = F.mse_loss(head(run(x)), y)
        loss.backward()
        opt.step()

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-time", type=float, default=0.5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cases = {}
    for n, c in [(32, 1024), (1024, 1024), (4096, 256), (65536, 64)]:
        cases[f"batch_norm/{n}x{c}"] = bench_batch_norm(n, c)
    for length in (1, 32):
        cases[f"lstm_step/none/L{length}"] = bench_lstm_step("lstm", length)
        cases[f"lstm_step/batch/L{length}"] = bench_lstm_step("bn", length)
    for name, fn in cases.items():
        us, reps = median_us(fn, args.min_time)
        print(json.dumps({"name": name, "median_us": us, "reps": reps}), flush=True)


if __name__ == "__main__":
    main()
