"""The options of bnlstm.Forecaster: those of `bnlstm train --help`, in snake_case with the same
defaults and ranges (tests/python/test_forecaster.py compares them with the binary's help), their
checks (one line naming the option), and the settings `bnlstm train` makes of them."""
import datetime
import math
import numbers
import os
import re
from typing import Any, Dict, NamedTuple

import numpy as np

from . import _core

# --- the options: `bnlstm train --help`, snake_case, same defaults ---------------------------

_MAX_COUNT = 1_000_000
_UINT64_MAX = 2**64 - 1


class _Option(NamedTuple):
    default: Any
    kind: str            # "int", "float", "bool", "choice", "text", "date", "columns",
                         # "date_format", "freq", "path"
    low: Any = None      # int/float: the range; choice: the accepted strings
    high: Any = None
    low_open: bool = False   # float: (low, ...
    high_open: bool = False  # float: ..., high)
    expected: str = ""   # float: what the message says was expected


def _choice(default, *choices):
    return _Option(default, "choice", choices)


# name -> option, in the order of `bnlstm train --help`
TRAIN_OPTIONS: Dict[str, _Option] = {
    # data (the CSV's columns and rows)
    "date_col": _Option(None, "text"),
    "value_col": _Option(None, "columns"),
    "target_col": _Option(None, "text"),
    "start": _Option(None, "date"),
    "end": _Option(None, "date"),
    "strict": _Option(False, "bool"),
    "date_format": _Option(None, "date_format"),
    "series_col": _Option(None, "text"),
    "series": _Option(None, "text"),
    "freq": _Option(None, "freq"),
    # windows and split
    "look_back": _Option(1, "int", 1, 100_000),
    "horizon": _Option(1, "int", 1, 100_000),
    "target": _choice("delta", "level", "delta"),
    "input": _choice("level", "level", "delta", "both"),
    "scaler": _choice("zscore", "zscore", "minmax"),
    "train_size": _Option(0.7, "float", 0, 1, True, True, "a fraction in (0, 1)"),
    "val_size": _Option(0.1, "float", 0, 1, True, True, "a fraction in (0, 1)"),
    # the network
    "hidden": _Option(256, "int", 1, 100_000),
    "norm": _choice("batch", "batch", "layer", "none"),
    "init": _choice("xavier", "xavier", "random", "he", "uniform", "glorot_uniform", "orthogonal",
                    "torch"),
    "head_init": _choice("zero", "zero", "drawn"),
    "no_epoch_zero": _Option(False, "bool"),
    # the optimizer and training
    "optimizer": _choice("sgd", "sgd", "momentum", "adam", "adamw"),
    "lr": _Option(1e-3, "float", 0, math.inf, True, False, "a number > 0"),
    "momentum": _Option(0.9, "float", 0, 1, False, True, "a number in [0, 1)"),
    "weight_decay": _Option(None, "float", 0, math.inf, False, False, "a number >= 0"),
    "loss": _choice("mse", "mse", "mae", "huber"),
    "huber_delta": _Option(1.0, "float", 0, math.inf, True, False, "a number > 0"),
    "epochs": _Option(100, "int", 1, _MAX_COUNT),
    "batch_size": _Option(32, "int", 1, _MAX_COUNT),
    "patience": _Option(10, "int", 0, _MAX_COUNT),
    "delta": _Option(0.0, "float", 0, math.inf, False, False, "a number >= 0"),
    "clip": _Option(1.0, "float", 0, math.inf, False, False, "a number >= 0 (0 = no clipping)"),
    "clip_mode": _choice("value", "value", "norm"),
    "no_restore": _Option(False, "bool"),
    "no_recalibrate": _Option(False, "bool"),
    "seed": _Option(42, "int", 0, _UINT64_MAX),
    "threads": _Option(1, "int", 1, 1024),
    "season": _Option(0, "int", 0, 100_000),
    "validate_on_test": _Option(False, "bool"),
    "notebook": _Option(False, "bool"),
    # where the run starts: a checkpoint's training state (--resume) or its weights (--init-from)
    "resume": _Option(None, "path"),
    "init_from": _Option(None, "path"),
}

# The flags of `bnlstm train` that have no keyword here, and what takes their place.
CLI_ONLY_OPTIONS = {
    "data": "fit(data)",
    "log_every": "fit(callback=...): print what you like per epoch",
    "quiet": "Forecaster prints nothing",
    "out": "save(path) writes the checkpoint; history and evaluate() return the rest",
    "format": "pictures: plot history / evaluate() yourself (matplotlib)",
    "log_scale": "pictures",
    "no_plots": "pictures",
    "gnuplot": "pictures",
    "plot_last": "pictures",
    "plot_step": "pictures",
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _type_name(value):
    return type(value).__name__


def _check_option(where, name, value):
    """The value of one option, checked; raises TypeError (wrong kind) or bnlstm.Error (a
    ValueError: out of range), each one line naming the option."""
    o = TRAIN_OPTIONS[name]
    what = f"{where}: {name}"
    if o.kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{what}: expected True or False, got {value!r}")
        return bool(value)
    if o.kind == "int":
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{what}: expected an integer, got {_type_name(value)} {value!r}")
        value = int(value)
        if not o.low <= value <= o.high:
            raise _core.Error(f"{what}: expected an integer in [{o.low}, {o.high}], got {value}")
        return value
    if o.kind == "float":
        if value is None and o.default is None:
            return None
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{what}: expected a number, got {_type_name(value)} {value!r}")
        value = float(value)
        ok = (math.isfinite(value) and (value > o.low if o.low_open else value >= o.low)
              and (value < o.high if o.high_open else value <= o.high))
        if not ok:
            raise _core.Error(f"{what}: expected {o.expected}, got {value!r}")
        return value
    if o.kind == "choice":
        if not isinstance(value, str):
            raise TypeError(f"{what}: expected a string ({_choices(o.low)}), got "
                            f"{_type_name(value)} {value!r}")
        if value not in o.low:
            raise _core.Error(f"{what}: expected {_choices(o.low)}, got {value!r}")
        return value
    if value is None:
        return None
    if o.kind == "path":  # a checkpoint file
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{what}: expected a file path, got {_type_name(value)} {value!r}")
        value = os.fspath(value)
        if not isinstance(value, str) or not value:
            raise _core.Error(f"{what}: expected a checkpoint file, got {value!r}")
        return value
    if o.kind == "columns":  # --value-col: repeat or comma-separate
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            raise TypeError(f"{what}: expected a column name or a list of names, got {value!r}")
        names = [part.strip() for n in names for part in n.split(",")]
        if not names or any(not n for n in names):
            raise _core.Error(f"{what}: expected column names, got an empty name in {value!r}")
        return names
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a string, got {_type_name(value)} {value!r}")
    if not value.strip():
        expected = {"date": "a date", "date_format": "a date format", "freq": "a frequency"}
        expected = expected.get(o.kind, "a series name" if name == "series" else "a column name")
        raise _core.Error(f"{what}: expected {expected}, got an empty string")
    if o.kind == "date_format":  # the library's check: "Forecaster: date_format: ..."
        _core._check_date_format(value, where)
        return value
    if o.kind == "freq":  # "M" -> "month", as --freq
        return _core._frequency_name(value, where)
    if o.kind == "date":
        try:
            if not _DATE.match(value):
                raise ValueError
            datetime.date.fromisoformat(value)
        except ValueError:
            raise _core.Error(f"{what}: expected a date YYYY-MM-DD, got {value!r}") from None
    return value


def _choices(choices):
    quoted = [repr(c) for c in choices]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else quoted[0]


def _settings(o, given):
    """The final training settings from the options, as `bnlstm train` makes them
    (apps/bnlstm/model_flags.cpp run_options): --notebook's defaults, the split, the optimizer."""
    o = dict(o)
    if o["notebook"]:
        if "val_size" not in given:
            o["validate_on_test"] = True
        for name, value in (("target", "level"), ("scaler", "minmax"), ("delta", 0.001),
                            ("head_init", "drawn")):
            if name not in given:
                o[name] = value
        o["no_epoch_zero"] = True
    if o["resume"] is not None and o["init_from"] is not None:
        raise _core.Error("Forecaster: resume and init_from: a run either continues a checkpoint "
                          "or starts from its weights, give one")
    if o["validate_on_test"] and "val_size" in given:
        raise _core.Error("Forecaster: validate_on_test: the test part validates, so val_size "
                          "cannot be given too")
    val = 0.0 if o["validate_on_test"] else o["val_size"]
    if not o["train_size"] + val < 1:
        raise _core.Error(f"Forecaster: val_size: expected a fraction > 0 with train_size + "
                          f"val_size < 1, got {o['train_size']!r} + {val!r}")
    return {
        "train_size": o["train_size"], "val_size": val, "scaler": o["scaler"],
        "look_back": o["look_back"], "horizon": o["horizon"], "target": o["target"],
        "input": o["input"], "validate_on_test": o["validate_on_test"], "hidden": o["hidden"],
        "norm": o["norm"], "init": o["init"], "zero_head": o["head_init"] == "zero",
        "epochs": o["epochs"], "batch_size": o["batch_size"], "patience": o["patience"],
        "delta": o["delta"], "clip": o["clip"],
        "clip_mode": "none" if o["clip"] == 0 else o["clip_mode"],  # clip 0 turns clipping off
        "loss": o["loss"], "huber_delta": o["huber_delta"],
        "optimizer": "sgd" if o["optimizer"] == "momentum" else o["optimizer"],
        "optimizer_flag": o["optimizer"], "lr": o["lr"],
        "momentum": o["momentum"] if o["optimizer"] == "momentum" else 0.0,
        "weight_decay": o["weight_decay"], "restore_best": not o["no_restore"],
        "recalibrate_bn": not o["no_recalibrate"], "score_initial": not o["no_epoch_zero"],
        "seed": o["seed"], "threads": o["threads"], "season": o["season"],
    }


def _training_json(o, s, history, info):
    """The checkpoint's "training" metadata, with the keys of `bnlstm train`'s
    (apps/bnlstm/model_flags.cpp training_json)."""
    part = "test" if history.validation_part == "test" else "val"
    j = {"optimizer": s["optimizer_flag"], "lr": s["lr"]}
    if s["optimizer_flag"] == "momentum":
        j["momentum"] = s["momentum"]
    j.update({
        "loss": s["loss"], "batch_size": s["batch_size"], "epochs": s["epochs"],
        "epochs_run": history.epochs[-1] if history.epochs else 0,
        "best_epoch": history.best_epoch,
        # 0 without a kept epoch in the history, as the CLI writes it
        f"best_{part}_loss": (history.best_val_loss if history.best_epoch in history.epochs
                              else 0.0),
        f"persistence_{part}_loss": info["persistence_loss"],
        "stopped_early": history.stopped_early, "patience": s["patience"], "delta": s["delta"],
        "clip_mode": s["clip_mode"], "clip": s["clip"], "restore_best": s["restore_best"],
        "recalibrate_bn": s["recalibrate_bn"], "epoch_zero": s["score_initial"],
        "head_init": "zero" if s["zero_head"] else s["init"],
        "validation": ("test part (--validate-on-test)" if part == "test" else "validation part"),
        "season": s["season"], "seed": s["seed"], "threads": s["threads"],
        "seconds": info["seconds"], "trained_from": "python",
    })
    return j
