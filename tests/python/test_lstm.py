"""bnlstm.LSTM in its three variants against PyTorch: tests/golden/lstm_*.safetensors
(tools/golden_lstm.py: explicit cells with torch ops and autograd in float64, and torch.nn.LSTM
itself), at the C++ tests' tolerances (tests/nn/lstm_golden_test.cpp)."""
import numpy as np
import pytest

import bnlstm
from helpers import assert_close, golden

CASES = ["lstm_none_L1_N2_I3_H5", "lstm_none_L7_N2_I3_H13", "lstm_batch_L1_N2_I3_H5",
         "lstm_batch_L7_N2_I3_H13", "lstm_batch_L7_N3_I2_H5", "lstm_layer_L1_N2_I3_H5",
         "lstm_layer_L7_N2_I3_H13"]
# (dtype, outputs, gradients): the C++ tests' tolerances
TOLERANCES = [(np.float64, 1e-9, 1e-9), (np.float32, 1e-5, 1e-4)]


def make_lstm(t, meta, dtype, **kw):
    lstm = bnlstm.LSTM(int(meta["I"]), int(meta["H"]), norm=meta["norm"], dtype=dtype, **kw)
    for name, view in lstm.named_parameters():  # live views: assigning sets the parameters
        view[...] = t[name]
    return lstm


@pytest.mark.parametrize("dtype,rtol_out,rtol_grad", TOLERANCES, ids=["float64", "float32"])
@pytest.mark.parametrize("pass_state", [True, False], ids=["h0_c0", "default_state"])
@pytest.mark.parametrize("case", CASES)
def test_outputs_and_every_gradient_match_torch(case, pass_state, dtype, rtol_out, rtol_grad):
    t, meta = golden(case + ".safetensors")
    t = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in t.items()}
    L, N, I, H = (int(meta[k]) for k in "LNIH")
    given = meta["given_state"] == "1" or pass_state
    lstm = make_lstm(t, meta, dtype)
    x = t["x"].reshape(L, N, I)
    h0, c0 = t["h0"][None], t["c0"][None]
    out, (h_n, c_n) = lstm(x, h0 if given else None, c0 if given else None)
    assert out.shape == (L, N, H) and h_n.shape == (1, N, H) and out.dtype == dtype
    assert_close("output", out.reshape(L * N, H), t["output"], rtol_out)
    assert_close("h_n", h_n[0], t["h_n"], rtol_out)
    assert_close("c_n", c_n[0], t["c_n"], rtol_out)
    dx, (dh0, dc0) = lstm.backward(t["p_out"].reshape(L, N, H), t["p_h"][None], t["p_c"])
    assert_close("grad.x", dx.reshape(L * N, I), t["grad.x"], rtol_grad)
    if given:
        assert_close("grad.h0", dh0[0], t["grad.h0"], rtol_grad)
        assert_close("grad.c0", dc0[0], t["grad.c0"], rtol_grad)
    else:
        assert dh0 is None and dc0 is None
    grads = dict(lstm.named_gradients())
    assert list(grads) == [name for name, _ in lstm.named_parameters()]
    for name, g in grads.items():
        assert_close("grad." + name, g, t["grad." + name], rtol_grad)
    if meta["norm"] == "batch":  # every step's running statistics moved by its batch statistics
        state = lstm.state_dict()
        for key in ("norm_ih.", "norm_hh.", "norm_c."):
            assert_close(key + "running_mean", state[key + "running_mean"], t[key + "running_mean"], rtol_out)
            assert_close(key + "running_var", state[key + "running_var"], t[key + "running_var"], rtol_out)


@pytest.mark.parametrize("momentum,file", [(0.1, "lstm_batch_running"), (None, "lstm_batch_running_cma")])
def test_per_step_running_statistics_then_eval_beyond_training_length(momentum, file):
    t, meta = golden(file + ".safetensors")
    N, I, H = int(meta["N"]), int(meta["I"]), int(meta["H"])
    lstm = bnlstm.LSTM(I, H, norm="batch", momentum=momentum, dtype="float64")
    for name, view in lstm.named_parameters():
        view[...] = t[name]
    for k, L in enumerate((3, 4, 2)):
        out, _ = lstm(t[f"train{k}.x"].reshape(L, N, I))
        assert_close(f"train{k}.output", out.reshape(L * N, H), t[f"train{k}.output"], 1e-9)
    state = lstm.state_dict()
    for key in ("norm_ih.", "norm_hh.", "norm_c."):
        assert_close(key + "running_mean", state[key + "running_mean"], t[key + "running_mean"], 1e-9)
        assert_close(key + "running_var", state[key + "running_var"], t[key + "running_var"], 1e-9)
        np.testing.assert_array_equal(state[key + "num_batches_tracked"], [3, 3, 2, 1])
    lstm.eval()
    out, (h_n, c_n) = lstm(t["eval.x"].reshape(7, 3, I))
    assert_close("eval.output", out.reshape(21, H), t["eval.output"], 1e-9)
    assert_close("eval.h_n", h_n[0], t["eval.h_n"], 1e-9)
    assert_close("eval.c_n", c_n[0], t["eval.c_n"], 1e-9)


@pytest.mark.parametrize("dtype,suffix,rtol", [(np.float32, "", 1e-5), (np.float64, "64", 1e-12)])
def test_torch_nn_lstm_state_dict_loads_one_to_one(dtype, suffix, rtol):
    t, meta = golden("lstm_torch_module.safetensors")
    L, N, I, H = (int(meta[k]) for k in "LNIH")
    lstm = bnlstm.LSTM(I, H, dtype=dtype)
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    lstm.load_state_dict({k: t[k] for k in names})
    x = t["x"].reshape(L, N, I).astype(dtype)
    out, (h_n, c_n) = lstm(x, t["h0"].astype(dtype), t["c0"].astype(dtype)[None])
    assert_close("output", out.reshape(L * N, H), t["output" + suffix], rtol)
    assert_close("h_n", h_n[0], t["h_n" + suffix], rtol)
    assert_close("c_n", c_n[0], t["c_n" + suffix], rtol)


def test_batch_first_is_the_transposed_layout():
    rng = np.random.default_rng(3)
    a = bnlstm.LSTM(2, 4, norm="layer", seed=5, dtype="float64")
    b = bnlstm.LSTM(2, 4, norm="layer", seed=5, dtype="float64", batch_first=True)
    x = rng.normal(size=(5, 3, 2))  # (L, N, I)
    out_a, (h_a, _) = a(x)
    out_b, (h_b, _) = b(np.ascontiguousarray(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(out_b, out_a.transpose(1, 0, 2), rtol=0, atol=1e-15)
    np.testing.assert_allclose(h_b, h_a, rtol=0, atol=1e-15)
    dy = rng.normal(size=out_a.shape)
    dx_a, _ = a.backward(dy)
    dx_b, _ = b.backward(np.ascontiguousarray(dy.transpose(1, 0, 2)))
    np.testing.assert_allclose(dx_b, dx_a.transpose(1, 0, 2), rtol=0, atol=1e-15)


def test_same_seed_same_weights_and_names():
    a = bnlstm.LSTM(3, 5, norm="batch", seed=7)
    b = bnlstm.LSTM(3, 5, norm="batch", seed=7)
    c = bnlstm.LSTM(3, 5, norm="batch", seed=8)
    names = [n for n, _ in a.named_parameters()]
    assert names == ["weight_ih_l0", "weight_hh_l0", "bias_l0", "norm_ih.weight", "norm_hh.weight",
                     "norm_c.weight", "norm_c.bias"]
    np.testing.assert_array_equal(a.weight_ih_l0, b.weight_ih_l0)
    assert not np.array_equal(a.weight_ih_l0, c.weight_ih_l0)
    assert a.weight_hh_l0.shape == (20, 5) and a.bias_l0.shape == (20,)
    np.testing.assert_allclose(dict(a.named_parameters())["norm_ih.weight"], 0.1)
    assert repr(a) == "LSTM(3, 5, norm='batch', dtype=float32)"
    with pytest.raises(AttributeError):
        a.no_such_thing


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_state_dict_round_trip(norm):
    rng = np.random.default_rng(4)
    a = bnlstm.LSTM(2, 3, norm=norm, seed=1)
    x = rng.normal(size=(4, 5, 2)).astype(np.float32)
    a(x)  # batch: running statistics of 4 steps
    b = bnlstm.LSTM(2, 3, norm=norm, seed=2)
    b.load_state_dict(a.state_dict())
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(x)[0], b(x)[0])
    assert {k: v.shape for k, v in a.state_dict().items()} == {k: v.shape for k, v in b.state_dict().items()}
