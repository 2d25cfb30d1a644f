#!/usr/bin/python3
"""Regenerates every reference file under tests/golden/ from PyTorch.

Run with Debian's interpreter, which has python3-torch (`make golden` does this):
    /usr/bin/python3 tools/make_golden.py [--only NAME]
Each tools/golden_*.py module has a main(out_dir) that writes its own files.
"""
import argparse
import importlib
import os
import pathlib
import sys

import torch

TOOLS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only tools/golden_NAME.py")
    parser.add_argument("--out", default=str(TOOLS.parent / "tests" / "golden"))
    args = parser.parse_args()
    print(f"torch {torch.__version__}")
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    names = sorted(p.stem[len("golden_"):] for p in TOOLS.glob("golden_*.py") if p.stem != "golden_io")
    if args.only:
        names = [args.only]
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        print(f"== golden_{name}")
        importlib.import_module(f"golden_{name}").main(args.out)


if __name__ == "__main__":
    main()
