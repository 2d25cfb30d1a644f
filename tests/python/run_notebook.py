#!/usr/bin/python3
"""Executes a Jupyter notebook headless (nbclient + ipykernel) and fails if any cell raises.

    run_notebook.py NOTEBOOK --copy OUT.ipynb [--timeout SECONDS]

The notebook runs with its own folder as the working directory (so its relative paths work) and
the executed notebook, with its outputs, is written to OUT.ipynb; the original is not touched
unless OUT.ipynb is the original (that is how the committed outputs are refreshed:
PYTHONPATH=build/python /usr/bin/python3 tests/python/run_notebook.py
examples/batch_normalization.ipynb --copy examples/batch_normalization.ipynb).
`make test` runs it through ctest on a copy under build/.
"""
import argparse
import os
import pathlib
import sys
import time

import nbclient
import nbformat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=pathlib.Path)
    parser.add_argument("--copy", type=pathlib.Path, required=True, help="where the executed notebook goes")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args()
    # ipykernel's debugger otherwise warns about frozen modules on every start
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(args.notebook, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(args.notebook.resolve().parent)}})
    t0 = time.monotonic()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        print(f"{args.notebook}: a cell raised:\n{e}", file=sys.stderr)
        return 1
    finally:
        args.copy.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.copy.with_name("." + args.copy.name + ".tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, args.copy)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    print(f"{args.notebook}: {cells} code cells executed in {time.monotonic() - t0:.1f} s -> {args.copy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
