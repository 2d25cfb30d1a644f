"""bnlstm.LayerNorm against torch.nn.LayerNorm: tests/golden/norm_ln_*.safetensors
(tools/golden_norm.py), at the C++ tests' tolerances."""
import numpy as np
import pytest

import bnlstm
from helpers import GOLDEN, RTOL, assert_close, golden

CASES = ["1x2_f64", "2x3_f64", "7x5_f32", "3x4x5_f64", "16x33_f32", "5x64_f64_eps", "7x5_f64_no_affine",
         "3x4x5_f32_no_affine", "33x260_f32", "33x8_f64_offset", "9x17_f32_offset"]


@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case):
    t, meta = golden(f"norm_ln_{case}.safetensors")
    dtype = np.float32 if meta["dtype"] == "f32" else np.float64
    rtol = RTOL[dtype]
    D = int(meta["D"])
    affine = meta["affine"] == "1"
    ln = bnlstm.LayerNorm(D, eps=float(meta["eps"]), elementwise_affine=affine, dtype=dtype)
    if affine:
        ln.weight[:] = t["weight0"]
        ln.bias[:] = t["bias0"]
    y = ln(t["x"])
    dx = ln.backward(t["dy"])
    assert y.shape == t["x"].shape and y.dtype == dtype
    assert_close(f"{case}/y", y, t["y"], rtol)
    assert_close(f"{case}/dx", dx, t["dx"], rtol)
    if affine:
        assert_close(f"{case}/dweight", ln.weight_grad, t["dweight"], rtol)
        assert_close(f"{case}/dbias", ln.bias_grad, t["dbias"], rtol)
    # eval mode computes the same
    np.testing.assert_array_equal(ln.eval()(t["x"]), y)


def test_every_golden_file_is_listed():
    assert len(list(GOLDEN.glob("norm_ln_*.safetensors"))) == len(CASES)


def test_gradients_accumulate_until_zero_grad():
    rng = np.random.default_rng(2)
    ln = bnlstm.LayerNorm((6,), dtype="float64")
    x, dy = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    ln(x)
    ln.backward(dy)
    once = ln.weight_grad.copy()
    ln(x)
    ln.backward(dy)
    np.testing.assert_allclose(ln.weight_grad, 2 * once, rtol=1e-14)
    ln.zero_grad()
    assert not ln.weight_grad.any() and not ln.bias_grad.any()


def test_state_dict_and_repr():
    ln = bnlstm.LayerNorm(3)
    assert ln.normalized_shape == (3,) and ln.elementwise_affine and ln.eps == 1e-5
    assert repr(ln) == "LayerNorm((3,), eps=1e-05, elementwise_affine=True, dtype=float32)"
    s = ln.state_dict()
    assert list(s) == ["weight", "bias"] and s["weight"].dtype == np.float32
    s["weight"] = np.array([1, 2, 3], np.float64)  # float64 values load into a float32 layer
    ln.load_state_dict(s)
    np.testing.assert_array_equal(ln.weight, [1, 2, 3])
    with pytest.raises(bnlstm.Error, match="normalized_shape"):
        bnlstm.LayerNorm((2, 3))
