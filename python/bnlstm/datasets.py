"""Price series as numpy arrays: the built-in S&P 500 data and bnlstm's CSV reader.

    s = bnlstm.datasets.sp500()                  # daily S&P 500 close, 2000-01-03..2020-04-17
    s.dates                                      # numpy datetime64[D], (T,), increasing
    s.values                                     # float64 (T, C), here C = 1 ("close")
    s = bnlstm.datasets.read_csv("prices.csv", start="2010-01-01")
    s = bnlstm.datasets.read_csv("stocks.csv", date_format="%b %d %Y", series_col="symbol",
                                 series="MSFT")             # vega-datasets' long-format file
    s.frequency                                  # "month": inferred from the dates (or freq=)

read_csv understands the layouts of the command-line tool (Yahoo Finance, Alpha Vantage, or any
file with date and value columns named by date_col / value_cols), sorts rows by date, and skips
bad rows (empty, "null", non-numeric, duplicate dates), listing each in `warnings`; strict=True
raises bnlstm.Error on the first instead ("prices.csv:7: column 'Close': expected a number, got
'abc'"). As in the command-line tool, a file with more than 10 % bad rows raises bnlstm.Error
(max_bad_share changes the limit). The same reader feeds `bnlstm train`, so both see exactly the
same rows; its keywords are train's data flags in snake_case (--date-col is date_col,
--value-col value_cols, --date-format date_format, --series-col series_col, --series series,
--freq freq), and its errors are bnlstm.Error with the library's one-line messages.
"""
import os
from typing import List, NamedTuple, Optional, Sequence

import numpy as np

from . import _core

__all__ = ["Series", "read_csv", "sp500", "sp500_path"]


class Series(NamedTuple):
    """A series: dates (T,) datetime64[D], values (T, C) float64 in the file's units, the C
    column names as written in the file, a one-line summary of the load, one warning per skipped
    row ("file:line: what"), and how often the rows come: "business", "day", "week", "month",
    "quarter" or "year" (freq when given, else inferred from the dates as `bnlstm train` does),
    None for irregular dates."""
    dates: np.ndarray
    values: np.ndarray
    columns: List[str]
    summary: str
    warnings: List[str]
    frequency: Optional[str]


def read_csv(path, date_col: Optional[str] = None, value_cols: Optional[Sequence[str]] = None,
             start: Optional[str] = None, end: Optional[str] = None, strict: bool = False,
             max_bad_share: float = 0.1, *, date_format: Optional[str] = None,
             series_col: Optional[str] = None, series: Optional[str] = None,
             freq: Optional[str] = None) -> Series:
    """Reads a price CSV with bnlstm's reader (the one `bnlstm train --data` uses).

    path: the file. date_col: the date column (--date-col; default: the first of date /
    timestamp / time / datetime / day). value_cols: the value columns wanted, in order
    (--value-col; default: the close price: the first of close / "4. close" / adj close /
    adjclose / price / value). start, end: "YYYY-MM-DD", inclusive. max_bad_share: the largest
    share of bad rows (among those in [start, end]) that are skipped; more raise bnlstm.Error,
    as in `bnlstm train` (default 0.1; 1 skips every bad row).

    date_format (--date-format): how dates are written: strftime codes ("%b %d %Y" for
    "Jan 1 2000", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z"), "unix" (seconds) or "unix-ms";
    default: ISO dates (optionally with a time and a UTC offset), year-months "2021-01" and Unix
    timestamps. A date with a time becomes one day: the day as written, or, with a UTC offset
    (%z, "Z", "+01:00"), the UTC day of that instant (docs/workflow.md).
    series_col, series (--series-col, --series): long format, one row per (series, date) as
    vega-datasets' stocks.csv "symbol,date,price": the column naming each row's series and the
    series to read (both, or neither). Without them a file whose dates repeat raises
    bnlstm.Error naming the column and the keywords that select one.
    freq (--freq): how often the rows come, "business", "day", "week", "month", "quarter" or
    "year" (or an alias: "B", "D", "W", "M", "Q", "Y", ...); default: inferred from the dates.
    Returned as Series.frequency.

    Raises bnlstm.Error naming the file, line and column of what is wrong (missing file, unknown
    column, no rows in range, too many bad rows, and in strict mode any bad row), or the keyword
    ("read_csv: freq: expected business, day, week, month, quarter or year, got 'often'").
    """
    if isinstance(value_cols, str):
        value_cols = [value_cols]
    for name, value in (("date_col", date_col), ("date_format", date_format),
                        ("series_col", series_col), ("series", series), ("freq", freq)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"read_csv: {name}: expected a string, got "
                            f"{type(value).__name__} {value!r}")
    days, values, columns, summary, warnings, frequency = _core._read_csv(
        os.fspath(path), date_col or "", list(value_cols or []), start, end, strict,
        max_bad_share, date_format or "", series_col or "", series or "", freq or "")
    return Series(days.astype("datetime64[D]"), values, list(columns), summary, list(warnings),
                  frequency)


def sp500_path() -> str:
    """Path of the built-in data set, data/sp500.csv (daily S&P 500, vega-datasets 3.2.1;
    the repository's data/README.md names source and licence), shipped inside the package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sp500.csv")


def sp500(start: Optional[str] = None, end: Optional[str] = None) -> Series:
    """The built-in daily S&P 500 close, 2000-01-03..2020-04-17 (the data `bnlstm train` uses
    without --data), optionally cut to [start, end]."""
    return read_csv(sp500_path(), start=start, end=end)
