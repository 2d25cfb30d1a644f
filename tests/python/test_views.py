"""What the arrays handed back are: results are new arrays that later calls never change;
parameters and gradients are live views that keep their layer alive. And long calls release
the GIL."""
import gc
import sys
import threading

import numpy as np

import bnlstm


def rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def test_results_stay_correct_after_further_calls():
    lstm = bnlstm.LSTM(2, 5, norm="batch")
    x1, x2 = rand(4, 3, 2, seed=1), rand(6, 8, 2, seed=2)  # the second call is larger
    out1, (h1, c1) = lstm(x1)
    dx1, (_, _) = lstm.backward(np.ones_like(out1))
    saved = [a.copy() for a in (out1, h1, c1, dx1)]
    for _ in range(3):
        out2, _ = lstm(x2)
        lstm.backward(np.ones_like(out2))
    for a, b in zip((out1, h1, c1, dx1), saved):
        np.testing.assert_array_equal(a, b)
    assert out1.flags.owndata or out1.base is not None and not isinstance(out1.base, bnlstm.LSTM)

    bn = bnlstm.BatchNorm1d(3)
    y1 = bn(rand(4, 3, seed=3))
    dx = bn.backward(rand(4, 3, seed=4))
    saved = y1.copy(), dx.copy()
    bn(rand(9, 3, 2, seed=5))
    bn.backward(rand(9, 3, 2, seed=6))
    np.testing.assert_array_equal(y1, saved[0])
    np.testing.assert_array_equal(dx, saved[1])
    rm = bn.running_mean
    bn(rand(4, 3, seed=7))
    assert not np.array_equal(rm, bn.running_mean)  # running_mean is a copy taken when asked


def test_parameters_are_live_views_that_keep_the_layer_alive():
    bn = bnlstm.BatchNorm1d(3, dtype="float64")
    w, g = bn.weight, bn.weight_grad
    w[:] = [1, 2, 3]
    np.testing.assert_array_equal(bn.state_dict()["weight"], [1, 2, 3])  # the layer sees it
    bn(rand(4, 3, dtype=np.float64))
    bn.backward(rand(4, 3, dtype=np.float64, seed=1))
    assert np.any(g != 0)  # and the view sees backward's accumulation
    del bn
    gc.collect()
    np.testing.assert_array_equal(w, [1, 2, 3])  # still valid: the view holds the layer

    lstm = bnlstm.LSTM(1, 2, norm="layer")
    params = dict(lstm.named_parameters())
    del lstm
    gc.collect()
    assert params["norm_c.weight"].sum() == 2.0


def test_long_calls_release_the_gil():
    """A Python thread keeps running while another thread is inside a long LSTM forward."""
    lstm = bnlstm.LSTM(16, 128)
    x = rand(400, 64, 16)
    done = threading.Event()
    ticks_during = 0

    def work():
        lstm(x)
        done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        while not done.is_set():
            ticks_during += 1
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    # with the GIL held for the whole call this loop could run only around the call (a couple
    # of 0.1 ms switch intervals, ~10^3 ticks); released, it spins for the call's whole duration
    # (~10^6 ticks for a call of tens of milliseconds)
    assert ticks_during > 50000
