"""Own data from Python as `bnlstm train` reads it (issue 12 part 1): read_csv's and Forecaster's
date_format, series_col/series and freq (the library's reader and messages, keywords in place of
flags); dates with a UTC offset as UTC days; predict() dated with the model's frequency, the same
dates as `bnlstm predict`; the numbers Python returns against those the CLI prints."""
import csv
import re

import numpy as np
import pytest

import bnlstm
from helpers import ROOT
from test_forecaster import cli

FIXTURES = ROOT / "tests" / "data" / "fixtures"
STOCKS = str(FIXTURES / "stocks.csv")  # symbol,date,price; "Jan 1 2000"; 5 series x 24 months
CO2 = str(ROOT / "data" / "co2-concentration.csv")  # monthly, Date,CO2,adjusted CO2
SP500 = str(ROOT / "data" / "sp500.csv")


def raises(exc, message):
    return pytest.raises(exc, match="^" + re.escape(message) + "$")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- read_csv ---------------------------------------------------------------------------------

def test_read_csv_long_format_with_a_date_format():
    s = bnlstm.datasets.read_csv(STOCKS, date_format="%b %d %Y", series_col="symbol",
                                 series="MSFT")
    assert s.columns == ["price"] and s.values.shape == (24, 1)
    assert str(s.dates[0]) == "2000-01-01" and str(s.dates[-1]) == "2001-12-01"
    assert s.values[0, 0] == 39.81 and s.frequency == "month"
    assert s.summary == (STOCKS + " (symbol = MSFT): 24 rows 2000-01-01..2001-12-01, monthly "
                         "(96 rows of 4 other series)")
    aapl = bnlstm.datasets.read_csv(STOCKS, date_format="%b %d %Y", series_col="symbol",
                                    series="AAPL")
    assert aapl.values[0, 0] != s.values[0, 0]


def test_read_csv_date_format_errors():
    # a format that names no day: the library's message, the keyword for the flag
    with raises(bnlstm.Error, "read_csv: date_format: expected strftime codes naming a year, a "
                "month and a day (e.g. '%b %d %Y' for 'Jan 1 2000', '%d/%m/%Y'), 'unix' or "
                "'unix-ms', got '%H:%M'"):
        bnlstm.datasets.read_csv(STOCKS, date_format="%H:%M", series_col="symbol", series="MSFT")
    # without it, the reader names a format that reads the dates
    with pytest.raises(bnlstm.Error, match=r"stocks.csv: no valid rows .*got 'Jan 1 2000' "
                                           r"\(date_format='%b %d %Y' reads it\)\)$"):
        bnlstm.datasets.read_csv(STOCKS, series_col="symbol", series="MSFT")
    with raises(TypeError, "read_csv: date_format: expected a string, got int 3"):
        bnlstm.datasets.read_csv(STOCKS, date_format=3)


def test_read_csv_series_selection_errors():
    f = "%b %d %Y"
    head = (STOCKS + ": 72 of 120 rows repeat a date (line 26: 2000-01-01, first at line 2): the "
            "file holds several series, told apart by column 'symbol' (5 series: MSFT, AMZN, IBM, "
            "GOOG, AAPL); select one")
    with raises(bnlstm.Error, head + " with series_col='symbol', series='MSFT'"):
        bnlstm.datasets.read_csv(STOCKS, date_format=f)
    with raises(bnlstm.Error, STOCKS + ": column 'symbol' holds 5 series (MSFT, AMZN, IBM, GOOG, "
                "AAPL); select one with series='MSFT'"):
        bnlstm.datasets.read_csv(STOCKS, date_format=f, series_col="symbol")
    with raises(bnlstm.Error, "read_csv: series='MSFT': expected series_col too (the column "
                "naming each row's series)"):
        bnlstm.datasets.read_csv(STOCKS, date_format=f, series="MSFT")
    with raises(bnlstm.Error, STOCKS + ": no series 'TSLA' in column 'symbol' (it holds MSFT, "
                "AMZN, IBM, GOOG, AAPL)"):
        bnlstm.datasets.read_csv(STOCKS, date_format=f, series_col="symbol", series="TSLA")


def test_read_csv_date_and_value_columns_by_name():
    # --date-col and --value-col: date_col and value_cols
    s = bnlstm.datasets.read_csv(CO2, date_col="Date", value_cols=["adjusted CO2", "CO2"])
    assert s.columns == ["adjusted CO2", "CO2"] and s.values[0].tolist() == [314.44, 315.70]
    custom = str(FIXTURES / "custom.csv")
    with raises(bnlstm.Error, custom + ": no date column 'nope' (available: 'Trade Date', 'Note', "
                "'Price (USD)', 'Shares')"):
        bnlstm.datasets.read_csv(custom, date_col="nope")


def test_read_csv_frequency_inferred_or_given():
    assert bnlstm.datasets.read_csv(SP500, end="2000-03-01").frequency == "business"
    assert bnlstm.datasets.read_csv(CO2, value_cols=["CO2"]).frequency == "month"
    given = bnlstm.datasets.read_csv(SP500, end="2000-03-01", freq="D")
    assert given.frequency == "day" and ", daily (" in given.summary  # as the CLI's data: line
    with raises(bnlstm.Error, "read_csv: freq: expected business, day, week, month, quarter or "
                "year, got 'often'"):
        bnlstm.datasets.read_csv(SP500, freq="often")


def test_read_csv_dates_with_a_utc_offset_are_utc_days(tmp_path):
    # the same instant in two offsets is one date (the second row a duplicate); each row would
    # be another day without the conversion
    # (a few more days: two repeated dates in 25 rows are bad rows, not several series)
    path = write(tmp_path, "tz.csv", "date,value\n2021-01-04T23:30:00-05:00,1\n"
                 "2021-01-05T04:30:00Z,2\n2021-01-06T00:30:00+01:00,3\n"
                 + "".join(f"2021-01-{d:02d}T09:00:00Z,{d}\n" for d in range(6, 29)))
    s = bnlstm.datasets.read_csv(path)
    assert [str(d) for d in s.dates[:3]] == ["2021-01-05", "2021-01-06", "2021-01-07"]
    assert s.values[:2, 0].tolist() == [1.0, 6.0] and len(s.dates) == 24
    assert [w.split(": ", 1)[1] for w in s.warnings] == [
        "duplicate date 2021-01-05 (kept the row at line 2)",
        "duplicate date 2021-01-05 (kept the row at line 2)"]
    with_codes = write(tmp_path, "ny.csv", "date,value\n01/04/2021 16:00 -0500,1\n"
                       "01/04/2021 20:00 -0500,2\n")
    s = bnlstm.datasets.read_csv(with_codes, date_format="%m/%d/%Y %H:%M %z")
    assert [str(d) for d in s.dates] == ["2021-01-04", "2021-01-05"]


# --- Forecaster's data options ----------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(date_format="%H:%M"), bnlstm.Error, "Forecaster: date_format: expected strftime codes "
     "naming a year, a month and a day (e.g. '%b %d %Y' for 'Jan 1 2000', '%d/%m/%Y'), 'unix' or "
     "'unix-ms', got '%H:%M'"),
    (dict(date_format=""), bnlstm.Error, "Forecaster: date_format: expected a date format, got "
     "an empty string"),
    (dict(freq="often"), bnlstm.Error, "Forecaster: freq: expected business, day, week, month, "
     "quarter or year, got 'often'"),
    (dict(freq=12), TypeError, "Forecaster: freq: expected a string, got int 12"),
    (dict(series=""), bnlstm.Error, "Forecaster: series: expected a series name, got an empty "
     "string"),
    (dict(series_col=["symbol"]), TypeError, "Forecaster: series_col: expected a string, got "
     "list ['symbol']"),
])
def test_forecaster_data_option_errors(kwargs, exc, message):
    with raises(exc, message):
        bnlstm.Forecaster(**kwargs)


def test_forecaster_freq_is_named_as_the_cli_names_it():
    assert bnlstm.Forecaster(freq="M").options["freq"] == "month"
    assert bnlstm.Forecaster(freq="B").options["freq"] == "business"


def test_fit_reads_a_long_format_csv_and_the_errors_name_the_keywords(tmp_path):
    f = bnlstm.Forecaster(date_format="%b %d %Y", series_col="symbol", series="IBM",
                          target_col="price", hidden=4, epochs=2, look_back=2, seed=1)
    f.fit(STOCKS)
    assert f.data_source["series_column"] == "symbol" and f.data_source["series"] == "IBM"
    assert f.data_source["date_format"] == "%b %d %Y" and f.data_source["frequency"] == "month"
    forecast = f.predict()
    assert forecast.frequency == "month" and str(forecast.last_date) == "2001-12-01"
    assert [str(d) for d in forecast.dates] == ["2002-01-01"]
    # the checkpoint keeps how the file was read: the CLI and bnlstm.load read it the same way
    path = tmp_path / "ibm.safetensors"
    f.save(path)
    rows = list(csv.DictReader(cli("predict", "--model", str(path)).stdout.splitlines()))
    assert [r["date"] for r in rows] == ["2002-01-01"]
    g = bnlstm.load(path)
    assert g.options["series"] == "IBM" and g.predict().dates.tolist() == forecast.dates.tolist()
    # other data in the checkpoint's layout: the model's series unless another is named
    assert g.evaluate(STOCKS, part="all") == f.evaluate(STOCKS, part="all")
    assert g.evaluate(STOCKS, part="all", series="MSFT") != f.evaluate(STOCKS, part="all")
    with raises(bnlstm.Error, STOCKS + ": 72 of 120 rows repeat a date (line 26: 2000-01-01, "
                "first at line 2): the file holds several series, told apart by column 'symbol' "
                "(5 series: MSFT, AMZN, IBM, GOOG, AAPL); select one with series_col='symbol', "
                "series='MSFT'"):
        bnlstm.Forecaster(date_format="%b %d %Y", target_col="price").fit(STOCKS)
    with raises(TypeError, "Forecaster.fit: series_col and series select rows of a CSV file; "
                "select the rows of an array or DataFrame before fit (e.g. "
                "df[df['symbol'] == 'MSFT'])"):
        bnlstm.Forecaster(series_col="symbol", series="MSFT").fit(np.arange(50.0))


def test_text_dates_of_arrays_are_read_by_the_library():
    dates = [f"{m} 1 {y}" for y in (2000, 2001, 2002) for m in
             ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]
    f = bnlstm.Forecaster(date_format="%b %d %Y", hidden=4, epochs=2, look_back=2, seed=1)
    f.fit(np.linspace(1, 2, 36), dates=dates)
    assert f.predict().frequency == "month"
    assert [str(d) for d in f.predict().dates] == ["2003-01-01"]
    with raises(bnlstm.Error, "Forecaster.fit: dates: row 0: expected a date YYYY-MM-DD, got "
                "'Jan 1 2000' (date_format='%b %d %Y' reads it)"):
        bnlstm.Forecaster(hidden=4, epochs=1).fit(np.linspace(1, 2, 36), dates=dates)
    with raises(TypeError, "Forecaster.fit: date_format reads dates written as text; these dates "
                "are datetime64[D]"):
        f.fit(np.linspace(1, 2, 36), dates=np.arange(36).astype("datetime64[D]"))


# --- predict's dates: the model's frequency, as `bnlstm predict` ------------------------------

def test_a_monthly_model_predicts_months_as_the_cli_does(tmp_path):
    f = bnlstm.Forecaster(target_col="CO2", hidden=4, epochs=2, look_back=3, horizon=4, seed=2)
    f.fit(CO2)
    forecast = f.predict()
    assert forecast.frequency == "month" and str(forecast.last_date) == "2020-04-01"
    assert f.info["frequency"] == "month"
    assert f.info["data"] == CO2 + ": 741 rows 1958-03-01..2020-04-01, monthly"
    # a month after the last date, not the next business days (2020-04-02, -03, -06, -07)
    expected = ["2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01"]
    assert [str(d) for d in forecast.dates] == expected
    path = tmp_path / "co2.safetensors"
    f.save(path)
    rows = list(csv.DictReader(cli("predict", "--model", str(path)).stdout.splitlines()))
    assert [r["date"] for r in rows] == expected
    # the CLI prints the same numbers rounded (about six significant digits); Python keeps all
    for r, value in zip(rows, forecast.values):
        decimals = len(r["forecast"].split(".")[1]) if "." in r["forecast"] else 0
        assert 1 <= decimals <= 4
        assert r["forecast"] == f"{value:.{decimals}f}"
    assert forecast.values.dtype == np.float64
    assert any(round(v, 4) != v for v in forecast.values)  # not rounded in numpy
    # freq overrides the model's (as --freq)
    weekly = f.predict(freq="week")
    assert [str(d) for d in weekly.dates] == ["2020-04-08", "2020-04-15", "2020-04-22",
                                              "2020-04-29"]
    with raises(bnlstm.Error, "Forecaster.predict: freq: expected business, day, week, month, "
                "quarter or year, got 'fortnight'"):
        f.predict(freq="fortnight")


def test_a_cli_trained_monthly_model_gives_the_same_dates_in_python(tmp_path):
    out = tmp_path / "cli"
    cli("train", "--data", CO2, "--target-col", "CO2", "--hidden", "4", "--epochs", "2",
        "--look-back", "3", "--horizon", "2", "--seed", "2", "--quiet", "--no-plots", "--out",
        str(out))
    model = out / "model.safetensors"
    rows = list(csv.DictReader(cli("predict", "--model", str(model)).stdout.splitlines()))
    forecast = bnlstm.load(model).predict()
    assert [r["date"] for r in rows] == [str(d) for d in forecast.dates] == ["2020-05-01",
                                                                            "2020-06-01"]


def test_arrays_predict_with_their_own_frequency():
    values = np.linspace(1, 2, 60)
    f = bnlstm.Forecaster(hidden=4, epochs=1, look_back=2, seed=1)
    f.fit(values)  # no dates: consecutive days from 1970-01-01
    assert f.predict().frequency == "day" and str(f.predict().dates[0]) == "1970-03-02"
    weeks = np.datetime64("2021-01-04") + 7 * np.arange(60)
    f.fit(values, dates=weeks)
    assert f.predict().frequency == "week" and str(f.predict().dates[0]) == "2022-02-28"
    # irregular dates: name the frequency
    irregular = np.datetime64("2021-01-01") + np.cumsum(np.tile([10, 24], 30))
    f.fit(values, dates=irregular)
    with raises(bnlstm.Error, "Forecaster.predict: numpy array: cannot tell how often the rows "
                "come (median gap 24 days); name it with "
                "freq='business'|'day'|'week'|'month'|'quarter'|'year'"):
        f.predict()
    assert f.predict(freq="month").frequency == "month"
    g = bnlstm.Forecaster(hidden=4, epochs=1, look_back=2, seed=1, freq="quarter")
    g.fit(values, dates=irregular)
    assert g.predict().frequency == "quarter" and g.data_source["frequency"] == "quarter"


# --- the numbers: CLI prints, Python returns --------------------------------------------------

@pytest.mark.parametrize("scale", [1.0, 1e-5])
def test_evaluate_returns_full_precision_of_the_numbers_the_cli_prints(tmp_path, scale):
    # scale 1e-5: errors in the millionths, printed with more decimals (three significant digits)
    s = bnlstm.datasets.read_csv(CO2, value_cols=["CO2"])
    data = write(tmp_path, "co2.csv", "date,CO2\n" + "".join(
        f"{d},{v * scale!r}\n" for d, v in zip(s.dates, s.values[:, 0])))
    f = bnlstm.Forecaster(target_col="CO2", hidden=4, epochs=2, look_back=3, seed=2)
    f.fit(data)
    path = tmp_path / "co2.safetensors"
    f.save(path)
    printed = cli("evaluate", "--model", str(path)).stdout
    ours = f.evaluate()
    model_row = next(line for line in printed.splitlines() if line.startswith("model "))
    cells = model_row.split()[1:]
    # MSE(scaled) RMSE MAE MAPE MASE, each the Python value rounded as printed
    for cell, key in zip(cells, ["mse_scaled", "rmse", "mae", "mape", "mase"]):
        value = ours["model"][key]
        text = cell.rstrip("%")
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert text == f"{value:.{decimals}f}", (key, cell, value)  # MAPE is in percent
        if key in ("rmse", "mae"):
            assert len(text.lstrip("0.")) >= 3, cell  # three significant digits at least
    assert isinstance(ours["model"]["rmse"], float)
