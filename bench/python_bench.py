#!/usr/bin/python3
"""bnlstm from Python vs PyTorch from Python, in one run, plus the C++ row of the same shape.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py --bench build/bnlstm_bench --threads 2
    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py --only-fit --threads 1   # the fit row alone

Rows (issue 13, part 6):
  python/batch_norm/<N>x<C>  BatchNorm1d forward + backward, float32, called from Python:
      bnlstm: bn.zero_grad(); y = bn(x); dx = bn.backward(dy)  (new arrays each call, as a user
              writes it; the layer keeps its copy of x, copy_input on)
      torch:  x.grad = None; bn(x).backward(dy)  (bench/torch_bench.py's step)
      C++:    bnlstm_bench's batch_norm_copy/<N>x<C> (the same layer with its copy of x, called
              from C++), run in the same invocation
    targets: >= 3x PyTorch at (32, 1024), where call overhead dominates; at most 20 % slower
    than the C++ row at (1024, 1024).
  python/forecaster_fit  Forecaster.fit vs `bnlstm train`, seconds per epoch, on the notebook's
      experiment (--notebook: Google's daily close 2005..2020 from ../shared/data/google.csv when
      present, else the built-in S&P 500; hidden 256, look-back 1, SGD, batch 32) with a fixed
      number of epochs (--fit-epochs, patience 0, so both run every epoch); per epoch = the
      training loop's wall time (TrainRun::seconds: metrics.json "seconds" for the CLI,
      Forecaster.info["seconds"] for Python) / epochs run, and the whole fit() call beside it.
      Alternated --fit-rounds times; median. target: Python within 10 % of the CLI.
      Only this row: --only-fit (no torch needed).
Timing as bench/torch_bench.py (and Google Benchmark): after a warm-up, R repetitions of at least
T seconds each, mean time per call per repetition, median over repetitions. With --rounds K the
Python sides and the C++ binary alternate K times and the medians are over all K * R
repetitions, so that a burst of load on a shared machine hits all three.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

try:
    import bnlstm
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, "build", "python"))
    import bnlstm

SHAPES = [(32, 1024), (1024, 1024)]
TARGET_VS_TORCH = {(32, 1024): 3.0}
TARGET_VS_CPP = {(1024, 1024): 1.2}  # Python time / C++ time at most


def bnlstm_batch_norm(n, c):
    rng = np.random.default_rng(0)
    bn = bnlstm.BatchNorm1d(c)
    x = rng.standard_normal((n, c), dtype=np.float32)
    dy = rng.standard_normal((n, c), dtype=np.float32)

    def step():
        bn.zero_grad()
        bn(x)
        bn.backward(dy)

    return step


def cpp_rows(args, samples):
    names = "|".join(f"{n}x{c}" for n, c in SHAPES)
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        cmd = [args.bench, f"--threads={args.threads}", f"--benchmark_filter=^batch_norm_copy/({names})/",
               f"--benchmark_repetitions={args.reps}", f"--benchmark_min_time={args.rep_time}",
               "--benchmark_out_format=json", f"--benchmark_out={tmp.name}"]
        subprocess.run(cmd, capture_output=True, text=True, check=True)
        report = json.load(open(tmp.name))
    for b in report["benchmarks"]:
        if b.get("run_type") == "iteration":
            shape = b["run_name"].removesuffix("/real_time").split("/")[1]
            samples.setdefault(shape, []).extend([b["real_time"] * scale[b["time_unit"]]])


def fmt_us(us):
    if us is None:
        return "-"
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


def notebook_data():
    google = os.path.join(ROOT, "..", "shared", "data", "google.csv")
    if os.path.isfile(google):
        return os.path.normpath(google), {"start": "2005-01-01", "end": "2020-12-31"}
    return os.path.join(ROOT, "data", "sp500.csv"), {}


def fit_row(args):
    """Forecaster.fit vs `bnlstm train` on the notebook's experiment: seconds per epoch."""
    data, cut = notebook_data()
    options = dict(notebook=True, epochs=args.fit_epochs, patience=0, threads=args.threads, **cut)
    flags = ["--notebook", "--epochs", str(args.fit_epochs), "--patience", "0", "--threads",
             str(args.threads)] + [x for k, v in cut.items() for x in (f"--{k}", v)]
    cli_per_epoch, py_per_epoch, py_call_per_epoch = [], [], []
    for _ in range(args.fit_rounds):
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([args.cli, "train", "--data", data, *flags, "--quiet", "--no-plots",
                            "--out", os.path.join(out, "run")], check=True, capture_output=True)
            training = json.load(open(os.path.join(out, "run", "metrics.json")))["training"]
            cli_per_epoch.append(training["seconds"] / training["epochs_run"])
        f = bnlstm.Forecaster(**options)
        t0 = time.perf_counter()
        h = f.fit(data)
        call = time.perf_counter() - t0
        py_per_epoch.append(f.info["seconds"] / h.epochs[-1])
        py_call_per_epoch.append(call / h.epochs[-1])
    c, p, pc = (statistics.median(v) for v in (cli_per_epoch, py_per_epoch, py_call_per_epoch))
    print(f"# Forecaster.fit vs bnlstm train: {os.path.relpath(data, ROOT)}, --notebook, "
          f"{args.fit_epochs} epochs, {args.threads} thread(s), median of {args.fit_rounds} "
          f"alternating runs; load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print("| case | bnlstm train (s/epoch) | Forecaster.fit (s/epoch) | Python / CLI | fit() call "
          "(s/epoch) | target |")
    print("|---|---|---|---|---|---|")
    print(f"| python/forecaster_fit | {c:.3f} | {p:.3f} | {p / c:.3f} | {pc:.3f} | within 10 %: "
          f"{'yes' if abs(p / c - 1) <= 0.10 else 'NO'} |")
    return {"name": "python/forecaster_fit", "cli_s_per_epoch": c, "python_s_per_epoch": p,
            "python_call_s_per_epoch": pc, "cli_samples": cli_per_epoch, "python_samples": py_per_epoch}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bnlstm_bench"),
                    help="bnlstm_bench for the C++ rows ('' to skip them)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--rep-time", type=float, default=0.05)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--json", help="also write every sample here")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "bnlstm"), help="bnlstm for the fit row")
    ap.add_argument("--fit-epochs", type=int, default=10)
    ap.add_argument("--fit-rounds", type=int, default=3)
    ap.add_argument("--only-fit", action="store_true", help="only the Forecaster.fit row")
    args = ap.parse_args()
    if args.only_fit:
        row = fit_row(args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump([row], f, indent=1)
        return
    import torch
    import torch_bench  # noqa: E402  (measure(), the torch step)
    torch.set_num_threads(args.threads)
    bnlstm.set_num_threads(args.threads)

    ours, theirs, cpp = {}, {}, {}
    load_before = open("/proc/loadavg").read().split()[:3]
    for _ in range(args.rounds):
        for n, c in SHAPES:
            key = f"{n}x{c}"
            theirs.setdefault(key, []).extend(torch_bench.measure(torch_bench.bench_batch_norm(n, c),
                                                                  args.reps, args.rep_time)[1])
            ours.setdefault(key, []).extend(torch_bench.measure(bnlstm_batch_norm(n, c), args.reps,
                                                                args.rep_time)[1])
        if args.bench:
            cpp_rows(args, cpp)
    load_after = open("/proc/loadavg").read().split()[:3]

    print(f"# BatchNorm1d forward + backward from Python, float32, {args.threads} thread(s); median of "
          f"{args.rounds * args.reps} repetitions of >= {args.rep_time} s; load average "
          f"{' '.join(load_before)} (before), {' '.join(load_after)} (after)")
    print(f"| {'case':<26} | {'PyTorch':>10} | {'bnlstm':>10} | {'ratio':>6} | {'C++ row':>10} | "
          f"{'Py / C++':>8} | targets |")
    print(f"|{'-' * 28}|{'-' * 12}|{'-' * 12}|{'-' * 8}|{'-' * 12}|{'-' * 10}|---------|")
    rows = []
    for n, c in SHAPES:
        key = f"{n}x{c}"
        t, o = statistics.median(theirs[key]), statistics.median(ours[key])
        k = statistics.median(cpp[key]) if key in cpp else None
        ratio, over = t / o, (o / k if k else None)
        notes = []
        if (n, c) in TARGET_VS_TORCH:
            goal = TARGET_VS_TORCH[(n, c)]
            notes.append(f">= {goal:g}x torch: {'yes' if ratio >= goal else 'NO'}")
        if (n, c) in TARGET_VS_CPP and over is not None:
            goal = TARGET_VS_CPP[(n, c)]
            notes.append(f"<= {goal:g} C++: {'yes' if over <= goal else 'NO'}")
        print(f"| python/batch_norm/{key:<8} | {fmt_us(t):>10} | {fmt_us(o):>10} | {ratio:>5.1f}x | "
              f"{fmt_us(k):>10} | {(f'{over:.2f}' if over else '-'):>8} | {'; '.join(notes)} |")
        rows.append({"name": f"python/batch_norm/{key}", "torch_us": t, "bnlstm_python_us": o,
                     "bnlstm_cpp_us": k, "torch_samples_us": theirs[key], "python_samples_us": ours[key],
                     "cpp_samples_us": cpp.get(key)})
    if args.cli:
        rows.append(fit_row(args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
