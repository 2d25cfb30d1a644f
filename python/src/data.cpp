// bnlstm._core._read_csv: the library's CSV reader (bnlstm/data/csv.hpp), for bnlstm.datasets.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"
#include "bnlstm/data/date_format.hpp"
#include "csv_reading.hpp"

namespace bnlstm::python {

void bind_data(py::module_& m) {
  m.def(
      "_read_csv",
      [](const std::string& path, const std::string& date_col,
         const std::vector<std::string>& value_cols, const std::optional<std::string>& start,
         const std::optional<std::string>& end, bool strict, double max_bad_share,
         const std::string& date_format, const std::string& series_col, const std::string& series,
         const std::string& freq) {
        CsvArgs a;
        a.path = path;
        a.date_col = date_col;
        a.value_cols = value_cols;
        a.start = start;
        a.end = end;
        a.strict = strict;
        a.max_bad_share = max_bad_share;
        a.date_format = date_format;
        a.series_col = series_col;
        a.series = series;
        a.freq = freq;
        const LoadedCsv csv = load_csv_args(a, "read_csv");
        const Series& s = csv.series;
        std::vector<int64_t> days;
        days.reserve(s.dates.size());
        for (Date d : s.dates) days.push_back(d.time_since_epoch().count());
        const Shape shape{s.values.rows(), s.values.cols()};
        const py::object frequency =
            csv.report.frequency
                ? py::object(py::str(std::string(frequency_name(*csv.report.frequency))))
                : py::object(py::none());
        return py::make_tuple(copy_array(days.data(), Shape{py::ssize_t(days.size())}),
                              copy_array(s.values.data(), shape), s.columns, csv.report.summary(),
                              csv.report.warnings, frequency);
      },
      py::arg("path"), py::arg("date_col") = "", py::arg("value_cols") = std::vector<std::string>{},
      py::arg("start") = py::none(), py::arg("end") = py::none(), py::arg("strict") = false,
      py::arg("max_bad_share") = CsvOptions{}.max_bad_share, py::arg("date_format") = "",
      py::arg("series_col") = "", py::arg("series") = "", py::arg("freq") = "",
      "(days since 1970-01-01 int64 (T,), values float64 (T, C), columns, summary, warnings, "
      "frequency name or None); use bnlstm.datasets.read_csv.");
  m.def(
      "_parse_dates",
      [](const std::vector<std::string>& texts, const std::string& spec, const std::string& what) {
        // dates written as text, read as the CSV reader reads a date column (date_format.hpp)
        const DateFormat format = date_format_arg(spec, what);
        std::vector<int64_t> days;
        days.reserve(texts.size());
        for (size_t i = 0; i < texts.size(); ++i) {
          const std::optional<Date> d = format.read(texts[i]);
          if (!d) {
            // the CSV reader's hint, naming the keyword
            std::string hint;
            if (format.is_automatic())
              if (const std::string f = suggest_date_format(texts[i], "date_format="); !f.empty())
                hint = " (" + f + " reads it)";
            throw Error(what + ": row " + std::to_string(i) + ": expected " + format.expected() +
                        ", got '" + printable(texts[i]) + "'" + hint);
          }
          days.push_back(d->time_since_epoch().count());
        }
        return copy_array(days.data(), Shape{py::ssize_t(days.size())});
      },
      py::arg("texts"), py::arg("spec"), py::arg("what"),
      "Days since 1970-01-01 (int64) of dates written as text, read by the CSV reader's rules "
      "(spec: a date format, '' for ISO dates and Unix timestamps).");
  m.def(
      "_frequency_name",
      [](const std::string& freq, const std::string& what) -> py::object {
        const std::optional<Frequency> f = frequency_arg(freq, what);
        if (!f) return py::none();
        return py::str(std::string(frequency_name(*f)));
      },
      py::arg("freq"), py::arg("what"),
      "The canonical name of a frequency ('M' -> 'month'), None for ''; bnlstm.Error otherwise.");
  m.def(
      "_check_date_format",
      [](const std::string& spec, const std::string& what) { date_format_arg(spec, what); },
      py::arg("spec"), py::arg("what"), "Raises bnlstm.Error for a date format that names no day.");
}

}  // namespace bnlstm::python
