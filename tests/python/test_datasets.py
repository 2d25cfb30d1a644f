"""bnlstm.datasets: the built-in S&P 500 series and the library's CSV reader as numpy arrays."""
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
    s = bnlstm.datasets.read_csv(FIXTURES / "bad_rows.csv")
    assert [str(d) for d in s.dates] == ["2021-01-04", "2021-01-08", "2021-01-12", "2021-01-13"]
    np.testing.assert_array_equal(s.values[:, 0], [101.0, 103.75, 104.5, 105.5])
    assert any("bad_rows.csv:5: column 'Close': expected a number, got 'abc'" in w for w in s.warnings)
    with pytest.raises(bnlstm.Error, match=r"bad_rows.csv:3: column 'Close'"):
        bnlstm.datasets.read_csv(FIXTURES / "bad_rows.csv", strict=True)


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
