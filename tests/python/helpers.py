"""Shared by the pytest files: where the golden files are, and the llm.c-style comparison that
prints one OK / NOT OK line per tensor (the same normwise relative error as the C++ tests'
tests/testing/compare.hpp: max|actual - expected| / max|expected|)."""
import os
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(os.environ.get("BNLSTM_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
GOLDEN = ROOT / "tests" / "golden"
sys.path.insert(0, str(ROOT / "tools"))
import golden_io  # noqa: E402  (tools/golden_io.py: safetensors reader, no PyTorch needed)

# The C++ tests' tolerances (tests/nn/*_test.cpp).
RTOL = {np.float32: 1e-5, np.float64: 1e-10}


def golden(name):
    """({name: numpy array}, metadata) of tests/golden/<name>."""
    return golden_io.load(GOLDEN / name)


def assert_close(name, actual, expected, rtol):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != expected {expected.shape}"
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    diff = float(np.max(np.abs(a - e))) if a.size else 0.0
    ref = float(np.max(np.abs(e))) if e.size else 0.0
    rel = diff / max(ref, np.finfo(np.float64).tiny)
    ok = bool(np.all(np.isfinite(a))) and (diff == 0 or rel <= rtol)
    print(f"  {name:<40s} max abs diff {diff:.3e}  rel {rel:.3e}  {'OK' if ok else 'NOT OK'}")
    assert ok, f"{name}: relative error {rel:.3e} > {rtol:g} (max abs diff {diff:.3e})"
