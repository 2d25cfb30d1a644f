#!/usr/bin/python3
"""bnlstm classify against its PyTorch reference (tools/study_torch.py) from the same start:
bnlstm writes its initial weights (--save-initial), the PyTorch model loads them and draws
bnlstm's own h_0 noise, both read the same batches in the same order. What differs is only
floating-point rounding (summation order, libm), so the validation accuracy at the same steps
should agree closely; the table gives the difference at every validation point and the largest.
Time per epoch (training only, validation excluded) of both, same thread count (torch's and
OpenBLAS's threads set to --threads), run one after the other per norm; the load average before
and after each run is recorded, because the machine may be shared.

    /usr/bin/python3 bench/classify_vs_torch.py --bnlstm build/bnlstm --norms none,batch,layer \\
        --seed 1 --steps 550 --eval-every 50 --threads 1 --out out/classify-vs-torch

Writes OUT/bnlstm-NORM/ (bnlstm's run), OUT/torch-NORM.json and OUT/compare.json, and prints
the tables as Markdown. Run it only with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    return round(os.getloadavg()[0], 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bnlstm", default="build/bnlstm")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--norms", default="none,batch,layer")
    ap.add_argument("--view", default="rows", choices=["rows", "pixels", "pixels14"])
    ap.add_argument("--permute", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=550, help="PyTorch steps (bnlstm trains 1 epoch)")
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="out/classify-vs-torch")
    a = ap.parse_args()
    # before torch is imported: OpenBLAS sizes its thread pool when it loads
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    import study_torch  # noqa: E402

    os.makedirs(a.out, exist_ok=True)
    rows, summary = [], []
    for norm in a.norms.split(","):
        run_dir = os.path.join(a.out, f"bnlstm-{norm}")
        cmd = [a.bnlstm, "classify", "--data-dir", a.data_dir, "--view", a.view, "--norm", norm,
               "--epochs", "1", "--eval-every", str(a.eval_every), "--seed", str(a.seed),
               "--threads", str(a.threads), "--save-initial", "--no-plots", "--quiet",
               "--out", run_dir] + (["--permute"] if a.permute else [])
        load_0 = load()
        t0 = time.time()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        load_1 = load()
        with open(os.path.join(run_dir, "history.json")) as f:
            ours = json.load(f)
        print(f"{norm}: bnlstm {ours['seconds_per_epoch']:.1f} s/epoch ({time.time() - t0:.0f} s "
              f"wall, load {load_0} -> {load_1})", flush=True)
        targs = study_torch.parse_args([
            "--data-dir", a.data_dir, "--view", a.view, "--norm", norm, "--epochs", "1",
            "--eval-every", str(a.eval_every), "--max-steps", str(a.steps), "--seed", str(a.seed),
            "--threads", str(a.threads), "--init", os.path.join(run_dir, "initial.safetensors")]
            + (["--permute"] if a.permute else []))
        theirs = study_torch.run(targs, log=lambda line: print("  torch " + line, flush=True))
        load_2 = load()
        with open(os.path.join(a.out, f"torch-{norm}.json"), "w") as f:
            json.dump(theirs, f, indent=1)
        ours_at = dict(zip(ours["step"], ours["val_accuracy"]))
        diffs = []
        for p in theirs["points"]:
            if p["step"] in ours_at and p["step"] % a.eval_every == 0:
                d = 100 * (ours_at[p["step"]] - p["val_accuracy"])
                diffs.append(abs(d))
                rows.append((norm, p["step"], 100 * p["val_accuracy"], 100 * ours_at[p["step"]], d))
        s = {"norm": norm, "points": len(diffs), "max_abs_difference": max(diffs) if diffs else None,
             "bnlstm_seconds_per_epoch": ours["seconds_per_epoch"],
             "torch_seconds_per_epoch": theirs["seconds_per_epoch"], "torch_steps": theirs["steps"],
             "ratio": theirs["seconds_per_epoch"] / ours["seconds_per_epoch"],
             "load": [load_0, load_1, load_2]}
        summary.append(s)
        print(f"{norm}: max |difference| {s['max_abs_difference']:.2f} points over {len(diffs)} "
              f"points; torch {s['torch_seconds_per_epoch']:.1f} s/epoch, {s['ratio']:.1f}x", flush=True)

    with open(os.path.join(a.out, "compare.json"), "w") as f:
        json.dump({"args": vars(a), "summary": summary, "rows": rows}, f, indent=1)
    print("\n| norm | step | PyTorch val. acc. (%) | bnlstm val. acc. (%) | difference (points) |")
    print("|---|---:|---:|---:|---:|")
    for norm, step, t, o, d in rows:
        print(f"| {norm} | {step} | {t:.2f} | {o:.2f} | {d:+.2f} |")
    print("\n| norm | validation points | max abs. difference (points) | PyTorch s / epoch | "
          "bnlstm s / epoch | ratio | load average (before bnlstm, after it, after torch) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for s in summary:
        print(f"| {s['norm']} | {s['points']} | {s['max_abs_difference']:.2f} | "
              f"{s['torch_seconds_per_epoch']:.1f} | {s['bnlstm_seconds_per_epoch']:.1f} | "
              f"{s['ratio']:.1f}x | {' / '.join(str(v) for v in s['load'])} |")


if __name__ == "__main__":
    main()
