// bnlstm._core._read_csv: the library's CSV reader (bnlstm/data/csv.hpp), for bnlstm.datasets.
#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/data/csv.hpp"

namespace bnlstm::python {

namespace {

std::optional<Date> date_arg(const std::optional<std::string>& text, const char* what) {
  if (!text) return std::nullopt;
  return parse_date(*text, what);
}

}  // namespace

void bind_data(py::module_& m) {
  m.def(
      "_read_csv",
      [](const std::string& path, const std::string& date_col,
         const std::vector<std::string>& value_cols, const std::optional<std::string>& start,
         const std::optional<std::string>& end, bool strict, double max_bad_share) {
        // the share is a fraction of the rows checked; NaN would silently never stop
        if (!(max_bad_share >= 0 && max_bad_share <= 1))
          throw Error("read_csv: max_bad_share: expected a share between 0 and 1, got " +
                      py::str(py::float_(max_bad_share)).cast<std::string>());
        CsvOptions o;
        o.date_column = date_col;
        o.value_columns = value_cols;
        o.start = date_arg(start, "start");
        o.end = date_arg(end, "end");
        o.strict = strict;
        o.max_bad_share = max_bad_share;
        Series s;
        LoadReport report;
        {
          py::gil_scoped_release nogil;
          s = load_csv(path, o, &report);
        }
        std::vector<int64_t> days;
        days.reserve(s.dates.size());
        for (Date d : s.dates) days.push_back(d.time_since_epoch().count());
        const Shape shape{s.values.rows(), s.values.cols()};
        return py::make_tuple(copy_array(days.data(), Shape{py::ssize_t(days.size())}),
                              copy_array(s.values.data(), shape), s.columns, report.summary(),
                              report.warnings);
      },
      py::arg("path"), py::arg("date_col") = "", py::arg("value_cols") = std::vector<std::string>{},
      py::arg("start") = py::none(), py::arg("end") = py::none(), py::arg("strict") = false,
      py::arg("max_bad_share") = CsvOptions{}.max_bad_share,
      "(days since 1970-01-01 int64 (T,), values float64 (T, C), columns, summary, warnings); "
      "use bnlstm.datasets.read_csv.");
}

}  // namespace bnlstm::python
