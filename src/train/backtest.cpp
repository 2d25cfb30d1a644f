#include "bnlstm/train/backtest.hpp"

#include <fmt/core.h>
#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/trainer.hpp"

namespace bnlstm {

std::vector<BacktestFold> plan_folds(Index rows, Index span, Index horizon,
                                     const SplitFractions& fractions, Index fold_rows) {
  const Index T = rows;
  if (fold_rows < 1)
    throw Error(fmt::format("backtest: rows per fold must be >= 1, got {}", fold_rows));
  if (!(fractions.train > 0 && fractions.train < 1) ||
      !(fractions.validation >= 0 && fractions.train + fractions.validation < 1))
    throw Error(fmt::format("backtest: expected 0 < train and train + validation < 1, got {} + {}",
                            fractions.train, fractions.validation));
  const Index V = static_cast<Index>(std::floor(fractions.validation * static_cast<double>(T)));
  const Index s0 = static_cast<Index>(std::floor(fractions.train * static_cast<double>(T))) + V;
  const Index count = T - span - horizon + 1;  // windows with targets inside the data
  if (s0 >= T || count < 1 || s0 - span >= count)
    throw Error(fmt::format(
        "backtest: no row is left to forecast after the first {} rows (of {}; look-back span {}, "
        "horizon {})",
        s0, T, span, horizon));
  // the first fold's parts must hold windows (throws the split's message otherwise)
  split_at_rows(T, span, horizon, s0 - V, s0, s0);

  std::vector<BacktestFold> folds;
  for (Index s = s0; s < T; s += fold_rows) {
    BacktestFold f;
    f.index = static_cast<int>(folds.size());
    f.rows = {s, std::min(s + fold_rows, T)};
    f.train_rows = {0, s - V};
    f.validation_rows = {s - V, s};
    // windows whose first target row lies in the fold and whose targets lie in the data
    f.windows = {std::max<Index>(0, s - span), std::min(f.rows.end - span, count)};
    if (f.windows.empty()) break;  // the last rows: their targets run past the data
    folds.push_back(f);
  }
  return folds;
}

namespace {

// The model of one fold: its windows (scaled by its own scaler) and forecaster.
struct FoldModel {
  Split split;
  std::optional<Windows> windows;
  std::optional<Forecaster> forecaster;
};

void append_rows(MatrixD& to, const MatrixD& rows) {
  const Index n = to.rows();
  to.conservativeResize(n + rows.rows(), rows.cols());
  to.bottomRows(rows.rows()) = rows;
}

}  // namespace

BacktestResult run_backtest(const Series& series, const BacktestOptions& options,
                            const BacktestCallbacks& callbacks) {
  const TrainRunOptions& o = options.run;
  if (o.validate_on_test)
    throw Error("backtest: validating on the test part is not a backtest; give a validation part");
  if (!(o.data.split.validation > 0))
    throw Error("backtest: a validation part is needed for early stopping (validation > 0)");
  if (o.threads > 0) {
    Eigen::setNbThreads(o.threads);
    omp_set_num_threads(o.threads);
  }
  const WindowSpec& spec = o.data.windows;
  const Index T = series.rows(), S = window_span(spec), H = spec.horizon;
  window_count(T, spec);  // the plain "too few rows" message first
  BacktestResult result;
  result.folds = plan_folds(T, S, H, o.data.split, options.fold_rows);
  const int n_folds = static_cast<int>(result.folds.size());

  FoldModel model;
  double fold0_shift = 0, fold0_scale = 1, fold0_mase = std::nan("");
  const Index mase_season = std::max<Index>(o.season, 1);
  for (BacktestFold& fold : result.folds) {
    // train a new model, or keep fold 0's
    fold.refitted = options.refit || fold.index == 0;
    if (fold.refitted) {
      model.split = split_at_rows(T, S, H, fold.train_rows.end, fold.validation_rows.end,
                                  fold.validation_rows.end);
      if (o.season > fold.train_rows.size())
        throw Error(fmt::format("season: {} rows is longer than the training part ({} rows)",
                                o.season, fold.train_rows.size()));
      const Scaler scaler = fit_scaler(o.data.scaler, series, model.split);
      model.windows.emplace(series, scaler, spec);
      ForecasterConfig config;
      config.columns = series.columns;
      config.windows = model.windows->spec();
      config.network = o.network;
      Rng rng = make_rng(o.seed);
      model.forecaster.emplace(config, scaler, rng);
      if (o.zero_head) model.forecaster->network().head().weight().value.setZero();
      const auto t0 = std::chrono::steady_clock::now();
      Trainer<float> trainer(model.forecaster->network(), *model.windows, o.training);
      fold.history = trainer.fit(model.split.train_windows, model.split.validation_windows, rng,
                                 callbacks.training);
      result.seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      fold.train_rows = result.folds.front().train_rows;
      fold.validation_rows = result.folds.front().validation_rows;
    }

    // forecast the fold's rows
    const Windows& w = *model.windows;
    BaselineOptions baselines;
    baselines.season = o.season;
    baselines.in_sample_rows = fold.train_rows;
    const RangeForecast r = evaluate_range(*model.forecaster, w, fold.windows,
                                           fmt::format("fold {}", fold.index + 1), baselines);
    fold.comparison = r.comparison;
    fold.first_origin = r.last_dates.front();
    fold.last_origin = r.last_dates.back();
    fold.first_target = w.target_date(fold.windows.begin, 0);
    fold.last_target = w.target_date(fold.windows.end - 1, H - 1);
    if (fold.index == 0) {
      const Index c = spec.target_column;
      fold0_shift = w.scaler().shift()[c];
      fold0_scale = w.scaler().scale()[c];
      if (fold.train_rows.size() > mase_season)
        fold0_mase =
            naive_scale(w.target_prices(), fold.train_rows.begin, fold.train_rows.end, mase_season);
    }

    // pool
    RangeForecast& all = result.forecasts;
    all.windows.insert(all.windows.end(), r.windows.begin(), r.windows.end());
    all.last_dates.insert(all.last_dates.end(), r.last_dates.begin(), r.last_dates.end());
    append_rows(all.predicted, r.predicted);
    append_rows(all.persistence, r.persistence);
    append_rows(all.actual, r.actual);
    if (o.season > 0) append_rows(all.seasonal, r.seasonal);
    result.fold_of.insert(result.fold_of.end(), r.windows.size(), fold.index);
    if (callbacks.on_fold) callbacks.on_fold(fold, n_folds);
    if (fold.history.stopped_by_request) {
      result.folds.resize(static_cast<size_t>(fold.index + 1));
      break;
    }
  }

  RangeForecast& all = result.forecasts;
  all.comparison =
      compare_forecasts(all.predicted, all.actual, all.persistence, all.seasonal, o.season,
                        fold0_shift, fold0_scale, fold0_mase, mase_season, "backtest");
  result.comparison = all.comparison;
  return result;
}

namespace {

// The number of the last epoch run, as `bnlstm train`'s metrics.json and the fold lines count
// (epoch 0, the starting weights, is a record but not an epoch run).
int epochs_run(const TrainingHistory& h) {
  return h.epochs.empty() ? 0 : h.epochs.back().epoch;
}

std::string date_of(const Series& s, Index row) {
  return format_date(s.dates[static_cast<size_t>(row)]);
}

std::string number(double x) {
  return std::isnan(x) ? std::string() : fmt::format("{}", x);
}

}  // namespace

std::string backtest_folds_csv(const BacktestResult& r, const Series& series) {
  const bool seasonal = r.comparison.seasonal.has_value();
  std::string out =
      "fold,train_end,first_origin,last_origin,first_target,last_target,forecasts,epochs,"
      "best_epoch,rmse,persistence_rmse";
  out += seasonal ? ",seasonal_naive_rmse,mae,mase\n" : ",mae,mase\n";
  for (const BacktestFold& f : r.folds) {
    const ForecastComparison& c = f.comparison;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}", f.index + 1,
                       date_of(series, f.train_rows.end - 1), format_date(f.first_origin),
                       format_date(f.last_origin), format_date(f.first_target),
                       format_date(f.last_target), c.model.count,
                       f.refitted ? fmt::format("{}", epochs_run(f.history)) : std::string(),
                       f.refitted ? fmt::format("{}", f.history.best_epoch) : std::string(),
                       c.model.rmse, c.baseline.rmse);
    if (seasonal) out += "," + (c.seasonal ? number(c.seasonal->rmse) : std::string());
    out += fmt::format(",{},{}\n", c.model.mae, number(c.model.mase));
  }
  return out;
}

std::string backtest_json(const BacktestResult& r, const Series& series) {
  using Json = nlohmann::ordered_json;
  Json j;
  Json folds = Json::array();
  auto range = [](Range x) { return Json::array({x.begin, x.end}); };
  for (const BacktestFold& f : r.folds) {
    Json k;
    k["fold"] = f.index + 1;
    k["train_rows"] = range(f.train_rows);
    k["validation_rows"] = range(f.validation_rows);
    k["rows"] = range(f.rows);
    k["train_end"] = date_of(series, f.train_rows.end - 1);
    k["first_origin"] = format_date(f.first_origin);
    k["last_origin"] = format_date(f.last_origin);
    k["first_target"] = format_date(f.first_target);
    k["last_target"] = format_date(f.last_target);
    k["refitted"] = f.refitted;
    if (f.refitted) {
      k["epochs_run"] = epochs_run(f.history);
      k["best_epoch"] = f.history.best_epoch;
    }
    k["errors"] = Json::parse(comparison_json(f.comparison));
    folds.push_back(k);
  }
  j["folds"] = folds;
  j["backtest"] = Json::parse(comparison_json(r.comparison));
  j["seconds"] = r.seconds;
  return j.dump(2) + "\n";
}

std::string backtest_forecasts_csv(const BacktestResult& r, const Series& series, Index span) {
  const RangeForecast& f = r.forecasts;
  const bool seasonal = f.seasonal.size() > 0;
  std::string out = "fold,origin,date,step,actual,predicted,persistence";
  out += seasonal ? ",seasonal_naive\n" : "\n";
  for (size_t n = 0; n < f.windows.size(); ++n)
    for (Index k = 0; k < f.actual.cols(); ++k) {
      const Index row = static_cast<Index>(n);
      out += fmt::format("{},{},{},{},{},{},{}", r.fold_of[n] + 1, format_date(f.last_dates[n]),
                         date_of(series, f.windows[n] + span + k), k + 1, f.actual(row, k),
                         f.predicted(row, k), f.persistence(row, k));
      out += seasonal ? fmt::format(",{}\n", f.seasonal(row, k)) : "\n";
    }
  return out;
}

}  // namespace bnlstm
