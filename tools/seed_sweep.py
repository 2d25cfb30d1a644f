#!/usr/bin/python3
"""Ten-seed sweeps of `bnlstm train`: test RMSE relative to the persistence forecast.

Every learning claim in docs/workflow.md is measured with this script: it runs the CLI once per
seed (--quiet --no-plots, a temporary --out), reads metrics.json and prints, per configuration,
the ratio model RMSE / persistence RMSE for each seed, its median and its worst (largest) value,
and the kept epoch of each run.

  /usr/bin/python3 tools/seed_sweep.py -- --norm none             # one configuration (S&P)
  /usr/bin/python3 tools/seed_sweep.py --matrix -- --init xavier  # the eight standard cells
  /usr/bin/python3 tools/seed_sweep.py --data seattle-temp        # a named data set, defaults

--matrix runs the issue-11 grid: {built-in S&P, GOOG protocol} x {--norm batch, --norm none} x
{--look-back 1, --look-back 20}, each with the arguments after `--` appended (so the same extra
flags are measured on every cell), and prints one markdown table row per cell.

Data sets by name (--data NAME; anything else is passed as --data PATH):
  sp500         the built-in data (no --data)
  goog          ../shared/data/google.csv --start 2005-01-01 --end 2020-12-31 --train-size 0.7
  seattle-temp  data/seattle-weather.csv, column temp_max
  co2           data/co2-concentration.csv, column CO2
Runs are niced and sequential by default (--jobs N to run N at once; results do not depend on it).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOG = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "google.csv"))
DATA = os.path.join(ROOT, "data")


def data_sets(data_dir):
    return {
        "sp500": [] if data_dir is None else ["--data", os.path.join(data_dir, "sp500.csv")],
        "goog": ["--data", GOOG, "--start", "2005-01-01", "--end", "2020-12-31",
                 "--train-size", "0.7"],
        "seattle-temp": ["--data", os.path.join(data_dir or DATA, "seattle-weather.csv"),
                         "--value-col", "temp_max"],
        "co2": ["--data", os.path.join(data_dir or DATA, "co2-concentration.csv"),
                "--value-col", "CO2"],
    }


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            seeds.extend(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    return seeds


def run_one(bnlstm, args, seed, workdir):
    out = os.path.join(workdir, f"seed{seed}")
    cmd = ["nice", bnlstm, "train", *args, "--seed", str(seed), "--quiet", "--no-plots",
           "--out", out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return {"seed": seed, "error": (p.stderr.strip() or p.stdout.strip()).splitlines()[-1]}
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    test = m["test"]
    r = {
        "seed": seed,
        "rmse": test["model"]["rmse"],
        "persistence": test["persistence"]["rmse"],
        "best_epoch": m["training"].get("best_epoch"),
        "epochs_run": m["training"].get("epochs_run"),
    }
    r["ratio"] = r["rmse"] / r["persistence"]
    # the seasonal-naive baseline and MASE, when the run reports them
    if "seasonal_naive" in test:
        r["seasonal"] = test["seasonal_naive"]["rmse"]
        r["ratio_seasonal"] = r["rmse"] / r["seasonal"]
    return r


def sweep(bnlstm, args, seeds, jobs):
    with tempfile.TemporaryDirectory(prefix="bnlstm-sweep-") as workdir:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda s: run_one(bnlstm, args, s, workdir), seeds))


def summary(results):
    ok = [r for r in results if "ratio" in r]
    ratios = [r["ratio"] for r in ok]
    s = {"runs": len(results), "failed": len(results) - len(ok)}
    if ratios:
        s["median"] = statistics.median(ratios)
        s["worst"] = max(ratios)
        s["best"] = min(ratios)
        s["kept_epoch_1"] = sum(1 for r in ok if r["best_epoch"] == 1)
        s["kept_epoch_0"] = sum(1 for r in ok if r["best_epoch"] == 0)
        if all("ratio_seasonal" in r for r in ok):
            rs = [r["ratio_seasonal"] for r in ok]
            s["median_seasonal"] = statistics.median(rs)
            s["worst_seasonal"] = max(rs)
    return s


def print_runs(label, args, results):
    print(f"## {label}: bnlstm train {' '.join(args)} --seed S")
    for r in results:
        if "error" in r:
            print(f"  seed {r['seed']:>3}: FAILED: {r['error']}")
            continue
        extra = f"  vs seasonal naive {r['ratio_seasonal']:.4f}x" if "ratio_seasonal" in r else ""
        print(f"  seed {r['seed']:>3}: RMSE {r['rmse']:.4f} / persistence {r['persistence']:.4f}"
              f" = {r['ratio']:.4f}x  (kept epoch {r['best_epoch']} of {r['epochs_run']}){extra}")


def print_summary(label, s):
    if "median" not in s:
        print(f"{label}: every run failed")
        return
    line = (f"{label}: median {s['median']:.4f}x  worst {s['worst']:.4f}x  best {s['best']:.4f}x"
            f"  (kept epoch 0: {s['kept_epoch_0']}, epoch 1: {s['kept_epoch_1']}, "
            f"failed: {s['failed']})")
    if "median_seasonal" in s:
        line += (f"; vs seasonal naive median {s['median_seasonal']:.4f}x"
                 f" worst {s['worst_seasonal']:.4f}x")
    print(line, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bnlstm", default=os.path.join(ROOT, "build", "bnlstm"))
    ap.add_argument("--seeds", default="1-10", help="e.g. 1-10 or 1,2,42")
    ap.add_argument("--data", default="sp500", help="a data set name (see above) or a CSV path")
    ap.add_argument("--matrix", action="store_true", help="the eight standard cells")
    ap.add_argument("--matrix-data", default="sp500,goog", help="--matrix: data sets")
    ap.add_argument("--matrix-norm", default="batch,none", help="--matrix: norms")
    ap.add_argument("--matrix-look-back", default="1,20", help="--matrix: look-backs")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--data-dir", help="read the named data sets from this folder instead of data/")
    ap.add_argument("--json", help="also write every run's numbers to this file")
    ap.add_argument("extra", nargs="*", help="train flags (after --)")
    a = ap.parse_args()
    seeds = parse_seeds(a.seeds)
    DATA_SETS = data_sets(a.data_dir)

    cells = []
    if a.matrix:
        for data in a.matrix_data.split(","):
            for norm in a.matrix_norm.split(","):
                for lookback in a.matrix_look_back.split(","):
                    args = DATA_SETS[data] + ["--norm", norm, "--look-back", lookback] + a.extra
                    cells.append((f"{data} norm {norm} look-back {lookback}", args))
    else:
        data = DATA_SETS.get(a.data, ["--data", a.data])
        cells.append((a.data, data + a.extra))

    table, dump = [], []
    for label, args in cells:
        results = sweep(a.bnlstm, args, seeds, a.jobs)
        s = summary(results)
        print_runs(label, args, results)
        print_summary(label, s)
        table.append((label, s))
        dump.append({"label": label, "args": args, "runs": results, "summary": s})
    if a.matrix or len(cells) > 1:
        print("\n| cell | median | worst | kept epoch 0 / 1 |")
        print("|---|---|---|---|")
        for label, s in table:
            if "median" in s:
                print(f"| {label} | {s['median']:.3f}x | {s['worst']:.3f}x | "
                      f"{s['kept_epoch_0']} / {s['kept_epoch_1']} |")
            else:
                print(f"| {label} | failed | failed | |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dump, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
