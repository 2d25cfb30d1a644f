"""bnlstm.Forecaster against the command-line tool: the same options, data and seed give the same
history and metrics bit for bit as `bnlstm train` (the CLI binary is run from the test); a model
trained in Python is read by `bnlstm evaluate`/`predict` and a CLI model by bnlstm.load; the
per-epoch callback; Ctrl-C; every bad argument with its one-line message."""
import csv
import inspect
import json
import os
import re
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

import bnlstm
from helpers import ROOT

CLI = os.environ.get("BNLSTM_CLI") or str(ROOT / "build" / "bnlstm")
SP500 = str(ROOT / "data" / "sp500.csv")

# Small and fast runs (about 1,000 rows, a few epochs), each exercising another path.
RUNS = {
    "defaults": dict(start="2016-01-01", hidden=8, epochs=4, look_back=5, seed=3),
    "notebook": dict(start="2017-01-01", end="2019-12-31", hidden=6, epochs=3, look_back=3,
                     notebook=True, norm="layer", optimizer="momentum", batch_size=16,
                     value_col=["close", "open"], target_col="close", seed=11),
    # the kept epoch (2) is not the starting one, so predictions depend on trained weights
    "adam-none": dict(start="2012-01-01", hidden=5, epochs=5, norm="none", optimizer="adam",
                      lr=3e-3, clip=0.0, horizon=3, input="both", season=5, patience=2,
                      val_size=0.15, head_init="drawn", seed=0),
}


def flags(options):
    """The command-line flags of Forecaster keyword arguments."""
    out = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, list):
            out += [flag, ",".join(value)]
        else:
            out += [flag, repr(value) if isinstance(value, float) else str(value)]
    return out


def cli(*args, check=True):
    r = subprocess.run([CLI, *args], capture_output=True, text=True)
    if check:
        assert r.returncode == 0, f"bnlstm {' '.join(args)}: {r.stderr}"
    return r


def table(metrics):
    """evaluate()'s dict without "scored": the dict metrics.json holds under "test"."""
    return {k: v for k, v in metrics.items() if k != "scored"}


def cli_train(tmp_path, options, name="cli"):
    out = tmp_path / name
    cli("train", "--data", SP500, *flags(options), "--quiet", "--no-plots", "--out", str(out))
    history = json.loads((out / "history.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    return out, history, metrics


@pytest.mark.parametrize("run", sorted(RUNS))
def test_fit_gives_the_cli_history_and_metrics_bit_for_bit(tmp_path, run):
    options = RUNS[run]
    _, cli_history, cli_metrics = cli_train(tmp_path, options)
    f = bnlstm.Forecaster(**options)
    history = f.fit(SP500)
    key = "test_loss" if options.get("notebook") else "val_loss"
    print(f"{run}: {len(history)} epochs, best {history.best_epoch}, "
          f"CLI {len(cli_history['epochs'])} epochs, best {cli_history['best_epoch']}")
    assert history.epochs == cli_history["epochs"]
    assert history.train_loss.tolist() == cli_history["train_loss"]  # exact, not close
    assert history.val_loss.tolist() == cli_history[key]
    assert history.best_epoch == cli_history["best_epoch"]
    assert history.stopped_early == cli_history["stopped_early"]
    metrics = f.evaluate()
    assert table(metrics) == cli_metrics["test"]
    assert metrics["scored"]["part"] == "test" and not metrics["scored"]["other_rows"]
    assert f.info["test"] == cli_metrics["test"]
    assert metrics["persistence"]["rmse"] > 0 and "model_beats_persistence" in metrics
    assert f.info["persistence_loss"] == cli_metrics["training"][
        "persistence_test_loss" if options.get("notebook") else "persistence_val_loss"]


def test_a_python_model_evaluates_and_predicts_with_the_cli(tmp_path):
    options = RUNS["defaults"]
    cli_dir, _, metrics = cli_train(tmp_path, options)
    f = bnlstm.Forecaster(**options)
    f.fit(SP500)
    path = tmp_path / "python.safetensors"
    f.save(path)
    # the checkpoint's training record has the CLI's keys and values (but the time taken)
    training = json.loads(bnlstm.load(path)._model.training_json)
    assert training.pop("trained_from") == "python"
    assert training.pop("seconds") > 0 and metrics["training"].pop("seconds") > 0
    assert training == metrics["training"]
    # the CLI reads the Python checkpoint (its data path included) and gives the CLI model's
    # forecasts, digit for digit
    ours = cli("evaluate", "--model", str(path), "--output", str(tmp_path / "py.csv")).stdout
    theirs = cli("evaluate", "--model", str(cli_dir / "model.safetensors"), "--output",
                 str(tmp_path / "cli.csv")).stdout
    assert (tmp_path / "py.csv").read_text() == (tmp_path / "cli.csv").read_text()
    table = lambda text: text[text.index("\n\n"):text.index("wrote")]  # noqa: E731
    assert table(ours) == table(theirs)
    assert "persistence" in table(ours)
    predicted = cli("predict", "--model", str(path)).stdout
    rows = list(csv.DictReader(predicted.splitlines()))
    forecast = f.predict()
    assert [r["date"] for r in rows] == [str(d) for d in forecast.dates]
    # the CLI prints about six significant digits (issue 12)
    assert [float(r["forecast"]) for r in rows] == pytest.approx(forecast.values.tolist(),
                                                                 rel=1e-5)


def test_a_cli_model_loads_in_python_and_predicts_the_same(tmp_path):
    options = RUNS["adam-none"]
    cli_dir, _, metrics = cli_train(tmp_path, options)
    model = cli_dir / "model.safetensors"
    g = bnlstm.load(model)
    assert g.config["horizon"] == 3 and g.config["norm"] == "none"
    assert json.loads((cli_dir / "history.json").read_text())["best_epoch"] == 2
    assert g.options["seed"] == 0 and g.options["season"] == 5 and g.options["optimizer"] == "adam"
    assert table(g.evaluate()) == metrics["test"]  # the checkpoint's own data, range and split
    forecast = g.predict()
    rows = list(csv.DictReader(cli("predict", "--model", str(model)).stdout.splitlines()))
    assert [r["date"] for r in rows] == [str(d) for d in forecast.dates]
    # the CLI prints about six significant digits (issue 12)
    assert [float(r["forecast"]) for r in rows] == pytest.approx(forecast.values.tolist(),
                                                                 rel=1e-5)
    assert len(forecast.values) == 3 and forecast.dates[0] > forecast.last_date
    # and back: saved from Python, read by the CLI again
    g.save(tmp_path / "again.safetensors")
    again = cli("predict", "--model", str(tmp_path / "again.safetensors")).stdout
    assert again == cli("predict", "--model", str(model)).stdout


def test_evaluate_on_other_rows_scores_all_of_them_as_the_cli_does(tmp_path):
    # issue 12: `bnlstm evaluate --data new.csv` scores every row of new.csv, and so does
    # Forecaster.evaluate(new.csv), through the same library function (evaluate_rows)
    f = bnlstm.Forecaster(start="2016-01-01", end="2018-12-31", hidden=4, epochs=2, look_back=4,
                          horizon=2, seed=5)
    f.fit(SP500)
    path = tmp_path / "model.safetensors"
    f.save(path)
    s = bnlstm.datasets.read_csv(SP500, start="2019-01-01")
    new = tmp_path / "new.csv"
    new.write_text("date,close\n" + "".join(f"{d},{v!r}\n" for d, v in zip(s.dates, s.values[:, 0])))
    rows = len(s.dates)

    def cli_json(*args):
        out = tmp_path / "metrics.json"
        cli("evaluate", "--model", str(path), *args, "--metrics", str(out))
        return json.loads(out.read_text())

    ours = f.evaluate(new)
    assert ours == cli_json("--data", str(new))  # every number bit for bit, "scored" included
    assert ours["scored"] == {"part": "all", "other_rows": True, "windows": rows - 4 - 2 + 1,
                              "rows": [0, rows - 1], "dates": [str(s.dates[0]), str(s.dates[-1])],
                              "forecast_dates": [str(s.dates[4]), str(s.dates[-1])],
                              "split": {"train": 0.7, "validation": 0.1}}
    assert ours["forecasts"] == 2 * (rows - 4 - 2 + 1) and ours["label"] == "all"
    # the old default, as --part test: the test part of the new rows' split
    test = f.evaluate(new, part="test")
    assert test == cli_json("--data", str(new), "--part", "test")
    assert test["scored"]["part"] == "test" and test["scored"]["windows"] < rows // 3
    # another range of the training file is other rows too; the model's own rows: the test part
    assert f.evaluate(start="2019-01-01", end="2019-06-28") == cli_json("--start", "2019-01-01",
                                                                         "--end", "2019-06-28")
    assert bnlstm.load(path).evaluate() == cli_json() == f.evaluate()
    assert f.evaluate()["scored"]["other_rows"] is False


def test_arrays_and_csv_train_the_same_model():
    s = bnlstm.datasets.read_csv(SP500, start="2016-01-01")
    options = dict(hidden=8, epochs=3, look_back=5, seed=3)
    from_csv = bnlstm.Forecaster(start="2016-01-01", **options)
    h_csv = from_csv.fit(SP500)
    from_array = bnlstm.Forecaster(**options)
    h_array = from_array.fit(s.values[:, 0], dates=s.dates)
    assert h_array.train_loss.tolist() == h_csv.train_loss.tolist()
    assert h_array.val_loss.tolist() == h_csv.val_loss.tolist()
    assert from_array.evaluate() == from_csv.evaluate()
    assert from_array.predict().values.tolist() == from_csv.predict().values.tolist()
    # named columns of a 2-D array; evaluate on other data picks the model's columns by name
    full = bnlstm.datasets.read_csv(SP500, value_cols=["open", "close"], start="2016-01-01")
    two = bnlstm.Forecaster(target_col="close", **options)
    assert two.fit(full.values, dates=full.dates, columns=full.columns).train_loss.tolist() == \
        h_csv.train_loss.tolist()
    # given data is other rows: scored whole by default (as `bnlstm evaluate --data`), its test
    # part with part="test"
    assert table(two.evaluate(full.values, dates=full.dates, columns=full.columns,
                              part="test")) == table(from_csv.evaluate())
    whole = two.evaluate(full.values, dates=full.dates, columns=full.columns)
    assert whole["scored"]["part"] == "all" and whole["scored"]["other_rows"]
    assert whole["scored"]["dates"] == [str(full.dates[0]), str(full.dates[-1])]


def test_pandas_dataframe():
    pd = pytest.importorskip("pandas")  # Debian's python3-pandas; not a dependency
    s = bnlstm.datasets.read_csv(SP500, start="2016-01-01")
    frame = pd.DataFrame({"close": s.values[:, 0]}, index=pd.DatetimeIndex(s.dates))
    options = dict(hidden=8, epochs=3, look_back=5, seed=3)
    a = bnlstm.Forecaster(**options).fit(frame)
    b = bnlstm.Forecaster(**options).fit(s.values[:, 0], dates=s.dates)
    assert a.train_loss.tolist() == b.train_loss.tolist()


def test_callback_once_per_epoch_and_false_stops():
    seen = []

    def record(epoch, logs):
        seen.append((epoch, logs["loss"], logs["val_loss"], logs["best_epoch"]))

    f = bnlstm.Forecaster(**RUNS["defaults"])
    h = f.fit(SP500, callback=record)
    assert [e for e, *_ in seen] == h.epochs == [0, 1, 2, 3, 4]
    assert [loss for _, loss, _, _ in seen] == h.train_loss.tolist()
    assert [v for _, _, v, _ in seen] == h.val_loss.tolist()
    assert seen[-1][3] == h.best_epoch

    stopped = bnlstm.Forecaster(**RUNS["defaults"])
    h2 = stopped.fit(SP500, callback=lambda epoch, logs: epoch < 2)
    assert h2.epochs == [0, 1, 2] and h2.stopped_by_request and not h2.stopped_early
    assert h2.train_loss.tolist() == h.train_loss.tolist()[:3]  # the same run, cut short
    assert "rmse" in stopped.evaluate()["model"]


def test_callback_exception_stops_and_keeps_the_model():
    class Enough(Exception):
        pass

    def fail(epoch, logs):
        if epoch == 1:
            raise Enough("from the callback")

    f = bnlstm.Forecaster(**RUNS["defaults"])
    with pytest.raises(Enough, match="from the callback"):
        f.fit(SP500, callback=fail)
    assert f.history.epochs == [0, 1] and f.history.stopped_by_request
    assert np.isfinite(f.predict().values).all()  # usable
    assert "rmse" in f.evaluate()["model"]


def test_ctrl_c_during_fit_raises_keyboard_interrupt_and_keeps_the_model():
    # SIGINT arrives while the C++ loop runs without the GIL and without a Python callback (one
    # would see it first): only the check after every optimizer step can stop it. Unchecked, the
    # 1,000 epochs (about 10 s) would run to the end and the interrupt come after them.
    f = bnlstm.Forecaster(start="2010-01-01", hidden=64, epochs=1000, patience=0, seed=1)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            f.fit(SP500)
    finally:
        timer.cancel()
    print(f"KeyboardInterrupt {time.monotonic() - t0:.2f} s after the timer started (signal at "
          f"1 s), after epoch {f.history.epochs[-1]} of 1000")
    assert f.history.stopped_by_request and 2 <= len(f.history) < 1000
    assert np.isfinite(f.predict().values).all()  # the model is usable
    assert "rmse" in f.evaluate()["model"]


def test_options_are_the_train_commands_with_the_same_defaults():
    # "  --look-back N:1..100000=1   ..." : flag, type, integer range, default
    help_text = cli("train", "--help").stdout
    pattern = r"^\s+--([a-z-]+)(?: [A-Z]+(?::(\d*)\.\.(\d*))?(?:=(\S+))?)?"
    flags_seen = re.findall(pattern, help_text, re.M)
    assert len(flags_seen) > 40
    for flag, low, high, default in flags_seen:
        name = flag.replace("-", "_")
        if name == "help" or name in bnlstm.forecasting.CLI_ONLY_OPTIONS:
            continue
        assert name in bnlstm.forecasting.TRAIN_OPTIONS, f"--{flag} has no Forecaster option"
        ours = bnlstm.forecasting.TRAIN_OPTIONS[name]
        if default:
            if isinstance(ours.default, str):
                assert ours.default == default, f"--{flag}"
            else:
                assert ours.default == float(default), f"--{flag}: CLI {default}, Python {ours}"
        else:
            assert ours.default in (None, False), f"--{flag}: no CLI default, Python {ours!r}"
        if low:
            assert ours.kind == "int" and ours.low == int(low), f"--{flag}: CLI from {low}"
            assert ours.high == (int(high) if high else 2**64 - 1), f"--{flag}: CLI to {high}"
    signature = inspect.signature(bnlstm.Forecaster)
    assert {k: p.default for k, p in signature.parameters.items()} == \
        {k: o.default for k, o in bnlstm.forecasting.TRAIN_OPTIONS.items()}
    names = {f.replace("-", "_") for f, *_ in flags_seen}
    assert set(bnlstm.forecasting.TRAIN_OPTIONS) <= names
    assert set(bnlstm.forecasting.CLI_ONLY_OPTIONS) <= names | {"data"}


def raises(exc, message):
    return pytest.raises(exc, match="^" + re.escape(message) + "$")


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(hiden=8), TypeError, "Forecaster: unknown option 'hiden' (did you mean 'hidden'?)"),
    (dict(out="x"), TypeError, "Forecaster: unknown option 'out' (save(path) writes the "
                               "checkpoint; history and evaluate() return the rest)"),
    (dict(hidden=0), bnlstm.Error, "Forecaster: hidden: expected an integer in [1, 100000], got 0"),
    (dict(hidden=8.0), TypeError, "Forecaster: hidden: expected an integer, got float 8.0"),
    (dict(epochs=True), TypeError, "Forecaster: epochs: expected an integer, got bool True"),
    (dict(lr=-1), bnlstm.Error, "Forecaster: lr: expected a number > 0, got -1.0"),
    (dict(lr=float("nan")), bnlstm.Error, "Forecaster: lr: expected a number > 0, got nan"),
    (dict(lr="0.1"), TypeError, "Forecaster: lr: expected a number, got str '0.1'"),
    (dict(momentum=1), bnlstm.Error, "Forecaster: momentum: expected a number in [0, 1), got 1.0"),
    (dict(train_size=1.0), bnlstm.Error, "Forecaster: train_size: expected a fraction in (0, 1), "
                                         "got 1.0"),
    (dict(norm="bath"), bnlstm.Error, "Forecaster: norm: expected 'batch', 'layer' or 'none', "
                                      "got 'bath'"),
    (dict(norm=None), TypeError, "Forecaster: norm: expected a string ('batch', 'layer' or "
                                 "'none'), got NoneType None"),
    (dict(no_restore=1), TypeError, "Forecaster: no_restore: expected True or False, got 1"),
    (dict(start="2020-13-01"), bnlstm.Error, "Forecaster: start: expected a date YYYY-MM-DD, got "
                                             "'2020-13-01'"),
    (dict(value_col=["close", ""]), bnlstm.Error, "Forecaster: value_col: expected column names, "
                                                  "got an empty name in ['close', '']"),
    (dict(seed=-1), bnlstm.Error, "Forecaster: seed: expected an integer in [0, "
                                  "18446744073709551615], got -1"),
    (dict(train_size=0.8, val_size=0.2), bnlstm.Error, "Forecaster: val_size: expected a fraction "
                                                       "> 0 with train_size + val_size < 1, got "
                                                       "0.8 + 0.2"),
    (dict(validate_on_test=True, val_size=0.1), bnlstm.Error,
     "Forecaster: validate_on_test: the test part validates, so val_size cannot be given too"),
])
def test_bad_options_name_the_option(kwargs, exc, message):
    with raises(exc, message):
        bnlstm.Forecaster(**kwargs)


def test_bad_fit_arguments_name_the_argument(tmp_path):
    f = bnlstm.Forecaster(hidden=4, epochs=1)
    with raises(TypeError, "Forecaster.fit: data: expected a CSV path, a numpy array or a pandas "
                           "DataFrame, got list"):
        f.fit([1.0, 2.0])
    with raises(bnlstm.Error,
                "Forecaster.fit: data: values: non-finite value (nan) at index (2, 0)"):
        f.fit(np.array([1.0, 2.0, np.nan] + [1.0] * 50))
    with raises(bnlstm.Error, "Forecaster.fit: data: dates must be strictly increasing; row 1 "
                              "(2020-01-01) follows 2020-01-02"):
        f.fit(np.ones(2), dates=["2020-01-02", "2020-01-01"])
    with raises(bnlstm.Error, "Forecaster.fit: data has 2 columns ('col0', 'col1'): name the one "
                              "to forecast with target_col (and the inputs with value_col)"):
        f.fit(np.ones((50, 2)))
    with raises(bnlstm.Error, "Forecaster.fit: data: no column 'close' (available: 'a', 'b')"):
        bnlstm.Forecaster(target_col="close").fit(np.ones((50, 2)), columns=["a", "b"])
    with raises(TypeError, "Forecaster.fit: callback: expected a callable, got int"):
        f.fit(SP500, callback=3)
    with pytest.raises(bnlstm.Error, match="no-such.csv"):
        f.fit(str(tmp_path / "no-such.csv"))
    with raises(bnlstm.Error, "Forecaster: val_size: 0.1 of 5 rows is no validation row; "
                              "expected a fraction >= 0.2"):
        f.fit(np.arange(5.0))
    with raises(RuntimeError, "Forecaster.predict: not fitted yet: call fit(data) or "
                              "bnlstm.load(path) first"):
        f.predict()
    g = bnlstm.Forecaster(**RUNS["defaults"])
    g.fit(SP500)
    with raises(bnlstm.Error, "Forecaster.evaluate: part: expected 'test', 'validation', 'train' "
                              "or 'all', got 'tests'"):
        g.evaluate(part="tests")
    with pytest.raises(bnlstm.Error, match="not a bnlstm checkpoint|safetensors"):
        (tmp_path / "bad.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
        bnlstm.load(tmp_path / "bad.safetensors")


# --- resume= and init_from= (bnlstm train --resume / --init-from) ---------------------------

RESUME = dict(start="2016-01-01", hidden=8, look_back=5, optimizer="adam", lr=3e-3, patience=0,
              seed=3)


def test_resume_equals_the_uninterrupted_run_and_the_cli(tmp_path):
    whole = bnlstm.Forecaster(epochs=4, **RESUME)
    whole.fit(SP500)
    part = bnlstm.Forecaster(epochs=2, **RESUME)
    part.fit(SP500)
    part.save(tmp_path / "part.safetensors")
    # fit() without data reads the checkpoint's rows; its settings need not be repeated
    resumed = bnlstm.Forecaster(resume=tmp_path / "part.safetensors", epochs=4)
    history = resumed.fit()
    assert history.epochs == [0, 1, 2, 3, 4]
    assert history.train_loss.tolist() == whole.history.train_loss.tolist()
    assert history.val_loss.tolist() == whole.history.val_loss.tolist()
    assert resumed.evaluate() == whole.evaluate()
    assert resumed.predict().values.tolist() == whole.predict().values.tolist()
    # the CLI resumes the Python checkpoint to the same end
    cli("train", "--resume", str(tmp_path / "part.safetensors"), "--epochs", "4", "--quiet",
        "--no-plots", "--out", str(tmp_path / "cli"))
    cli_history = json.loads((tmp_path / "cli" / "history.json").read_text())
    assert cli_history["val_loss"] == whole.history.val_loss.tolist()
    resumed.save(tmp_path / "resumed.safetensors")
    training = json.loads(bnlstm.load(tmp_path / "resumed.safetensors")._model.training_json)
    assert training["optimizer"] == "adam" and training["resumed_from"] == \
        os.fspath(tmp_path / "part.safetensors")


def test_resume_refuses_other_settings_and_old_checkpoints(tmp_path):
    part = bnlstm.Forecaster(epochs=1, **RESUME)
    part.fit(SP500)
    path = tmp_path / "part.safetensors"
    part.save(path)
    with raises(bnlstm.Error, f"hidden: {path} was trained with 8, got 16; resume continues that "
                "run with its settings (only epochs, patience, threads and season may change; a "
                "new run from its weights: init_from)"):
        bnlstm.Forecaster(resume=path, hidden=16, epochs=3).fit()
    with raises(bnlstm.Error, "Forecaster: resume and init_from: a run either continues a "
                "checkpoint or starts from its weights, give one"):
        bnlstm.Forecaster(resume=path, init_from=path)
    # a model saved without training state (bnlstm.load, then save)
    bnlstm.load(path).save(tmp_path / "model_only.safetensors")
    with pytest.raises(bnlstm.Error, match="holds no training state to resume"):
        bnlstm.Forecaster(resume=tmp_path / "model_only.safetensors", epochs=3).fit()


def test_init_from_starts_a_new_run_from_the_weights(tmp_path):
    first = bnlstm.Forecaster(epochs=3, **RESUME)
    first.fit(SP500)
    first.save(tmp_path / "first.safetensors")
    kept = first.history.best_val_loss
    # the network and window layout are the checkpoint's; the optimizer and epochs this run's
    tuned = bnlstm.Forecaster(init_from=tmp_path / "first.safetensors", start="2016-01-01",
                              epochs=2)
    history = tuned.fit(SP500)
    assert history.epochs == [0, 1, 2]
    assert history.val_loss[0] == pytest.approx(kept, rel=1e-12)  # where the model was
    assert tuned.config["hidden"] == 8 and tuned.config["look_back"] == 5
    with raises(bnlstm.Error, f"hidden: the network comes from init_from "
                f"{tmp_path / 'first.safetensors'}, whose hidden size is 8, got 4"):
        bnlstm.Forecaster(init_from=tmp_path / "first.safetensors", hidden=4).fit(SP500)
