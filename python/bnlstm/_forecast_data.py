"""The data Forecaster.fit/evaluate/predict accept besides a CSV path: numpy arrays with optional
dates and column names, pandas DataFrames and Series (pandas is not imported: only the object's
type is looked at), turned into the library's series of the wanted columns."""
import numpy as np

from . import _core
from ._train_options import _type_name


def _is_pandas(data, kind):
    t = type(data)
    return t.__module__.split(".")[0] == "pandas" and t.__name__ == kind


def _arrays_of(data, dates, columns, date_col, date_format, what):
    """(label, days (T,) int64, values (T, C) float64 C-contiguous, names) of an array,
    a pandas DataFrame or Series."""
    if _is_pandas(data, "Series"):
        data = data.to_frame(name=str(data.name) if data.name is not None else "value")
    if _is_pandas(data, "DataFrame"):
        if dates is not None or columns is not None:
            raise TypeError(f"{what}: dates and columns come from the DataFrame (date_col or a "
                            f"DatetimeIndex, and its column names)")
        frame = data
        if date_col:
            if date_col not in frame.columns:
                raise _core.Error(f"{what}: date_col: no column {date_col!r} in the DataFrame "
                                  f"(columns: {', '.join(map(str, frame.columns))})")
            dates = frame[date_col].to_numpy()
            frame = frame.drop(columns=[date_col])
        elif type(frame.index).__name__ == "DatetimeIndex":
            dates = frame.index.to_numpy()
        else:
            raise _core.Error(f"{what}: the DataFrame has no dates: give date_col or a "
                              f"DatetimeIndex")
        names = [str(c) for c in frame.columns]
        try:
            values = frame.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{what}: data: the DataFrame's columns must be numbers "
                            f"({e})") from None
        return "pandas DataFrame", _days_of(dates, len(values), date_format, what), values, names
    if not isinstance(data, np.ndarray):
        raise TypeError(f"{what}: data: expected a CSV path, a numpy array or a pandas DataFrame, "
                        f"got {_type_name(data)}")
    if data.ndim not in (1, 2):
        raise _core.Error(f"{what}: data: expected a (T,) or (T, C) array, got shape {data.shape}")
    if data.dtype.kind not in "fiu":
        raise TypeError(f"{what}: data: expected numbers, got dtype {data.dtype}")
    values = np.ascontiguousarray(data.reshape(len(data), -1), dtype=np.float64)
    if columns is None:
        names = ["value"] if data.ndim == 1 else [f"col{i}" for i in range(values.shape[1])]
    else:
        names = [columns] if isinstance(columns, str) else list(columns)
        if len(names) != values.shape[1] or not all(isinstance(n, str) for n in names):
            raise _core.Error(f"{what}: columns: expected {values.shape[1]} names, got {columns!r}")
    return "numpy array", _days_of(dates, len(values), date_format, what), values, names


def _days_of(dates, rows, date_format, what):
    """Days since 1970-01-01 (int64) of datetime64 dates, or of dates written as text, which the
    library's date reader reads (bnlstm/data/date_format.hpp: the CSV reader's rules, with
    date_format when given)."""
    if dates is None:
        if date_format:
            raise TypeError(f"{what}: date_format reads dates written as text; no dates given")
        return np.arange(rows, dtype=np.int64)
    d = np.asarray(dates)
    if d.dtype.kind in "US" or (d.dtype.kind == "O" and d.size and
                                all(isinstance(x, str) for x in d.ravel())):
        if d.shape != (rows,):
            raise _core.Error(f"{what}: dates: expected {rows} dates, got shape {d.shape}")
        return _core._parse_dates([str(x) for x in d], date_format or "", f"{what}: dates")
    if date_format:
        raise TypeError(f"{what}: date_format reads dates written as text; these dates are "
                        f"{d.dtype}")
    try:
        d = np.asarray(dates).astype("datetime64[D]")
    except (TypeError, ValueError) as e:
        raise _core.Error(f"{what}: dates: expected dates (datetime64 or 'YYYY-MM-DD'), "
                          f"{e}") from None
    if d.shape != (rows,):
        raise _core.Error(f"{what}: dates: expected {rows} dates, got shape {d.shape}")
    if np.isnat(d).any():
        raise _core.Error(f"{what}: dates: missing date (NaT) at row {int(np.argmax(np.isnat(d)))}")
    return np.ascontiguousarray(d.astype(np.int64))


def _series_of(label, days, values, names, wanted, start, end, freq, what):
    """The _core series of the wanted columns (by name, the CSV reader's rules), rows in
    [start, end]; its frequency is freq when given, else inferred from the dates."""
    if wanted:
        index = []
        for w in wanted:
            i = _core._find_column(names, w)
            if i is None:
                raise _core.Error(f"{what}: data: no column {w!r} (available: "
                                  f"{', '.join(map(repr, names))})")
            index.append(i)
        values, names = values[:, index], [names[i] for i in index]
    elif values.shape[1] != 1:
        raise _core.Error(f"{what}: data has {values.shape[1]} columns "
                          f"({', '.join(map(repr, names))}): name the one to forecast with "
                          f"target_col (and the inputs with value_col)")
    keep = np.ones(len(days), dtype=bool)
    if start is not None:
        keep &= days >= np.datetime64(start, "D").astype(np.int64)
    if end is not None:
        keep &= days <= np.datetime64(end, "D").astype(np.int64)
    if not keep.all():
        days, values = days[keep], values[keep]
    return _core._series_from_arrays(np.ascontiguousarray(days),
                                     np.ascontiguousarray(values, dtype=np.float64), names, label,
                                     freq or "", f"{what}: data")
