"""bnlstm.datasets: the built-in S&P 500 series and the library's CSV reader as numpy arrays."""
import re

import numpy as np
import pytest

import bnlstm
from helpers import ROOT

FIXTURES = ROOT / "tests" / "data" / "fixtures"


def test_sp500_is_the_built_in_series():
    s = bnlstm.datasets.sp500()
    assert s.columns == ["close"]
    assert s.values.shape == (5105, 1) and s.values.dtype == np.float64
    assert s.dates.dtype == np.dtype("datetime64[D]") and s.dates.shape == (5105,)
    assert str(s.dates[0]) == "2000-01-03" and str(s.dates[-1]) == "2020-04-17"
    assert np.all(np.diff(s.dates).astype(int) > 0)
    assert s.values[0, 0] == 1455.219971
    cut = bnlstm.datasets.sp500(start="2020-01-01", end="2020-01-31")
    assert str(cut.dates[0]) == "2020-01-02" and len(cut.dates) == 21  # MLK day and New Year closed


def test_read_csv_skips_bad_rows_and_says_which():
    # the fixture is mostly bad on purpose (6 of 10 rows): allowed explicitly
    s = bnlstm.datasets.read_csv(FIXTURES / "bad_rows.csv", max_bad_share=1)
    assert [str(d) for d in s.dates] == ["2021-01-04", "2021-01-08", "2021-01-12", "2021-01-13"]
    np.testing.assert_array_equal(s.values[:, 0], [101.0, 103.75, 104.5, 105.5])
    assert any("bad_rows.csv:5: column 'Close': expected a number, got 'abc'" in w for w in s.warnings)
    with pytest.raises(bnlstm.Error, match=r"bad_rows.csv:3: column 'Close'"):
        bnlstm.datasets.read_csv(FIXTURES / "bad_rows.csv", strict=True)


def test_read_csv_stops_on_mostly_bad_files_by_default():
    # the command-line tool's limit: more than 10 % bad rows is the wrong column or layout
    path = str(FIXTURES / "bad_rows.csv")
    message = (path + ": 6 of 10 rows are bad, more than 10% (the first: " + path +
               ":3: column 'Close': missing value 'null')")
    with pytest.raises(bnlstm.Error, match="^" + re.escape(message) + "$"):
        bnlstm.datasets.read_csv(path)
    with pytest.raises(bnlstm.Error, match="^" + re.escape(message.replace("10%", "50%")) + "$"):
        bnlstm.datasets.read_csv(path, max_bad_share=0.5)
    assert len(bnlstm.datasets.read_csv(path, max_bad_share=0.6).dates) == 4
    for share in (-0.1, 1.5, float("nan")):
        with pytest.raises(bnlstm.Error, match=r"^read_csv: max_bad_share: expected a share "
                                               r"between 0 and 1, got (-0\.1|1\.5|nan)$"):
            bnlstm.datasets.read_csv(path, max_bad_share=share)
    with pytest.raises(TypeError):
        bnlstm.datasets.read_csv(path, max_bad_share="all")


def test_read_csv_named_columns():
    s = bnlstm.datasets.read_csv(FIXTURES / "custom.csv", date_col="Trade Date",
                                 value_cols=["Price (USD)", "Shares"])
    assert s.values.shape[1] == 2 and str(s.dates[0]) == "2021-03-01"
    np.testing.assert_array_equal(s.values[0], [10.0, 200.0])
    with pytest.raises(bnlstm.Error, match="no value column 'nope'"):
        bnlstm.datasets.read_csv(FIXTURES / "custom.csv", date_col="Trade Date", value_cols="nope")
    with pytest.raises(bnlstm.Error, match=r"^start: expected a date YYYY-MM-DD.*'2021-02-30'"):
        bnlstm.datasets.sp500(start="2021-02-30")
    with pytest.raises(bnlstm.Error, match="no-such-file.csv"):
        bnlstm.datasets.read_csv("no-such-file.csv")
