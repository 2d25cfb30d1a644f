#!/usr/bin/python3
"""PyTorch side of the benchmark comparison: the same shapes bench/bench_*.cpp runs.

Prints one JSON object per line: {"name": ..., "median_us": ..., "reps": ..., "samples_us": [...]}.
Run with Debian's interpreter (python3-torch + libopenblas0-pthread):
    /usr/bin/python3 bench/torch_bench.py --threads 2

Timing follows Google Benchmark's repetitions (what bnlstm_bench reports with
--benchmark_repetitions=R --benchmark_min_time=T): after a warm-up, each of R repetitions runs
the step back to back for at least T seconds and records the mean time per call; the median of
the R means is reported. bench/compare.py runs both sides with the same R, T and thread count.
"""
import argparse
import json
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def measure(fn, reps=11, rep_time=0.05, warmup_time=0.05):
    """Median over `reps` repetitions of the mean time per call (µs), and the repetitions."""
    # warm-up: at least 3 calls and warmup_time seconds; also estimates the cost of a call
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < warmup_time:
        fn()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    n = max(1, int(rep_time / per_call + 0.5))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(samples), samples


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


def bench_batch_norm_forward(n, c):
    bn = nn.BatchNorm1d(c)
    x = torch.randn(n, c, requires_grad=True)

    def step():
        bn(x)  # builds the autograd graph, as in a training step

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
    ap.add_argument("--reps", type=int, default=11, help="repetitions (median reported)")
    ap.add_argument("--rep-time", type=float, default=0.05, help="seconds per repetition, at least")
    ap.add_argument("--filter", default="", help="regular expression on the case names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # case name -> factory (built only when selected)
    cases = {}
    for n, c in [(32, 1024), (1024, 1024), (4096, 256), (65536, 64)]:
        cases[f"batch_norm/{n}x{c}"] = lambda n=n, c=c: bench_batch_norm(n, c)
        cases[f"batch_norm_fwd/{n}x{c}"] = lambda n=n, c=c: bench_batch_norm_forward(n, c)
    for length in (1, 32):
        cases[f"lstm_step/none/L{length}"] = lambda length=length: bench_lstm_step("lstm", length)
        cases[f"lstm_step/batch/L{length}"] = lambda length=length: bench_lstm_step("bn", length)
    for name, make in cases.items():
        if args.filter and not re.search(args.filter, name):
            continue
        us, samples = measure(make(), args.reps, args.rep_time)
        print(json.dumps({"name": name, "median_us": us, "reps": len(samples),
                          "threads": torch.get_num_threads(),
                          "samples_us": [round(v, 3) for v in samples]}), flush=True)


if __name__ == "__main__":
    main()
