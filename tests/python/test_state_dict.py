"""torch modules' own float32 state_dicts (tests/golden/python_state_dicts.safetensors, written by
tools/golden_python.py) load into the matching bnlstm layers under torch's names, and the layers
then reproduce torch's float32 outputs at the float tolerance of the C++ tests (1e-5)."""
import numpy as np

import bnlstm
from helpers import assert_close, golden

RTOL = 1e-5


def module_state(t, prefix):
    return {k[len(prefix):]: v for k, v in t.items() if k.startswith(prefix)}


def test_batch_norm_1d():
    t, _ = golden("python_state_dicts.safetensors")
    state = module_state(t, "bn.")
    assert sorted(state) == sorted(bnlstm.BatchNorm1d(5).state_dict())
    bn = bnlstm.BatchNorm1d(5)
    bn.load_state_dict(state)
    assert bn.num_batches_tracked == 3
    assert_close("bn/y_eval", bn.eval()(t["bn_x"]), t["bn_y_eval"], RTOL)
    assert_close("bn/y_train", bn.train()(t["bn_x"]), t["bn_y_train"], RTOL)
    assert_close("bn/running_mean", bn.running_mean, t["bn_running_mean_after"], RTOL)
    assert_close("bn/running_var", bn.running_var, t["bn_running_var_after"], RTOL)
    assert bn.num_batches_tracked == 4


def test_layer_norm():
    t, _ = golden("python_state_dicts.safetensors")
    ln = bnlstm.LayerNorm(6)
    ln.load_state_dict(module_state(t, "ln."))
    assert_close("ln/y", ln(t["ln_x"]), t["ln_y"], RTOL)


def test_lstm_norm_none():
    t, _ = golden("python_state_dicts.safetensors")
    state = module_state(t, "lstm.")
    lstm = bnlstm.LSTM(3, 7)
    assert list(lstm.state_dict()) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    lstm.load_state_dict(state)
    out, (h_n, c_n) = lstm(t["lstm_x"], t["lstm_h0"], t["lstm_c0"])
    assert_close("lstm/output", out, t["lstm_output"], RTOL)
    assert_close("lstm/h_n", h_n, t["lstm_h_n"], RTOL)
    assert_close("lstm/c_n", c_n, t["lstm_c_n"], RTOL)
    # and back: our state_dict is torch's, value for value
    for k, v in lstm.state_dict().items():
        np.testing.assert_array_equal(v, state[k])
