#pragma once
// Walk-forward evaluation (a backtest): how a forecaster trained the same way would have done
// over time, rather than on one split. Like Darts' historical_forecasts / backtest and sktime's
// evaluate with an expanding window.
//
// With T rows, initial training fraction a and validation fraction v (TrainRunOptions::data.split),
// V = floor(v * T) and s0 = floor(a * T) + V, the rows [s0, T) are forecast in folds of K rows
// (fold_rows; the last fold may be shorter):
//
//   fold f      forecast rows [s_f, e_f)  s_f = s0 + f * K, e_f = min(s_f + K, T)
//   training    rows [0, s_f - V)         (expanding)
//   validation  rows [s_f - V, s_f)       (early stopping; the same V rows before every fold)
//
// Every fold fits its own scaler on its training rows and trains a new network from the same
// seed (refit); with refit off, the network and scaler of fold 0 forecast every fold. A fold's
// forecasts are those of the windows whose first target row lies in the fold and whose targets
// all lie in the data: each origin of the backtest is forecast exactly once, by the model of the
// fold it lies in, from inputs that precede the target (never from rows the model trained on
// after them).
//
// Results: per-fold errors (model, persistence, seasonal naive when a season is set) and the
// same table over all folds pooled. Pooled MSE(scaled) uses fold 0's scaler and pooled MASE
// fold 0's training rows, so that one scale applies to every forecast.
// Seeded and deterministic as run_training: same options, seed and threads, same bits.
#include <functional>
#include <string>
#include <vector>

#include "bnlstm/data/series.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/history.hpp"
#include "bnlstm/train/workflow.hpp"

namespace bnlstm {

struct BacktestOptions {
  // data (split.train = the initial training fraction, split.validation = v; validate_on_test
  // must be false), network, training, seed, threads, season
  TrainRunOptions run;
  Index fold_rows = 0;  // K >= 1: forecast rows per fold
  bool refit = true;    // false: train once (fold 0), keep that model for every fold
};

struct BacktestFold {
  int index = 0;                       // 0-based
  Range train_rows, validation_rows;   // what its model trained and validated on
  Range rows;                          // [s_f, e_f): the rows whose forecasts it makes
  Range windows;                       // the windows forecast (first target row in `rows`)
  Date first_origin{}, last_origin{};  // date of the last observed value, first/last window
  Date first_target{}, last_target{};  // first target of the first window, last of the last
  bool refitted = true;                // false: the fold reused an earlier fold's model
  TrainingHistory history;             // empty when not refitted
  ForecastComparison comparison;       // this fold's errors
};

struct BacktestResult {
  std::vector<BacktestFold> folds;
  // every fold's forecasts, in order: windows, origins, predicted, persistence, seasonal, actual
  RangeForecast forecasts;
  std::vector<int> fold_of;       // (N) the fold of each forecast row
  ForecastComparison comparison;  // over all folds pooled, label "backtest"
  double seconds = 0;             // wall time of all training
};

struct BacktestCallbacks {
  TrainCallbacks training;  // passed to every fold's training (should_stop ends the backtest)
  // after every fold, e.g. a progress line
  std::function<void(const BacktestFold&, int folds)> on_fold;
};

// The fold layout alone (rows, windows, dates left empty), for planning and tests.
// rows: T; span and horizon of the windows. Throws bnlstm::Error when no row is left to
// forecast, fold_rows < 1, or the first fold's training part holds no window.
std::vector<BacktestFold> plan_folds(Index rows, Index span, Index horizon,
                                     const SplitFractions& fractions, Index fold_rows);

// Throws bnlstm::Error for validate_on_test, no validation part, and as run_training.
BacktestResult run_backtest(const Series& series, const BacktestOptions& options,
                            const BacktestCallbacks& callbacks = {});

// "fold,train_end,first_origin,last_origin,first_target,last_target,forecasts,epochs,best_epoch,
//  rmse,persistence_rmse[,seasonal_naive_rmse],mae,mase\n" and one row per fold (train_end = the
// date of the last training row).
std::string backtest_folds_csv(const BacktestResult& r, const Series& series);
// {"folds": [{"fold": 0, "train_rows": [0, n], ..., "errors": comparison_json}, ...],
//  "backtest": comparison_json of the pooled forecasts}
std::string backtest_json(const BacktestResult& r, const Series& series);
// "fold,origin,date,step,actual,predicted,persistence[,seasonal_naive]\n"...
std::string backtest_forecasts_csv(const BacktestResult& r, const Series& series, Index span);

}  // namespace bnlstm
