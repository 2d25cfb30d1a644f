#!/usr/bin/python3
"""bnlstm vs PyTorch in one run: the same shapes, thread count, warm-up and repetitions on both
sides, one table with the ratio per row (torch time / bnlstm time, > 1 = bnlstm faster).

    /usr/bin/python3 bench/compare.py --bench build/bnlstm_bench --threads 2
    /usr/bin/python3 bench/compare.py --bench build/bnlstm_bench --epoch   # + end-to-end epoch

Each side runs R repetitions of at least T seconds each after a warm-up and reports the median of
the per-repetition mean times (Google Benchmark's --benchmark_repetitions / min_time; the same
loop in bench/torch_bench.py). With --rounds K the two sides alternate K times and the medians are
taken over all K * R repetitions, so that a burst of load on a shared machine hits both sides.

--epoch adds the end-to-end figure: seconds per epoch and peak resident memory of `bnlstm train`
on the notebook's experiment (GOOG 2005-2020, look-back 1, hidden 256, batch 32, SGD lr 1e-3,
clip 1) beside bench/torch_epoch.py with the same model and batch size. bnlstm's seconds per
epoch come from metrics.json (training time / epochs, which includes validation and batch-norm
recalibration after every epoch; torch_epoch.py times the training batches only).
Run it only with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> target speed-up over torch (issue 5); rows without a target are informational
TARGETS = {
    "batch_norm/32x1024": 5, "batch_norm/1024x1024": 3, "batch_norm/4096x256": 3,
    "batch_norm/65536x64": 2,
    "lstm_step/none/L1": 6, "lstm_step/batch/L1": 6, "lstm_step/none/L32": 4,
    "lstm_step/batch/L32": 6,
}
DEFAULT_FILTER = r"^(batch_norm|batch_norm_copy|batch_norm_fwd|lstm_step)/"
# bnlstm rows measured against another torch row: batch_norm_copy is the layer with its default
# copy of x (batch_norm: copy_input off, x given to backward, as torch's autograd keeps x by
# reference); it faces the same torch.nn.BatchNorm1d call
TORCH_ROW = {f"batch_norm_copy/{s}": f"batch_norm/{s}"
             for s in ("32x1024", "1024x1024", "4096x256", "65536x64")}


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def git_commit():
    try:
        out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return out + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_torch(args, samples):
    cmd = ["/usr/bin/python3", os.path.join(HERE, "torch_bench.py"), "--threads", str(args.threads),
           "--reps", str(args.reps), "--rep-time", str(args.rep_time), "--filter",
           args.filter.replace("|batch_norm_copy", "")]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        row = json.loads(line)
        samples.setdefault(row["name"], []).extend(row["samples_us"])


def run_ours(args, samples, counters):
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        cmd = [args.bench, f"--threads={args.threads}", f"--benchmark_filter={args.filter}",
               f"--benchmark_repetitions={args.reps}", f"--benchmark_min_time={args.rep_time}",
               "--benchmark_out_format=json", f"--benchmark_out={tmp.name}"]
        subprocess.run(cmd, capture_output=True, text=True, check=True)
        report = json.load(open(tmp.name))
    for b in report["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].removesuffix("/real_time")
        samples.setdefault(name, []).append(b["real_time"] * scale[b["time_unit"]])
        for key in ("min_GBps", "GFLOPs", "fwd_us", "bwd_us"):
            if key in b:
                counters.setdefault(name, {}).setdefault(key, []).append(b[key])


def fmt_us(us):
    if us is None:
        return "-"
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


def epoch_figures(args):
    """Seconds per epoch and peak RSS: bnlstm CLI and torch_epoch.py (batch and none)."""
    rows = []
    cli = args.cli or os.path.join(os.path.dirname(args.bench), "bnlstm")
    variants = [("batch", []), ("batch", ["--no-recalibrate"]), ("none", [])]
    for norm, extra in variants:
        with tempfile.TemporaryDirectory() as out:
            cmd = [cli, "train", "--data", args.data, "--start", "2005-01-01", "--end", "2020-12-31",
                   "--target", "level", "--scaler", "minmax", "--look-back", "1", "--hidden",
                   "256", "--norm", norm,
                   "--batch-size", "32", "--lr", "1e-3", "--optimizer", "sgd", "--clip", "1",
                   "--epochs", str(args.epochs), "--patience", "0", "--threads", str(args.threads),
                   "--quiet", "--out", out] + extra
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            if status != 0:
                sys.exit("bnlstm train failed: " + proc.stderr.read().decode())
            training = json.load(open(os.path.join(out, "metrics.json")))["training"]
            label = f"bnlstm {norm}" + (" (no recal.)" if extra else "")
            rows.append((label, training["seconds"] / training["epochs_run"], usage.ru_maxrss / 1024))
        if extra:
            continue
        cmd = ["/usr/bin/python3", os.path.join(HERE, "torch_epoch.py"), "--data", args.data,
               "--threads", str(args.threads), "--epochs", str(args.torch_epochs), "--model", norm]
        res = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        rows.append((res["model"], res["sec_per_epoch_median"], res["peak_rss_mb"]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bnlstm_bench"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--rep-time", type=float, default=0.05)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--filter", default=DEFAULT_FILTER)
    ap.add_argument("--json", help="also write every sample here")
    ap.add_argument("--epoch", action="store_true", help="add the end-to-end seconds per epoch")
    ap.add_argument("--cli", help="bnlstm executable (default: next to --bench)")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "google.csv"))
    ap.add_argument("--epochs", type=int, default=20, help="bnlstm epochs for --epoch")
    ap.add_argument("--torch-epochs", type=int, default=5, help="torch epochs for --epoch")
    args = ap.parse_args()

    load_before = load_average()
    torch_s, ours_s, counters = {}, {}, {}
    for _ in range(args.rounds):
        run_torch(args, torch_s)
        run_ours(args, ours_s, counters)
    load_after = load_average()

    names = list(ours_s) + [n for n in torch_s if n not in ours_s]
    print(f"# bnlstm vs PyTorch, {datetime.datetime.now().isoformat(timespec='seconds')}, "
          f"commit {git_commit()}, {args.threads} thread(s), float32")
    omp_env = " ".join(f"{k}={v}" for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_")))
    print(f"# median of {args.rounds * args.reps} repetitions of >= {args.rep_time} s each; "
          f"load average {load_before} (before), {load_after} (after){'; ' + omp_env if omp_env else ''}")
    print("# ratio = PyTorch time / bnlstm time, of the medians; best = the same of the fastest "
          "repetitions (PyTorch's repetitions vary far more than bnlstm's); "
          "batch_norm_copy rows face the batch_norm row of PyTorch")
    print(f"| {'case':<28} | {'PyTorch':>10} | {'bnlstm':>10} | {'ratio':>7} | {'best':>6} | "
          f"{'target':>6} | met |")
    print(f"|{'-' * 30}|{'-' * 12}|{'-' * 12}|{'-' * 9}|{'-' * 8}|{'-' * 8}|-----|")
    table = []
    for name in names:
        tname = TORCH_ROW.get(name, name)
        t = statistics.median(torch_s[tname]) if tname in torch_s else None
        o = statistics.median(ours_s[name]) if name in ours_s else None
        ratio = t / o if t and o else None
        best = min(torch_s[tname]) / min(ours_s[name]) if t and o else None
        target = TARGETS.get(name)
        met = "" if target is None or ratio is None else ("yes" if ratio >= target else "NO")
        print(f"| {name:<28} | {fmt_us(t):>10} | {fmt_us(o):>10} | "
              f"{(f'{ratio:.1f}x' if ratio else '-'):>7} | {(f'{best:.1f}x' if best else '-'):>6} | "
              f"{(f'{target}x' if target else ''):>6} | {met:<3} |")
        table.append({"name": name, "torch_us": t, "bnlstm_us": o, "ratio": ratio,
                      "best_ratio": best, "target": target})
    extra = [(n, c) for n, c in counters.items() if n in ours_s]
    if extra:
        print("\n# bnlstm rates (median): min_GBps = compulsory bytes (5 tensors for BN fwd+bwd) / time")
        for name, c in extra:
            print(f"  {name:<28} " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in c.items()))

    epochs = None
    if args.epoch and not os.path.isfile(args.data):
        # the notebook's data set lives beside the project (../shared), not in it
        print(f"\n# end-to-end: skipped, {args.data} not found (the notebook's GOOG data; "
              "give its path with --data)")
    elif args.epoch:
        epochs = epoch_figures(args)
        print(f"\n# end-to-end: the notebook's experiment ({os.path.basename(args.data)}), "
              f"load average {load_average()}")
        print("# bnlstm: `bnlstm train` seconds / epochs from metrics.json (training batches, batch-norm"
              " recalibration, validation); peak RSS of the process (wait4)")
        print("# torch: bench/torch_epoch.py, training batches only; peak RSS includes the Python"
              " interpreter and torch")
        print(f"| {'model':<26} | {'s / epoch':>9} | {'peak RSS':>9} |")
        print(f"|{'-' * 28}|{'-' * 11}|{'-' * 11}|")
        for model, sec, rss in epochs:
            print(f"| {model:<26} | {sec:>9.4f} | {rss:>6.0f} MB |")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"commit": git_commit(), "threads": args.threads, "load_before": load_before,
                       "load_after": load_after, "table": table, "torch_samples_us": torch_s,
                       "bnlstm_samples_us": ours_s, "epochs": epochs}, f, indent=1)


if __name__ == "__main__":
    main()
