// The forecasting workflow for bnlstm.Forecaster (python/bnlstm/forecasting.py): the library's
// run_training (bnlstm/train/workflow.hpp), the same function `bnlstm train` calls, so that the
// same options, data, seed and thread count give the same history and metrics bit for bit; the
// checkpoint format of the command-line tool; evaluate and predict as `bnlstm evaluate` and
// `bnlstm predict` compute them.
//
// Keyword arguments are checked and turned into settings in Python (forecasting.py); this file
// gets the final values: _train(series, settings dict, on_epoch) -> (_Model, history JSON, info,
// the exception that ended training or None).
// Training runs without the GIL; the per-epoch callback and the Ctrl-C check (should_stop, after
// every optimizer step) take it back briefly. A Python exception raised there (by the callback,
// or KeyboardInterrupt from PyErr_CheckSignals) ends training as a stop request does: the epoch
// under way is finished, the best weights restored, and the exception is raised again once the
// trained model has been kept by the caller (_train returns it beside the exception).
#include <omp.h>
#include <pybind11/stl.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/data/csv.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/evaluate_rows.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/memory_estimate.hpp"
#include "bnlstm/train/resume.hpp"
#include "bnlstm/train/resume_settings.hpp"
#include "bnlstm/train/workflow.hpp"
#include "csv_reading.hpp"

namespace bnlstm::python {

namespace {

namespace fs = std::filesystem;

// A loaded series (price units), how often its rows come (given as freq, else inferred from the
// dates; nullopt: irregular, median_gap days apart) and, for a CSV, the reader's summary line
// and warnings.
struct PySeries {
  Series series;
  std::optional<Frequency> frequency;
  Index median_gap = 0;
  std::string summary;
  std::vector<std::string> warnings;
};

std::optional<Date> date_arg(const std::optional<std::string>& text, const char* what) {
  if (!text) return std::nullopt;
  return parse_date(*text, what);
}

std::vector<int64_t> day_numbers(const std::vector<Date>& dates) {
  std::vector<int64_t> days;
  days.reserve(dates.size());
  for (Date d : dates) days.push_back(d.time_since_epoch().count());
  return days;
}

py::array days_array(const std::vector<Date>& dates) {
  const std::vector<int64_t> days = day_numbers(dates);
  return copy_array(days.data(), Shape{py::ssize_t(days.size())});
}

// The CSV as `bnlstm train --data` reads it (the CLI's CsvOptions, bad-row share included),
// with the data flags under their Python names (csv_reading.hpp).
PySeries series_from_csv(const std::string& path, const std::string& date_col,
                         const std::vector<std::string>& value_cols,
                         const std::optional<std::string>& start,
                         const std::optional<std::string>& end, bool strict,
                         const std::string& date_format, const std::string& series_col,
                         const std::string& series, const std::string& freq,
                         const std::string& what) {
  CsvArgs a;
  a.path = path;
  a.date_col = date_col;
  a.value_cols = value_cols;
  a.start = start;
  a.end = end;
  a.strict = strict;
  a.date_format = date_format;
  a.series_col = series_col;
  a.series = series;
  a.freq = freq;
  LoadedCsv csv = load_csv_args(a, what);
  PySeries s;
  s.series = std::move(csv.series);
  s.frequency = csv.report.frequency;
  s.median_gap = csv.report.median_gap;
  s.summary = csv.report.summary();
  s.warnings = std::move(csv.report.warnings);
  return s;
}

// days (T,) int64 days since 1970-01-01, strictly increasing; values (T, C) float64, finite.
PySeries series_from_arrays(const py::array_t<int64_t, py::array::c_style>& days,
                            const py::handle& values_obj, const std::vector<std::string>& columns,
                            const std::string& source, const std::string& freq,
                            const std::string& what) {
  const std::optional<Frequency> given = frequency_arg(freq, what);
  const InArray<double> values = input_array<double>(values_obj, what + ": values", {2});
  const Index T = values.dim(0), C = values.dim(1);
  if (days.ndim() != 1 || days.shape(0) != T)
    throw Error(what + ": " + std::to_string(days.size()) + " dates for " + std::to_string(T) +
                " rows");
  if (static_cast<Index>(columns.size()) != C)
    throw Error(what + ": " + std::to_string(columns.size()) + " column names for " +
                std::to_string(C) + " columns");
  if (T < 1 || C < 1) throw Error(what + ": no data (shape " + shape_str(values.shape) + ")");
  PySeries s;
  s.series.source = source;
  s.series.columns = columns;
  s.series.dates.reserve(static_cast<size_t>(T));
  const int64_t* d = days.data();
  for (Index t = 0; t < T; ++t) {
    if (t > 0 && d[t] <= d[t - 1])
      throw Error(what + ": dates must be strictly increasing; row " + std::to_string(t) + " (" +
                  format_date(Date(std::chrono::days(d[t]))) + ") follows " +
                  format_date(Date(std::chrono::days(d[t - 1]))));
    s.series.dates.push_back(Date(std::chrono::days(d[t])));
  }
  s.series.values = values.matrix(T, C);
  s.frequency = given ? given : infer_frequency(s.series.dates);
  s.median_gap = median_gap_days(s.series.dates);
  s.summary =
      source + ": " + std::to_string(T) + " rows, " + format_date(s.series.dates.front()) + ".." +
      format_date(s.series.dates.back()) + ", " +
      (s.frequency ? std::string(frequency_adjective(*s.frequency))
                   : "irregular dates (median gap " + std::to_string(s.median_gap) + " days)");
  return s;
}

// A trained or loaded forecaster; Guard serializes calls from several threads. A model trained
// here keeps its training state too: save() writes it for resume=.
struct PyModel {
  explicit PyModel(Forecaster f) : forecaster(std::move(f)) {}
  Forecaster forecaster;
  std::optional<TrainingState> state;
  Guard guard;
};

// The training settings, already checked and final (forecasting.py _settings()).
TrainRunOptions run_options(const py::dict& s) {
  const auto get = [&](const char* key) { return s[key]; };
  TrainRunOptions o;
  o.data.split.train = get("train_size").cast<double>();
  o.data.split.validation = get("val_size").cast<double>();
  o.data.scaler = parse_scaler_kind(get("scaler").cast<std::string>());
  WindowSpec& w = o.data.windows;
  w.lookback = get("look_back").cast<Index>();
  w.horizon = get("horizon").cast<Index>();
  w.target = parse_target(get("target").cast<std::string>());
  w.input = parse_input_kind(get("input").cast<std::string>());
  w.input_columns = get("input_columns").cast<std::vector<Index>>();
  w.target_column = get("target_column").cast<Index>();
  o.validate_on_test = get("validate_on_test").cast<bool>();
  o.network.hidden_size = get("hidden").cast<Index>();
  o.network.norm = parse_lstm_norm(get("norm").cast<std::string>());
  o.network.init = parse_init_scheme(get("init").cast<std::string>());
  o.zero_head = get("zero_head").cast<bool>();
  TrainOptions& t = o.training;
  t.epochs = get("epochs").cast<int>();
  t.batch_size = get("batch_size").cast<Index>();
  t.patience = get("patience").cast<int>();
  t.delta = get("delta").cast<double>();
  t.clip_mode = parse_clip_mode(get("clip_mode").cast<std::string>());
  t.clip = get("clip").cast<double>();
  t.loss = parse_loss(get("loss").cast<std::string>());
  t.huber_delta = get("huber_delta").cast<double>();
  t.optimizer = parse_optimizer(get("optimizer").cast<std::string>());
  t.optimizer_config.lr = get("lr").cast<double>();
  t.optimizer_config.momentum = get("momentum").cast<double>();
  if (!get("weight_decay").is_none())
    t.optimizer_config.weight_decay = get("weight_decay").cast<double>();
  t.restore_best = get("restore_best").cast<bool>();
  t.recalibrate_bn = get("recalibrate_bn").cast<bool>();
  t.score_initial = get("score_initial").cast<bool>();
  o.seed = get("seed").cast<uint64_t>();
  o.threads = get("threads").cast<int>();
  o.season = get("season").cast<Index>();
  return o;
}

// The settings dict of a run's final options (the keys of forecasting.py _settings()): what
// resume= took from the checkpoint, for the "training" metadata.
py::dict settings_dict(const TrainRunOptions& o) {
  py::dict d;
  const WindowSpec& w = o.data.windows;
  const TrainOptions& t = o.training;
  d["train_size"] = o.data.split.train;
  d["val_size"] = o.data.split.validation;
  d["scaler"] = o.data.scaler == ScalerKind::min_max ? "minmax" : "zscore";
  d["look_back"] = w.lookback;
  d["horizon"] = w.horizon;
  d["target"] = std::string(to_string(w.target));
  d["input"] = std::string(to_string(w.input));
  d["input_columns"] = w.input_columns;
  d["target_column"] = w.target_column;
  d["validate_on_test"] = o.validate_on_test;
  d["hidden"] = o.network.hidden_size;
  d["norm"] = to_string(o.network.norm);
  d["init"] = to_string(o.network.init);
  d["zero_head"] = o.zero_head;
  d["epochs"] = t.epochs;
  d["batch_size"] = t.batch_size;
  d["patience"] = t.patience;
  d["delta"] = t.delta;
  d["clip"] = t.clip;
  d["clip_mode"] = to_string(t.clip_mode);
  d["loss"] = to_string(t.loss);
  d["huber_delta"] = t.huber_delta;
  d["optimizer"] = to_string(t.optimizer);
  const bool momentum = t.optimizer == OptimizerKind::sgd && t.optimizer_config.momentum > 0;
  d["optimizer_flag"] = momentum ? std::string("momentum") : to_string(t.optimizer);
  d["lr"] = t.optimizer_config.lr;
  d["momentum"] = t.optimizer_config.momentum;
  d["weight_decay"] = t.optimizer_config.weight_decay < 0
                          ? py::object(py::none())
                          : py::object(py::float_(t.optimizer_config.weight_decay));
  d["restore_best"] = t.restore_best;
  d["recalibrate_bn"] = t.recalibrate_bn;
  d["score_initial"] = t.score_initial;
  d["seed"] = o.seed;
  d["threads"] = o.threads;
  d["season"] = o.season;
  return d;
}

// Refuses what cannot fit in memory before anything is allocated (as the CLI does).
void check_memory(const TrainRunOptions& o, Index columns) {
  NetworkConfig net = o.network;
  net.input_size = input_features(o.data.windows, columns);
  net.horizon = o.data.windows.horizon;
  const int64_t need = training_memory_bytes(net, o.data.windows.lookback, o.training.batch_size);
  const int64_t have = physical_memory_bytes();
  if (need > have)
    throw Error("Forecaster: hidden=" + std::to_string(net.hidden_size) +
                " with look_back=" + std::to_string(o.data.windows.lookback) + " and batch_size=" +
                std::to_string(o.training.batch_size) + ": training would need about " +
                format_bytes(need) + " of memory; this machine has " + format_bytes(have));
}

// Eigen's and OpenMP's thread counts, put back when training ends (run_training sets them
// process-wide; the layers' later calls should not inherit a fit's setting).
class ThreadSettings {
 public:
  ThreadSettings() : eigen_(Eigen::nbThreads()), omp_(omp_get_max_threads()) {}
  ~ThreadSettings() {
    Eigen::setNbThreads(eigen_);
    omp_set_num_threads(omp_);
  }
  ThreadSettings(const ThreadSettings&) = delete;
  ThreadSettings& operator=(const ThreadSettings&) = delete;

 private:
  int eigen_, omp_;
};

// start: "" (a new run), "resume" or "init_from", from the checkpoint at `path`; given: the
// keyword arguments given to Forecaster (a conflict with the checkpoint names one).
py::tuple train(const PySeries& data, const py::dict& settings, const py::object& on_epoch,
                const std::string& start, const std::string& path,
                const std::vector<std::string>& given_names) {
  TrainRunOptions options = run_options(settings);
  std::optional<TrainingCheckpoint> resumed;
  std::optional<Forecaster> init;
  if (!start.empty()) {
    const SettingGiven given = [&](std::string_view name) {
      return std::find(given_names.begin(), given_names.end(), name) != given_names.end();
    };
    const SettingName name = [](std::string_view n) { return std::string(n); };
    ForecastColumns columns{data.series.columns, options.data.windows.input_columns,
                            options.data.windows.target_column};
    {
      py::gil_scoped_release nogil;
      if (start == "resume")
        resumed.emplace(load_training_checkpoint(path));
      else
        init.emplace(load_checkpoint(path));
    }
    if (resumed) {
      resume_settings(options, columns, *resumed, given, name);
      options.resume = &*resumed;
    } else {
      init_settings(options, columns, *init, path, given, name);
      options.init_from = &*init;
    }
    bool same = columns.load.size() == data.series.columns.size();
    for (size_t i = 0; same && i < columns.load.size(); ++i)
      same = find_column({data.series.columns[i]}, columns.load[i]).has_value();
    if (!same)
      throw Error("Forecaster.fit: the data's columns " + list_columns(data.series.columns) +
                  " are not the checkpoint's " + list_columns(columns.load));
    options.data.windows.input_columns = columns.inputs;
    options.data.windows.target_column = columns.target;
  }
  check_memory(options, data.series.cols());
  const double val = options.data.split.validation;
  const Index rows = data.series.rows();
  if (val > 0 && std::floor(val * static_cast<double>(rows)) < 1)
    throw Error("Forecaster: val_size: " + py::repr(py::float_(val)).cast<std::string>() + " of " +
                std::to_string(rows) + " rows is no validation row; expected a fraction >= " +
                py::repr(py::float_(1.0 / static_cast<double>(rows))).cast<std::string>());

  // A Python exception from the callback or from a signal handler (KeyboardInterrupt) ends
  // training; it lives outside the GIL-free block so that it is released with the GIL held.
  std::optional<py::error_already_set> pending;
  bool stop = false;
  TrainCallbacks cb;
  if (!on_epoch.is_none()) {
    cb.on_epoch = [&](const EpochRecord& e, const EarlyStopping& es) {
      if (pending) return;
      py::gil_scoped_acquire gil;
      try {
        const py::object keep_going = on_epoch(e.epoch, e.train_loss, e.val_loss, es.best_epoch());
        if (!keep_going.cast<bool>()) stop = true;
      } catch (py::error_already_set& err) {
        pending = std::move(err);
      }
    };
  }
  cb.should_stop = [&] {
    if (stop || pending) return true;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) pending = py::error_already_set();
    return pending.has_value();
  };

  std::optional<TrainRun> run;
  {
    ThreadSettings keep;
    py::gil_scoped_release nogil;
    run.emplace(run_training(data.series, options, cb));
  }
  py::dict info;
  info["persistence_loss"] = run->persistence_validation_loss;
  info["seconds"] = run->seconds;
  info["parameters"] = run->parameters;
  info["test"] = comparison_json(run->test.comparison);
  info["split"] = describe_split(run->data.split, run->data.series.dates);
  info["settings"] = settings_dict(options);
  auto model = std::make_unique<PyModel>(std::move(run->forecaster));
  model->state = std::move(run->state);
  // The exception that ended training (None otherwise), with its traceback: forecasting.py
  // keeps the model trained so far, then raises it.
  py::object exc = py::none();
  if (pending) {
    exc = pending->value();
    if (pending->trace()) PyException_SetTraceback(exc.ptr(), pending->trace().ptr());
    pending.reset();
  }
  return py::make_tuple(std::move(model), run->history.to_json(), info, exc);
}

// `bnlstm evaluate [--part P] [--train-size F --val-size F --season N]` on a series, through
// the library's evaluate_rows: the metrics JSON with "scored". part "": the test part of the
// checkpoint's rows, all of other rows (other_rows: the caller was given data, start, end or a
// series); train_size, val_size 0: the checkpoint's split; season < 0: the checkpoint's.
std::string evaluate(PyModel& m, const PySeries& data, const std::string& part, bool other_rows,
                     double train_size, double val_size, Index season) {
  Busy busy(m.guard, "Forecaster.evaluate");
  py::gil_scoped_release nogil;
  Forecaster& f = m.forecaster;
  const Windows w = f.windows(data.series);
  EvaluateRequest request;
  if (!part.empty()) {
    request.part = parse_evaluate_part(part);
    if (!request.part) throw Error("Forecaster.evaluate: part: unknown part '" + part + "'");
  }
  request.other_rows = other_rows;
  if (train_size != 0 || val_size != 0)
    request.fractions =
        SplitFractions{train_size == 0 ? f.data().fractions.train : train_size, val_size};
  request.season = season;
  request.validation_part_setting = "Forecaster.evaluate: part='validation'";
  request.val_size_setting = "val_size";
  return evaluation_json(evaluate_rows(f, w, request), w);
}

// The frequency the dates after a series are made with, as `bnlstm predict` chooses it: freq
// when given, else the one the checkpoint was trained with, else the one inferred from the
// series' dates; irregular dates and no freq: an error naming freq (the CLI names --freq).
Frequency forecast_frequency(const Forecaster& f, const PySeries& data, const std::string& freq,
                             const std::string& what) {
  if (const auto given = frequency_arg(freq, what)) return *given;
  if (!f.data().frequency.empty())
    if (const auto saved = parse_frequency(f.data().frequency)) return *saved;
  if (data.frequency) return *data.frequency;
  throw Error(what + ": " + data.series.source + ": cannot tell how often the rows come (" +
              (data.series.rows() < 2 ? std::string("a single row")
                                      : "median gap " + std::to_string(data.median_gap) + " days") +
              "); name it with freq='business'|'day'|'week'|'month'|'quarter'|'year'");
}

// `bnlstm predict`: the next `horizon` values after the series' last date, dated with the
// model's frequency (forecast_frequency). Returns (dates, values, last observed value, the
// frequency's name).
py::tuple predict(PyModel& m, const PySeries& data, const std::string& freq) {
  Busy busy(m.guard, "Forecaster.predict");
  const Frequency frequency = forecast_frequency(m.forecaster, data, freq, "Forecaster.predict");
  MatrixD prices;
  std::vector<Date> dates;
  double last_value = 0;
  {
    py::gil_scoped_release nogil;
    const Windows w = m.forecaster.windows(data.series);
    const std::vector<Index> origin{w.origins() - 1};
    prices = m.forecaster.predict_prices(w, origin);
    dates = next_dates(data.series.dates.back(), frequency, w.horizon());
    last_value = w.last_observed_price(origin[0]);
  }
  return py::make_tuple(days_array(dates), copy_array(prices.data(), Shape{prices.cols()}),
                        last_value, std::string(frequency_name(frequency)));
}

py::dict provenance(const Forecaster& f) {
  const DataProvenance& p = f.data();
  py::dict d;
  d["source"] = p.source;
  d["source_absolute"] = p.source_absolute;
  d["date_column"] = p.date_column;
  d["date_format"] = p.date_format;
  d["series_column"] = p.series_column;
  d["series"] = p.series;
  d["frequency"] = p.frequency.empty() ? py::object(py::none()) : py::object(py::str(p.frequency));
  d["start"] = p.start ? py::object(py::str(format_date(*p.start))) : py::object(py::none());
  d["end"] = p.end ? py::object(py::str(format_date(*p.end))) : py::object(py::none());
  d["first"] = format_date(p.first);
  d["last"] = format_date(p.last);
  d["rows"] = p.rows;
  d["train_size"] = p.fractions.train;
  d["val_size"] = p.fractions.validation;
  return d;
}

py::dict config(const Forecaster& f) {
  const ForecasterConfig& c = f.config();
  py::dict d;
  d["columns"] = c.columns;
  d["input_columns"] = c.windows.input_columns;
  d["target_column"] = c.windows.target_column;
  d["look_back"] = c.windows.lookback;
  d["horizon"] = c.windows.horizon;
  d["target"] = std::string(to_string(c.windows.target));
  d["input"] = std::string(to_string(c.windows.input));
  d["hidden"] = c.network.hidden_size;
  d["norm"] = to_string(c.network.norm);
  d["init"] = to_string(c.network.init);
  d["scaler"] = f.scaler().kind() == ScalerKind::min_max ? "minmax" : "zscore";  // the CLI's names
  return d;
}

}  // namespace

void bind_forecaster(py::module_& m) {
  py::class_<PySeries>(m, "_Series", "A series loaded for Forecaster (internal)")
      .def_property_readonly("dates", [](const PySeries& s) { return days_array(s.series.dates); })
      .def_property_readonly(
          "values",
          [](const PySeries& s) {
            return copy_array(s.series.values.data(), Shape{s.series.rows(), s.series.cols()});
          })
      .def_property_readonly("columns", [](const PySeries& s) { return s.series.columns; })
      .def_property_readonly("source", [](const PySeries& s) { return s.series.source; })
      .def_property_readonly("frequency",
                             [](const PySeries& s) -> py::object {
                               if (!s.frequency) return py::none();
                               return py::str(std::string(frequency_name(*s.frequency)));
                             })
      .def_property_readonly("rows", [](const PySeries& s) { return s.series.rows(); })
      .def_readonly("summary", &PySeries::summary)
      .def_readonly("warnings", &PySeries::warnings);

  m.def("_series_from_csv", &series_from_csv, py::arg("path"), py::arg("date_col"),
        py::arg("value_cols"), py::arg("start"), py::arg("end"), py::arg("strict"),
        py::arg("date_format"), py::arg("series_col"), py::arg("series"), py::arg("freq"),
        py::arg("what"));
  m.def("_series_from_arrays", &series_from_arrays, py::arg("days"), py::arg("values"),
        py::arg("columns"), py::arg("source"), py::arg("freq"), py::arg("what"));
  m.def(
      "_select_columns",
      [](const std::vector<std::string>& value_cols, const std::string& target_col) {
        const ForecastColumns c = select_columns(value_cols, target_col);
        return py::make_tuple(c.load, c.inputs, c.target);
      },
      "(names to load, input indices, target index), as `bnlstm train` chooses them");
  m.def("_find_column", [](const std::vector<std::string>& names, const std::string& wanted) {
    return find_column(names, wanted);
  });

  py::class_<PyModel>(m, "_Model", "A trained forecaster (internal; use bnlstm.Forecaster)")
      .def("evaluate", &evaluate, py::arg("data"), py::arg("part"), py::arg("other_rows"),
           py::arg("train_size"), py::arg("val_size"), py::arg("season"))
      .def("predict", &predict, py::arg("data"), py::arg("freq"))
      .def(
          "save",
          [](PyModel& m, const std::string& path) {
            Busy busy(m.guard, "Forecaster.save");
            py::gil_scoped_release nogil;
            if (m.state)
              save_training_checkpoint(path, m.forecaster, *m.state);
            else
              save_checkpoint(path, m.forecaster);
          },
          py::arg("path"))
      .def(
          "set_provenance",
          [](PyModel& m, const std::string& source, const std::string& date_column,
             const std::optional<std::string>& start, const std::optional<std::string>& end,
             const std::string& date_format, const std::string& series_column,
             const std::string& series, const PySeries& data) {
            DataProvenance& p = m.forecaster.data();
            p.source = source;
            std::error_code ec;
            p.source_absolute = source.empty() ? "" : fs::absolute(source, ec).string();
            p.date_column = date_column;
            p.start = date_arg(start, "start");
            p.end = date_arg(end, "end");
            // how the file was read, and how often its rows come, as `bnlstm train` records them
            p.date_format = date_format;
            p.series_column = series_column;
            p.series = series;
            p.frequency = data.frequency ? std::string(frequency_name(*data.frequency)) : "";
          },
          py::arg("source"), py::arg("date_column"), py::arg("start"), py::arg("end"),
          py::arg("date_format"), py::arg("series_column"), py::arg("series"), py::arg("data"))
      .def_property(
          "training_json", [](const PyModel& m) { return m.forecaster.training_json(); },
          [](PyModel& m, const std::string& j) { m.forecaster.training_json() = j; })
      .def_property_readonly("provenance",
                             [](const PyModel& m) { return provenance(m.forecaster); })
      .def_property_readonly("config", [](const PyModel& m) { return config(m.forecaster); });

  m.def("_train", &train, py::arg("data"), py::arg("settings"), py::arg("on_epoch"),
        py::arg("start"), py::arg("path"), py::arg("given"));
  m.def(
      "_load",
      [](const std::string& path) {
        std::unique_ptr<PyModel> model;
        {
          py::gil_scoped_release nogil;
          model = std::make_unique<PyModel>(load_checkpoint(path));
        }
        return model;
      },
      py::arg("path"));
}

}  // namespace bnlstm::python
