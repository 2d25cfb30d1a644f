"""Every way Python can hand bnlstm something wrong ends in an exception with a one-line message,
never a crash: TypeError for the wrong kind or dtype of object, bnlstm.Error (a ValueError) for
wrong values, shapes and layouts, with the library's own message where the library found it."""
import re
import threading

import numpy as np
import pytest

import bnlstm


def x32(*shape):
    return np.random.default_rng(0).normal(size=shape).astype(np.float32)


def raises(exc, message):
    """pytest.raises matching the whole message literally."""
    return pytest.raises(exc, match="^" + re.escape(message) + "$")


def test_error_is_a_value_error():
    assert issubclass(bnlstm.Error, ValueError)
    assert bnlstm.Error.__module__ == "bnlstm"


def test_not_an_array():
    with raises(TypeError, "BatchNorm1d.forward: x: expected a numpy.ndarray of float32, got list"):
        bnlstm.BatchNorm1d(3)([[1.0, 2.0, 3.0]])


def test_wrong_dtype_is_not_converted():
    with raises(TypeError, "BatchNorm1d.forward: x: expected dtype float32, got float64 (the layer's "
                           "dtype; convert with .astype(numpy.float32))"):
        bnlstm.BatchNorm1d(3)(np.zeros((2, 3)))
    with raises(TypeError, "LSTM.forward: x: expected dtype float64, got int64 (the layer's dtype; "
                           "convert with .astype(numpy.float64))"):
        bnlstm.LSTM(1, 2, dtype="float64")(np.zeros((2, 2, 1), np.int64))
    big_endian = np.zeros((2, 3), ">f4")
    with pytest.raises(TypeError, match="expected dtype float32, got >f4"):
        bnlstm.BatchNorm1d(3)(big_endian)


def test_unknown_dtype_argument():
    with raises(TypeError, "dtype: expected float32 or float64, got int32"):
        bnlstm.BatchNorm1d(3, dtype="int32")
    with raises(TypeError, "dtype: expected float32 or float64, got 'no-such-type'"):
        bnlstm.LayerNorm(3, dtype="no-such-type")


def test_wrong_number_of_dimensions():
    with raises(bnlstm.Error, "BatchNorm1d.forward: x: expected 2 or 3 dimensions, got 1 (shape (3,))"):
        bnlstm.BatchNorm1d(3)(x32(3))
    with raises(bnlstm.Error, "LSTM.forward: x: expected 3 dimensions, got 2 (shape (4, 1))"):
        bnlstm.LSTM(1, 2)(x32(4, 1))


def test_shape_mismatch():
    with raises(bnlstm.Error, "BatchNorm1d(3).forward: x has shape (2, 4), expected (N, 3) or (N, 3, L)"):
        bnlstm.BatchNorm1d(3)(x32(2, 4))
    with raises(bnlstm.Error, "LayerNorm(3).forward: x has shape (2, 4), expected (..., 3)"):
        bnlstm.LayerNorm(3)(x32(2, 4))
    with raises(bnlstm.Error, "LSTM.forward: x has shape (5, 2, 3), expected (L, N, 1) with L, N >= 1 "
                              "(input_size 1)"):
        bnlstm.LSTM(1, 4)(x32(5, 2, 3))
    with raises(bnlstm.Error, "LSTM.forward: h0 has shape (1, 3, 4), expected (1, 2, 4) "
                              "(num_layers, N, hidden_size)"):
        bnlstm.LSTM(1, 4)(x32(5, 2, 1), x32(1, 3, 4))
    bn = bnlstm.BatchNorm1d(3)
    bn(x32(4, 3, 2))
    # same number of values, other layout: refused, not reinterpreted
    with raises(bnlstm.Error, "BatchNorm1d.backward: dy has shape (4, 2, 3), expected (4, 3, 2) as the "
                              "last forward's x"):
        bn.backward(x32(4, 2, 3))
    lstm = bnlstm.LSTM(1, 4)
    lstm(x32(5, 2, 1))
    with raises(bnlstm.Error, "LSTM.backward: d_output has shape (5, 2, 3), expected (5, 2, 4) as the "
                              "last forward's output"):
        lstm.backward(x32(5, 2, 3))


def test_non_contiguous_is_refused_not_copied():
    x = x32(4, 6)[:, ::2]
    with raises(bnlstm.Error, "BatchNorm1d.forward: x: the array is not C-contiguous (pass "
                              "numpy.ascontiguousarray(...); bnlstm does not copy silently)"):
        bnlstm.BatchNorm1d(3)(x)
    with pytest.raises(bnlstm.Error, match="not C-contiguous"):
        bnlstm.LSTM(3, 2)(np.asfortranarray(x32(2, 2, 3)))


def test_unaligned_is_refused():
    raw = np.zeros(4 * 6 + 1, np.uint8)
    x = np.frombuffer(raw.data, dtype=np.float32, count=6, offset=1).reshape(2, 3)
    with raises(bnlstm.Error, "BatchNorm1d.forward: x: the array's data is not aligned to its dtype"):
        bnlstm.BatchNorm1d(3)(x)


def test_read_only_output_is_refused():
    out = np.zeros((2, 3), np.float32)
    out.flags.writeable = False
    with raises(bnlstm.Error, "BatchNorm1d.forward: out: the array is read-only"):
        bnlstm.BatchNorm1d(3)(x32(2, 3), out=out)
    with raises(bnlstm.Error, "LayerNorm.forward: out: expected shape (2, 3), got (3, 2)"):
        bnlstm.LayerNorm(3)(x32(2, 3), out=np.zeros((3, 2), np.float32))
    # read-only inputs are fine: they are only read
    x = x32(2, 3)
    x.flags.writeable = False
    bnlstm.BatchNorm1d(3)(x)


@pytest.mark.parametrize("value,kind", [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_non_finite_input(value, kind):
    x = x32(4, 3)
    x[2, 1] = value
    with raises(bnlstm.Error, f"BatchNorm1d.forward: x: non-finite value ({kind}) at index (2, 1)"):
        bnlstm.BatchNorm1d(3)(x)
    bn = bnlstm.BatchNorm1d(3)
    bn(x32(4, 3))
    with raises(bnlstm.Error, f"BatchNorm1d.backward: dy: non-finite value ({kind}) at index (2, 1)"):
        bn.backward(x)
    seq = x32(2, 3, 4)
    seq[1, 2, 3] = value
    with raises(bnlstm.Error, f"LSTM.forward: x: non-finite value ({kind}) at index (1, 2, 3)"):
        bnlstm.LSTM(4, 2)(seq)


def test_library_errors_carry_the_library_message():
    # one value per channel in training mode
    with raises(bnlstm.Error, "Expected more than 1 value per channel when training, got input size "
                              "(1, 3)"):
        bnlstm.BatchNorm1d(3)(x32(1, 3))
    with raises(bnlstm.Error, "BatchNorm1d: momentum must be in [0, 1], got 2"):
        bnlstm.BatchNorm1d(3, momentum=2.0)
    with raises(bnlstm.Error, "unknown LSTM normalization 'bach' (expected none, batch or layer)"):
        bnlstm.LSTM(1, 2, norm="bach")
    with raises(bnlstm.Error, "Lstm::forward: norm=batch in training needs at least 2 sequences per "
                              "batch, got N = 1"):
        bnlstm.LSTM(1, 2, norm="batch")(x32(3, 1, 1))


def test_backward_before_forward():
    with raises(bnlstm.Error, "BatchNorm1d.backward: no forward pass to differentiate"):
        bnlstm.BatchNorm1d(3).backward(x32(2, 3))
    with raises(bnlstm.Error, "LayerNorm.backward: no forward pass to differentiate"):
        bnlstm.LayerNorm(3).backward(x32(2, 3))
    with raises(bnlstm.Error, "LSTM.backward: no forward pass to differentiate"):
        bnlstm.LSTM(1, 2).backward(x32(1, 1, 2))


def test_load_state_dict_errors_leave_the_layer_unchanged():
    bn = bnlstm.BatchNorm1d(3)
    before = bn.state_dict()
    with raises(TypeError, "BatchNorm1d.load_state_dict: expected a dict of numpy arrays, got list"):
        bn.load_state_dict([])
    bad = dict(before, weight=np.ones(4, np.float32), bias=np.full(3, 5, np.float32))
    with raises(bnlstm.Error, "BatchNorm1d.load_state_dict: tensor 'weight' has shape [4], expected [3]"):
        bn.load_state_dict(bad)
    missing = {k: v for k, v in before.items() if k != "running_var"}
    with raises(bnlstm.Error, "BatchNorm1d.load_state_dict: missing tensor 'running_var'"):
        bn.load_state_dict(missing)
    with raises(bnlstm.Error, "BatchNorm1d.load_state_dict: unexpected key(s) 'extra' (pass strict=False "
                              "to ignore them)"):
        bn.load_state_dict(dict(before, extra=np.zeros(1)))
    with raises(TypeError, "BatchNorm1d.load_state_dict: 'bias' has dtype int32, expected float32, "
                           "float64 or int64"):
        bn.load_state_dict(dict(before, bias=np.zeros(3, np.int32)))
    with raises(TypeError, "BatchNorm1d.load_state_dict: 'bias' must be a numpy.ndarray, got list"):
        bn.load_state_dict(dict(before, bias=[0.0, 0.0, 0.0]))
    with raises(bnlstm.Error, "BatchNorm1d.load_state_dict: 'bias': non-finite value (nan) at index (1,)"):
        bn.load_state_dict(dict(before, bias=np.array([0, np.nan, 0], np.float32)))
    after = bn.state_dict()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k])
    bn.load_state_dict(dict(before, extra=np.zeros(1)), strict=False)

    lstm = bnlstm.LSTM(2, 3, norm="batch")
    lstm(x32(4, 2, 2))
    state = lstm.state_dict()
    with raises(bnlstm.Error, "LSTM.load_state_dict: tensor 'bias_l0' has shape (12, 1), expected (12,) "
                              "(input_size 2, hidden_size 3)"):
        lstm.load_state_dict(dict(state, bias_l0=np.zeros((12, 1), np.float32)))
    broken = dict(state)
    del broken["norm_c.running_var"]
    broken["weight_ih_l0"] = np.zeros((12, 2), np.float32)
    with pytest.raises(bnlstm.Error, match="norm_c.running_var"):
        lstm.load_state_dict(broken)
    for k, v in lstm.state_dict().items():
        np.testing.assert_array_equal(v, state[k])


def test_parameters_cannot_be_rebound():
    bn = bnlstm.BatchNorm1d(3)
    with pytest.raises(AttributeError):
        bn.weight = np.zeros(3, np.float32)  # would silently stop being the layer's parameter


def test_concurrent_calls_on_one_layer_are_serialized_not_raced():
    """Two threads calling the same layer (each call releases the GIL) take turns: every result is
    the one a lone call gives. Without the per-object lock they would share its buffers."""
    lstm = bnlstm.LSTM(8, 64)
    xs = [x32(100, 32, 8), x32(80, 48, 8) * 2]
    refs = [bnlstm.LSTM(8, 64)(x)[0] for x in xs]
    results = {0: [], 1: []}

    def work(k):
        for _ in range(4):
            results[k].append(lstm(xs[k])[0])

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in (0, 1):
        assert len(results[k]) == 4
        for out in results[k]:
            np.testing.assert_array_equal(out, refs[k])


def test_non_finite_input_leaves_the_layer_as_it_was():
    """BatchNorm1d finds NaN/inf in training mode through the output (the whole channel turns
    non-finite) and then puts back what the failed call changed."""
    bn = bnlstm.BatchNorm1d(3)
    bn(x32(5, 3))
    bn.backward(x32(5, 3))
    state, grads = bn.state_dict(), (bn.weight_grad.copy(), bn.bias_grad.copy())
    bad = x32(5, 3)
    bad[4, 2] = np.nan
    with raises(bnlstm.Error, "BatchNorm1d.forward: x: non-finite value (nan) at index (4, 2)"):
        bn(bad)
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v, state[k])  # running statistics and count unchanged
    with raises(bnlstm.Error, "BatchNorm1d.backward: no forward pass to differentiate"):
        bn.backward(x32(5, 3))  # the failed forward is not differentiated
    bn(x32(5, 3))
    with raises(bnlstm.Error, "BatchNorm1d.backward: dy: non-finite value (inf) at index (0, 0)"):
        bn.backward(np.full((5, 3), np.inf, np.float32))
    np.testing.assert_array_equal(bn.weight_grad, grads[0])  # gradients unchanged
    np.testing.assert_array_equal(bn.bias_grad, grads[1])
    bn.eval()  # eval mode: element-wise, x and dy are searched before computing
    with raises(bnlstm.Error, "BatchNorm1d.forward: x: non-finite value (nan) at index (4, 2)"):
        bn(bad)
    bn(x32(5, 3))
    with raises(bnlstm.Error, "BatchNorm1d.backward: dy: non-finite value (nan) at index (4, 2)"):
        bn.backward(bad)
    bn.train()
    bn.weight[1] = np.nan  # a parameter, not x
    with raises(bnlstm.Error, "BatchNorm1d.forward: the output is not finite although x is: the batch "
                              "statistics overflowed, or weight or bias holds a non-finite value"):
        bn(x32(5, 3))


def test_thread_count():
    before = bnlstm.get_num_threads()
    try:
        bnlstm.set_num_threads(1)
        assert bnlstm.get_num_threads() == 1
        with raises(bnlstm.Error, "set_num_threads: expected n >= 1, got 0"):
            bnlstm.set_num_threads(0)
        assert bnlstm.get_num_threads() == 1
    finally:
        bnlstm.set_num_threads(before)
