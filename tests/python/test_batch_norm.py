"""bnlstm.BatchNorm1d against torch.nn.BatchNorm1d: the golden files the C++ tests read
(tests/golden/norm_bn_*.safetensors, tools/golden_norm.py), at the C++ tests' tolerances."""
import numpy as np
import pytest

import bnlstm
from helpers import RTOL, assert_close, golden

CASES = ["2x1_f64", "2x3_f64", "2x3_f32", "7x5_f64_eps_momentum", "7x5_f32", "7x5_f64_default_init",
         "7x5_f64_no_affine", "7x5_f64_no_tracking", "3x4x5_f64_cma", "3x4x5_f32_cma",
         "3x4x5_f32_no_tracking_no_affine", "1x3x2_f64", "16x33x7_f32", "6x11x7_f64_cma_accumulate",
         "3x300_f64_eps_momentum", "5x300_f32", "2x300x3_f32", "40x9_f32_accumulate",
         "1024x3_f32_offset"]


@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case):
    t, meta = golden(f"norm_bn_{case}.safetensors")
    dtype = np.float32 if meta["dtype"] == "f32" else np.float64
    rtol = RTOL[dtype]
    C, L = int(meta["C"]), int(meta["L"])
    N = int(meta["N"])
    defaults = meta["init"] == "default"
    affine = meta["affine"] == "1"
    track = meta["track_running_stats"] == "1"
    accumulate = meta["accumulate"] == "1"
    if defaults:  # torch.nn.BatchNorm1d(C) as constructed: our defaults must be torch's
        bn = bnlstm.BatchNorm1d(C, dtype=dtype)
        np.testing.assert_array_equal(bn.weight, t["weight0"])
        np.testing.assert_array_equal(bn.bias, t["bias0"])
    else:
        momentum = None if meta["momentum"] == "none" else float(meta["momentum"])
        bn = bnlstm.BatchNorm1d(C, eps=float(meta["eps"]), momentum=momentum, affine=affine,
                                track_running_stats=track, dtype=dtype)
    if affine:
        bn.weight[:] = t["weight0"]  # live views: this sets the layer's parameters
        bn.bias[:] = t["bias0"]
    else:
        assert bn.weight is None and bn.weight_grad is None
    if track:
        np.testing.assert_array_equal(bn.running_mean, np.zeros(C, dtype))
        np.testing.assert_array_equal(bn.running_var, np.ones(C, dtype))

    def dx_rtol(s):
        # as the C++ test: with two values per channel the float dx is measured against its
        # natural scale |gamma * rstd * dy| (terms of that size cancel to a factor eps / var)
        if dtype == np.float64 or N * L != 2:
            return rtol
        g = t["weight0"] if affine else np.ones(C, dtype)
        natural = np.abs(g).max() * t["rstd" + s].max() * np.abs(t["dy" + s]).max()
        return rtol * float(natural) / float(np.abs(t["dx" + s]).max())

    def step(s):
        x, dy = t["x" + s], t["dy" + s]
        if not accumulate or s == "_eval":
            bn.zero_grad()
        y = bn.forward(x)
        dx = bn.backward(dy)
        assert y.dtype == dtype and y.shape == x.shape and dx.shape == x.shape
        assert_close(f"{case}/y{s}", y, t["y" + s], rtol)
        assert_close(f"{case}/dx{s}", dx, t["dx" + s], dx_rtol(s))
        if affine:
            assert_close(f"{case}/dweight{s}", bn.weight_grad, t["dweight" + s], rtol)
            assert_close(f"{case}/dbias{s}", bn.bias_grad, t["dbias" + s], rtol)
        if track:
            assert_close(f"{case}/running_mean{s}", bn.running_mean, t["running_mean" + s], rtol)
            assert_close(f"{case}/running_var{s}", bn.running_var, t["running_var" + s], rtol)
            assert bn.num_batches_tracked == int(t["num_batches_tracked" + s])

    for i in range(int(meta["steps"])):
        step(str(i))
    assert bn.training
    assert bn.eval() is bn and not bn.training
    step("_eval")


def test_every_golden_file_is_listed():
    from helpers import GOLDEN
    files = sorted(p.name for p in GOLDEN.glob("norm_bn_*.safetensors"))
    assert len(files) == len(CASES) + 1  # + the state_dict file below


def test_loads_torch_state_dict():
    """torch's own state_dict (BatchNorm1d(4, momentum=None) after 3 batches, prefix "bn.") loads
    and the layer reproduces torch's eval and training outputs and the next running update."""
    t, meta = golden("norm_bn_state_dict.safetensors")
    state = {k[3:]: v for k, v in t.items() if k.startswith("bn.")}
    bn = bnlstm.BatchNorm1d(4, momentum=None, dtype="float64")
    bn.load_state_dict(state)
    assert bn.num_batches_tracked == 3
    y_eval = bn.eval()(t["x"])
    assert_close("state_dict/y_eval", y_eval, t["y_eval"], 1e-12)
    y_train = bn.train()(t["x"])
    assert_close("state_dict/y_train", y_train, t["y_train"], 1e-12)
    assert_close("state_dict/running_mean", bn.running_mean, t["running_mean_after"], 1e-12)
    assert_close("state_dict/running_var", bn.running_var, t["running_var_after"], 1e-12)


def test_state_dict_round_trip_and_torch_names():
    rng = np.random.default_rng(0)
    a = bnlstm.BatchNorm1d(3)
    a.weight[:] = rng.normal(size=3)
    for _ in range(2):
        a(rng.normal(size=(8, 3)).astype(np.float32))
    s = a.state_dict()
    assert list(s) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert s["weight"].shape == (3,) and s["num_batches_tracked"].shape == ()
    assert s["num_batches_tracked"].dtype == np.int64 and int(s["num_batches_tracked"]) == 2
    b = bnlstm.BatchNorm1d(3)
    b.load_state_dict(s)
    x = rng.normal(size=(5, 3, 2)).astype(np.float32)
    np.testing.assert_array_equal(a.eval()(x), b.eval()(x))
    s["weight"][:] = 0  # state_dict returns copies
    assert not np.any(a.weight == 0)
    assert bnlstm.BatchNorm1d(3, affine=False, track_running_stats=False).state_dict() == {}


def test_momentum_none_and_defaults():
    bn = bnlstm.BatchNorm1d(2, momentum=None)
    assert bn.momentum is None and bn.eps == 1e-5 and bn.affine and bn.track_running_stats
    assert bn.dtype == np.float32 and bn.num_features == 2
    assert repr(bn) == ("BatchNorm1d(2, eps=1e-05, momentum=None, affine=True, "
                        "track_running_stats=True, dtype=float32)")
    x1 = np.array([[0, 1], [2, 3]], np.float32)
    x2 = np.array([[4, 5], [6, 9]], np.float32)
    bn(x1)
    bn(x2)
    # cumulative average of the two batch means, and of the two unbiased variances
    np.testing.assert_allclose(bn.running_mean, [3, 4.5], rtol=1e-6)
    np.testing.assert_allclose(bn.running_var, [2, 5], rtol=1e-6)


def test_out_argument_fills_the_given_array():
    bn = bnlstm.BatchNorm1d(4, dtype=np.float64)
    x = np.random.default_rng(1).normal(size=(6, 4))
    out = np.empty_like(x)
    y = bn.forward(x, out=out)
    assert y is out
    dx_out = np.empty_like(x)
    assert bn.backward(np.ones_like(x), out=dx_out) is dx_out
    bn2 = bnlstm.BatchNorm1d(4, dtype=np.float64)
    np.testing.assert_array_equal(bn2(x), out)
    np.testing.assert_array_equal(bn2.backward(np.ones_like(x)), dx_out)
