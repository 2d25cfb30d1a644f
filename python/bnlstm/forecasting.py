"""The forecasting workflow of `bnlstm train`, `evaluate` and `predict`, from Python.

    f = bnlstm.Forecaster(look_back=20, epochs=30, seed=7)   # `bnlstm train`'s options
    history = f.fit("prices.csv")          # or a numpy array, a pandas DataFrame, None = S&P 500
    f.evaluate()                           # the test part beside persistence, as a dict
    f.predict()                            # the next step(s) after the data, at its frequency
    f.save("model.safetensors")            # `bnlstm evaluate --model model.safetensors` reads it
    g = bnlstm.load("out/model.safetensors")   # a checkpoint written by `bnlstm train`

Training is the library's run_training, the function `bnlstm train` calls: the same options, data,
seed and thread count give the same history and metrics, bit for bit.
"""
import difflib
import inspect
import json
import math
import os
from typing import Any, Dict, List, NamedTuple, Optional

import numpy as np

from . import _core
from ._forecast_data import _arrays_of, _series_of
from ._train_options import (CLI_ONLY_OPTIONS, TRAIN_OPTIONS, _check_option, _settings,
                             _training_json, _type_name)
from .datasets import sp500_path

__all__ = ["Forecaster", "History", "Forecast", "load", "TRAIN_OPTIONS", "CLI_ONLY_OPTIONS"]


# --- results --------------------------------------------------------------------------------

class History:
    """Training and validation loss per epoch, as history.json of `bnlstm train`.

    epochs: [0, 1, 2, ...] (0 = the starting weights, unless no_epoch_zero); train_loss and
    val_loss: float64 arrays, one value per epoch (val_loss is measured on the test part with
    validate_on_test, and validation_part is then "test"); best_epoch: the epoch whose weights
    were kept; stopped_early: patience ran out; stopped_by_request: the callback returned False,
    raised, or Ctrl-C. `history.history` is Keras' dict {"loss": [...], "val_loss": [...]}.
    """

    def __init__(self, data: dict):
        self.loss: str = data["loss"]
        self.validation_part: str = data["validation_part"]
        key = "test_loss" if self.validation_part == "test" else "val_loss"
        self.epochs: List[int] = list(data["epochs"])
        self.train_loss = np.array(data["train_loss"], dtype=np.float64)
        self.val_loss = np.array(data[key], dtype=np.float64)
        self.best_epoch: int = data["best_epoch"]
        self.stopped_early: bool = data["stopped_early"]
        self.stopped_by_request: bool = data.get("stopped_by_request", False)

    @property
    def history(self) -> Dict[str, List[float]]:
        """Keras' History.history: {"loss": train losses, "val_loss": validation losses}."""
        return {"loss": self.train_loss.tolist(), "val_loss": self.val_loss.tolist()}

    @property
    def best_val_loss(self) -> float:
        """The kept epoch's validation loss (NaN when no epoch had a finite one)."""
        if self.best_epoch not in self.epochs:
            return math.nan
        return float(self.val_loss[self.epochs.index(self.best_epoch)])

    def __len__(self):
        return len(self.epochs)

    def __repr__(self):
        last = self.epochs[-1] if self.epochs else 0
        how = (" (early stopping)" if self.stopped_early else
               " (stopped by request)" if self.stopped_by_request else "")
        return (f"History({last} epochs{how}, best epoch {self.best_epoch}, "
                f"{self.validation_part} {self.loss} {self.best_val_loss:.6g})")


class Forecast(NamedTuple):
    """The next `horizon` values after the data, as `bnlstm predict` prints them: dates
    (H,) datetime64[D], the next steps of `frequency` after last_date (the same dates as
    `bnlstm predict` for the same checkpoint and data), and values (H,) float64 in the data's
    units, at full precision (the CLI prints about six significant digits of the same numbers);
    last_date and last_value: the last observation; frequency: "business" (Monday to Friday, no
    holiday calendar), "day", "week", "month", "quarter" or "year"."""
    dates: np.ndarray
    values: np.ndarray
    last_date: np.datetime64
    last_value: float
    frequency: str


# --- the estimator --------------------------------------------------------------------------

class Forecaster:
    """An LSTM forecaster as `bnlstm train` trains it (a Keras/scikit-learn style estimator).

    Forecaster(**options): every option of `bnlstm train --help` except the output ones, in
    snake_case with the same defaults (--look-back 1 is look_back=1, --no-restore is
    no_restore=False, ...): TRAIN_OPTIONS lists them, CLI_ONLY_OPTIONS the flags left out.
    notebook=True applies the notebook's settings to the options not given, as --notebook does.
    A wrong option raises at once: TypeError (unknown name, wrong type) or bnlstm.Error (a
    ValueError: out of range), one line naming it, e.g. "Forecaster: hidden: expected an
    integer in [1, 100000], got 0".

    resume="run1/model.safetensors" continues a saved run (`bnlstm train --resume`): its weights,
    optimizer state, shuffling, early stopping and history carry on up to `epochs` in total (10
    epochs, or 5 then resume= up to 10: the same weights bit for bit), on its data (fit() without
    data reads the checkpoint's file) with its settings; an option given with another value than
    the checkpoint's raises bnlstm.Error naming it (only epochs, patience, threads and season may
    change). init_from="run1/model.safetensors" starts a new run from its weights
    (`--init-from`): its network and window layout unless given, the scaler fitted on the new
    training rows, a new optimizer. Models trained by fit() save their training state too.

    fit(data) trains (Keras' model.fit); evaluate() judges the test part beside persistence
    (`bnlstm evaluate`); predict() forecasts the steps after the data at its frequency
    (`bnlstm predict`);
    save(path) / bnlstm.load(path) use the checkpoints of the command-line tool.
    """

    def __init__(self, **options):
        unknown = [k for k in options if k not in TRAIN_OPTIONS]
        if unknown:
            name = unknown[0]
            hint = difflib.get_close_matches(name, TRAIN_OPTIONS, n=1)
            why = (f" (did you mean {hint[0]!r}?)" if hint else
                   f" ({CLI_ONLY_OPTIONS[name]})" if name in CLI_ONLY_OPTIONS else "")
            raise TypeError(f"Forecaster: unknown option {name!r}{why}")
        values = {name: o.default for name, o in TRAIN_OPTIONS.items()}
        for name, value in options.items():
            values[name] = _check_option("Forecaster", name, value)
        self._given = set(options)
        self._options = values
        self._settings = _settings(values, self._given)
        self._model = None
        self._series = None  # the data of the last fit (evaluate/predict default)
        self._source = None  # (path, date_col, start, end) of that data when it was a CSV
        self.history: Optional[History] = None
        self.info: Dict[str, Any] = {}

    @property
    def options(self) -> Dict[str, Any]:
        """Every option's value (a copy), defaults included; notebook=True shows its effect."""
        return dict(self._options)

    def get_params(self, deep=True):
        """scikit-learn's name for `options`."""
        return self.options

    def __repr__(self):
        given = ", ".join(f"{k}={self._options[k]!r}" for k in TRAIN_OPTIONS if k in self._given)
        state = "fitted" if self._model is not None else "not fitted"
        return f"Forecaster({given}) [{state}]"

    # -- training --

    def fit(self, data=None, *, dates=None, columns=None, callback=None) -> History:
        """Trains a new model on `data` and returns its History (also kept as self.history).

        data: a CSV path (read as `bnlstm train --data` reads it, with the options date_col,
        value_col, target_col, start, end, strict, date_format, series_col, series and freq);
        None: the built-in S&P 500 (as train without --data); a numpy array (T,) or (T, C) with
        `dates` (T,) (datetime64, or strings read by the CSV reader's rules: ISO dates, with
        date_format any layout; default: consecutive days from 1970-01-01) and `columns` (C
        names; default "value" for (T,), "col0".."colC-1" for (T, C)); a pandas DataFrame (dates:
        the date_col column, else a DatetimeIndex) or Series. Arrays are copied; values must be
        finite, dates increasing; start/end cut them too. Without value_col/target_col an array
        or frame must have a single column (a CSV: the close column, as the CLI). series_col and
        series select rows of a CSV only (select a DataFrame's rows before fit).

        The frequency of the rows (freq, else inferred from the dates as `bnlstm train` infers
        it) is saved with the model and dates predict()'s forecasts.

        callback(epoch, logs): called after every epoch (epoch 0, the starting weights,
        included) with logs {"loss": train loss, "val_loss": validation loss (key "test_loss"
        with validate_on_test), "best_epoch": ...}. Returning False stops training after that
        epoch (history.stopped_by_request; the best weights are restored as after early
        stopping) and fit returns normally. An exception raised by the callback also stops it:
        the model trained so far is kept (evaluate/predict/save work) and fit raises it.
        Ctrl-C does the same within one optimizer step: the step's epoch is finished as a short
        epoch, the best weights restored and kept, and KeyboardInterrupt raised.

        The training itself runs without the GIL, with `threads` threads (set for the fit only).
        """
        start = ("resume" if self._options["resume"] is not None else
                 "init_from" if self._options["init_from"] is not None else "")
        path = self._options[start] if start else ""
        checkpoint = _core._load(path) if start else None  # its columns and data
        series, source = self._load_training_data(data, dates, columns, checkpoint, start)
        settings = dict(self._settings)
        settings.update(self._column_settings)
        part_key = "test_loss" if settings["validate_on_test"] else "val_loss"

        on_epoch = None
        if callback is not None:
            if not callable(callback):
                raise TypeError(f"Forecaster.fit: callback: expected a callable, got "
                                f"{_type_name(callback)}")

            def on_epoch(epoch, train_loss, val_loss, best_epoch):
                logs = {"loss": train_loss, part_key: val_loss, "best_epoch": best_epoch}
                return callback(epoch, logs) is not False

        model, history_json, info, exception = _core._train(series, settings, on_epoch, start,
                                                            path, sorted(self._given))
        history = History(json.loads(history_json))
        test = json.loads(info.pop("test"))
        info["test"] = test
        # the CLI's "data:" line: rows, range, frequency, skipped rows
        info["data"] = series.summary
        info["frequency"] = series.frequency
        settings = info.pop("settings")  # resume=: the checkpoint's
        model.set_provenance(*source, series)
        training = _training_json(self._options, settings, history, info)
        if start == "resume":
            training["resumed_from"] = path
        elif start:
            training["init_from"] = path
        model.training_json = json.dumps(training)
        self._model, self._series, self._source = model, series, source[:4]
        self.history, self.info = history, info
        if exception is not None:
            raise exception
        return history

    def _load_training_data(self, data, dates, columns, checkpoint=None, start=""):
        o = self._options
        load = self._column_settings_for(checkpoint)
        # how a CSV was read, for the checkpoint: date format, series column, series
        read = (o["date_format"] or "", o["series_col"] or "", o["series"] or "")
        if data is None and start == "resume":
            # the checkpoint's own rows, read as it read them
            p = checkpoint.provenance
            read = (p["date_format"], p["series_column"], p["series"])
            series = _source_series(checkpoint, "Forecaster.fit", load, None, None, None,
                                    o["strict"], (*read, o["freq"] or "", "Forecaster.fit"))
            return series, (p["source"], p["date_column"], p["start"], p["end"], *read)
        if data is None or isinstance(data, (str, os.PathLike)):
            if dates is not None or columns is not None:
                raise TypeError("Forecaster.fit: dates and columns are for arrays; a CSV names "
                                "its own (date_col, value_col, target_col)")
            path = sp500_path() if data is None else os.fspath(data)
            series = _core._series_from_csv(path, o["date_col"] or "", load, o["start"], o["end"],
                                            o["strict"], o["date_format"] or "",
                                            o["series_col"] or "", o["series"] or "",
                                            o["freq"] or "", "Forecaster.fit")
            # "" stands for the built-in data in checkpoints, as with the CLI
            source = ("" if data is None else path, o["date_col"] or "", o["start"], o["end"],
                      *read)
            return series, source
        if o["series_col"] or o["series"]:
            raise TypeError("Forecaster.fit: series_col and series select rows of a CSV file; "
                            "select the rows of an array or DataFrame before fit (e.g. "
                            "df[df['symbol'] == 'MSFT'])")
        label, days, values, names = _arrays_of(data, dates, columns, o["date_col"],
                                                o["date_format"], "Forecaster.fit")
        series = _series_of(label, days, values, names, load, o["start"], o["end"],
                            o["freq"], "Forecaster.fit")
        return series, (label, "", o["start"], o["end"], *read)

    def _column_settings_for(self, checkpoint=None):
        given = self._options["value_col"] is not None or self._options["target_col"] is not None
        if checkpoint is not None and not given:
            # resume=, init_from=: the checkpoint's columns unless given
            c = checkpoint.config
            self._column_settings = {"input_columns": list(c["input_columns"]),
                                     "target_column": int(c["target_column"])}
            return list(c["columns"])
        load, inputs, target = _core._select_columns(self._options["value_col"] or [],
                                                     self._options["target_col"] or "")
        self._column_settings = {"input_columns": list(inputs), "target_column": int(target)}
        return list(load)

    # -- using the model --

    def _require_model(self, what):
        if self._model is None:
            raise RuntimeError(f"Forecaster.{what}: not fitted yet: call fit(data) or "
                               "bnlstm.load(path) first")
        return self._model

    def _data_for(self, what, data, dates, columns, date_col, start, end, strict, date_format,
                  series_col, series):
        """The series a trained model is used on: the data given (the model's columns picked by
        name), else the data of the last fit, else the checkpoint's own source (as the CLI).
        A CSV is read with the checkpoint's date format and series unless they are given."""
        model = self._model
        wanted = list(model.config["columns"])
        given = (start, end, date_col, date_format, series_col, series)
        if data is None and self._series is not None and given == (None,) * 6:
            return self._series
        p = model.provenance
        for name, value in (("date_format", date_format), ("series_col", series_col),
                            ("series", series)):
            if value is not None:
                _check_option(what, name, value)
        # how the checkpoint's file was read, unless said otherwise (as `bnlstm evaluate`)
        fmt = date_format if date_format is not None else p["date_format"]
        column = series_col if series_col is not None else p["series_column"]
        name = series if series is not None else (p["series"] if column == p["series_column"]
                                                  else None)
        csv_args = (fmt, column or "", name or "", "", what)
        if data is None:
            return _source_series(model, what, wanted, date_col, start, end, strict, csv_args)
        if isinstance(data, (str, os.PathLike)):
            return _core._series_from_csv(os.fspath(data), date_col or "", wanted, start, end,
                                          strict, *csv_args)
        if series_col or series:
            raise TypeError(f"{what}: series_col and series select rows of a CSV file; select "
                            f"the rows of an array or DataFrame first")
        label, days, values, names = _arrays_of(data, dates, columns, date_col, date_format,
                                                what)
        return _series_of(label, days, values, names, wanted, start, end, None, what)

    def evaluate(self, data=None, *, part=None, train_size=None, val_size=None, season=None,
                 dates=None, columns=None, date_col=None, start=None, end=None, strict=False,
                 date_format=None, series_col=None, series=None):
        """The model's errors beside persistence (and seasonal naive with a season): the table
        `bnlstm evaluate` prints, as the dict `bnlstm evaluate --metrics FILE` writes: metrics.json's
        "test" dict ({"label", "forecasts", "model": {"mse_scaled", "rmse", "mae", "mape",
        "mase"}, "persistence": {...}, "model_beats_persistence", "by_step": [...]}; MAPE/MASE
        None when undefined) and "scored", the rows scored: {"part", "other_rows", "windows",
        "rows": [first, last] (row indices), "dates": [first, last] (their dates),
        "forecast_dates": [first, last], "split": {"train", "validation"}}.

        Which rows, as `bnlstm evaluate`: on the model's own rows (no data, start, end,
        series_col or series given) the test part of the training split, the table fit printed;
        on other rows (data given, or another range or series) all of them, since a model judged
        on new data should be judged on all of it. part: "test", "validation", "train" or "all"
        (`--part`) scores that part of the rows' split instead (part="test" on other data was
        the default before). train_size, val_size: another split (default: the training split);
        season: rows of the seasonal-naive baseline (default: the one trained with). data: as
        in fit (default: the data of the last fit, else the checkpoint's own source).
        date_col, start, end, strict, date_format, series_col, series: how a CSV is read, as
        fit's options of the same names (default: as the checkpoint's data was read;
        `bnlstm evaluate`'s --date-col ... --series).
        """
        model = self._require_model("evaluate")
        if part is not None and part not in ("test", "validation", "train", "all"):
            raise _core.Error(f"Forecaster.evaluate: part: expected 'test', 'validation', "
                              f"'train' or 'all', got {part!r}")
        fractions = []
        for name, value in (("train_size", train_size), ("val_size", val_size)):
            fractions.append(0.0 if value is None else
                             _check_option("Forecaster.evaluate", name, value))
        if fractions[0] + fractions[1] >= 1:
            raise _core.Error(f"Forecaster.evaluate: val_size: expected train_size + val_size < 1, "
                              f"got {fractions[0]} + {fractions[1]}")
        season = -1 if season is None else _check_option("Forecaster.evaluate", "season", season)
        rows = self._data_for("Forecaster.evaluate", data, dates, columns, date_col, start, end,
                              strict, date_format, series_col, series)
        # other rows than the model's own, as `bnlstm evaluate` tells them (data_options.cpp,
        # other_rows): data, a range or a series given
        other = data is not None or any(v is not None for v in (start, end, series_col, series))
        return json.loads(model.evaluate(rows, part or "", other, fractions[0], fractions[1],
                                         season))

    def predict(self, data=None, *, dates=None, columns=None, date_col=None, start=None, end=None,
                strict=False, date_format=None, series_col=None, series=None,
                freq=None) -> Forecast:
        """The next `horizon` values after the last date of `data` (default: the data of the
        last fit, else the checkpoint's source), as `bnlstm predict` prints them: a Forecast
        (dates, values at full precision, last_date, last_value, frequency).

        data, dates, columns, date_col, start, end, strict, date_format, series_col, series: as
        in evaluate(). freq: the frequency of the forecasts' dates ("business", "day", "week",
        "month", "quarter", "year" or an alias such as "M"; `bnlstm predict --freq`); default:
        the one the model was trained with (inferred from its dates, or fit's freq), else the one
        inferred from `data`'s dates. A monthly model's next date is a month after the last one;
        a business-day model's the next weekday.
        """
        model = self._require_model("predict")
        if freq is not None:
            freq = _check_option("Forecaster.predict", "freq", freq)
        rows = self._data_for("Forecaster.predict", data, dates, columns, date_col, start, end,
                              strict, date_format, series_col, series)
        days, values, last_value, frequency = model.predict(rows, freq or "")
        last = rows.dates[-1].astype("datetime64[D]")
        return Forecast(days.astype("datetime64[D]"), values, last, float(last_value), frequency)

    def save(self, path):
        """Writes the model as `bnlstm train` writes out/model.safetensors (network, scaler,
        columns, data range, training settings); `bnlstm evaluate --model path` and
        `bnlstm predict --model path` read it. Written atomically."""
        self._require_model("save").save(os.fspath(path))

    @property
    def config(self) -> Dict[str, Any]:
        """The trained model's layout: columns, input_columns, target_column, look_back, horizon,
        target, input, hidden, norm, init, scaler."""
        return dict(self._require_model("config").config)

    @property
    def data_source(self) -> Dict[str, Any]:
        """Where the training data came from (source "" = the built-in S&P 500), its range,
        rows and split fractions, as stored in checkpoints."""
        return dict(self._require_model("data_source").provenance)


def _source_series(model, what, wanted, date_col, start, end, strict, csv_args):
    """The rows a checkpoint was trained on: its CSV (as given, else its absolute path; "" = the
    built-in S&P 500), date column and range, each overridable; csv_args: the date format,
    series column, series, frequency and `what` of _core._series_from_csv."""
    p = model.provenance
    path = p["source"]
    if path == "":
        path = sp500_path()
    elif not os.path.exists(path):
        if p["source_absolute"] and os.path.exists(p["source_absolute"]):
            path = p["source_absolute"]
        else:
            raise _core.Error(f"{what}: {p['source_absolute'] or path}: no such file (the "
                              f"path came from the checkpoint; pass data=...)")
    date_col = date_col if date_col is not None else p["date_column"]
    start = start if start is not None else p["start"]
    end = end if end is not None else p["end"]
    return _core._series_from_csv(path, date_col, wanted, start, end, strict, *csv_args)


# help(), inspect.signature and editors show every option with its default
Forecaster.__init__.__signature__ = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] +
    [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=o.default)
     for name, o in TRAIN_OPTIONS.items()])


def load(path) -> Forecaster:
    """A Forecaster holding the checkpoint at `path` (written by `bnlstm train` or
    Forecaster.save), ready for evaluate/predict/save. Its options are those the checkpoint
    records (layout and training settings); fit() on it trains a new model with them."""
    model = _core._load(os.fspath(path))
    config = model.config
    options = {
        "look_back": config["look_back"], "horizon": config["horizon"],
        "target": config["target"], "input": config["input"], "scaler": config["scaler"],
        "hidden": config["hidden"], "norm": config["norm"], "init": config["init"],
    }
    names = config["columns"]
    options["value_col"] = [names[i] for i in config["input_columns"]]
    options["target_col"] = names[config["target_column"]]
    p = model.provenance
    options["train_size"] = p["train_size"]
    # how the checkpoint's file was read: fit() on the loaded Forecaster reads files the same way
    for option, key in (("date_format", "date_format"), ("series_col", "series_column"),
                        ("series", "series")):
        if p[key]:
            options[option] = p[key]
    if p["val_size"] > 0:
        options["val_size"] = p["val_size"]
    try:
        training = json.loads(model.training_json)
    except ValueError:
        training = {}
    for key in ("optimizer", "lr", "loss", "batch_size", "epochs", "patience", "delta",
                "clip_mode", "clip", "seed", "threads", "season", "momentum"):
        if key in training:
            options[key] = training[key]
    if training.get("restore_best") is False:
        options["no_restore"] = True
    if training.get("recalibrate_bn") is False:
        options["no_recalibrate"] = True
    if training.get("epoch_zero") is False:
        options["no_epoch_zero"] = True
    if "head_init" in training:
        options["head_init"] = "zero" if training["head_init"] == "zero" else "drawn"
    if p["val_size"] == 0:
        options["validate_on_test"] = True
    if options.get("clip_mode") == "none":  # written for clip 0
        del options["clip_mode"]
    f = Forecaster(**options)
    f._model = model
    return f
