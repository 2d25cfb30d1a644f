#include "csv_reading.hpp"

#include <pybind11/pybind11.h>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"

namespace py = pybind11;

namespace bnlstm::python {

namespace {

std::optional<Date> date_arg(const std::optional<std::string>& text, const char* what) {
  if (!text) return std::nullopt;
  return parse_date(*text, what);
}

// A value as Python writes it in a call: 'MSFT' (printable, single quotes as repr() makes them).
std::string py_str(const std::string& s) {
  std::string out = "'";
  for (char c : printable(s)) out += c == '\'' ? std::string("\\'") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::optional<Frequency> frequency_arg(const std::string& freq, const std::string& what) {
  if (freq.empty()) return std::nullopt;
  const std::optional<Frequency> f = parse_frequency(freq);
  if (!f)
    throw Error(what + ": freq: expected business, day, week, month, quarter or year, got " +
                py_str(freq));
  return f;
}

DateFormat date_format_arg(const std::string& spec, const std::string& what) {
  return DateFormat::from_spec(spec, what + ": date_format");
}

LoadedCsv load_csv_args(const CsvArgs& a, const std::string& what) {
  // the share is a fraction of the rows checked; NaN would silently never stop
  if (!(a.max_bad_share >= 0 && a.max_bad_share <= 1))
    throw Error(what + ": max_bad_share: expected a share between 0 and 1, got " +
                py::str(py::float_(a.max_bad_share)).cast<std::string>());
  CsvOptions o;
  o.date_column = a.date_col;
  o.value_columns = a.value_cols;
  o.start = date_arg(a.start, "start");
  o.end = date_arg(a.end, "end");
  o.strict = a.strict;
  o.max_bad_share = a.max_bad_share;
  o.date_format = date_format_arg(a.date_format, what);
  o.date_format_setting = "date_format=";  // the hint for an unread date names the keyword
  if (!a.series.empty() && a.series_col.empty())
    throw Error(what + ": series=" + py_str(a.series) +
                ": expected series_col too (the column naming each row's series)");
  o.series_column = a.series_col;
  o.series = a.series;
  const std::optional<Frequency> freq = frequency_arg(a.freq, what);
  LoadedCsv out;
  try {
    py::gil_scoped_release nogil;
    out.series = load_csv(a.path, o, &out.report);
  } catch (const SeveralSeriesError& e) {
    // name the keywords that select a series (the CLI names its flags)
    const std::string first = py_str(e.series.empty() ? "NAME" : e.series.front());
    if (!a.series_col.empty()) throw Error(std::string(e.what()) + " with series=" + first);
    if (!e.column.empty())
      throw Error(std::string(e.what()) + " with series_col=" + py_str(e.column) +
                  ", series=" + first);
    throw Error(e.what());
  }
  if (freq) out.report.frequency = freq;
  return out;
}

}  // namespace bnlstm::python
