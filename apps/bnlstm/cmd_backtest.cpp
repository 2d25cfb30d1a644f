// bnlstm backtest: walk-forward evaluation (bnlstm/train/backtest.hpp). The rows after the first
// --train-size + --val-size are forecast in folds of --refit K rows; before each fold a new model
// is trained on every earlier row (the last --val-size of the rows validating), or, with
// --refit 0, one model trained before the first fold forecasts them all. Prints a line per fold
// and the error table over all folds beside persistence (and seasonal naive with --season).
// Writes into --out, as one unit (bnlstm/io/output_folder.hpp):
//   folds.csv        one row per fold: dates, epochs, errors of the model and the baselines
//   backtest.json    the same per fold, and the pooled table (as metrics.json's "test")
//   forecasts.csv    fold, origin, date, step, actual, predicted, persistence[, seasonal_naive]
//   backtest.png     the pooled forecasts over their errors (as train's test_forecasts picture)
#include <fmt/core.h>

#include <cmath>
#include <memory>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "bnlstm/train/backtest.hpp"
#include "bnlstm/train/charts.hpp"
#include "bnlstm/train/error_decimals.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "model_flags.hpp"
#include "parallel.hpp"
#include "workflow_output.hpp"

namespace bnlstm::cli {

namespace {

namespace fs = std::filesystem;

constexpr Index kDefaultFolds = 5;

// What backtest writes into --out (replaced as a unit; anything else in the folder is kept).
const std::vector<std::string> kBacktestOutputs = {"folds.csv", "backtest.json", "forecasts.csv",
                                                   "backtest.*"};

struct BacktestFlags {
  DataFlags data;
  WindowFlags windows;
  ModelFlags model;
  OutputFlags output;
  Index refit = -1;  // -1 (not given): a fifth of the forecast rows
  Index plot_last = 0;
  bool quiet = false;
};

std::string signed_percent(double model, double base) {
  return base > 0 ? fmt::format("{:+.1f}%", 100.0 * (model / base - 1.0)) : "n/a";
}

void run_backtest_command(const CLI::App* cmd, BacktestFlags& f) {
  require_one_process("backtest");
  // settings first: a bad flag fails before any work
  if (f.model.validate_on_test || f.model.notebook)
    throw Error(
        "backtest: --validate-on-test / --notebook would choose each fold's epoch on the rows it "
        "forecasts; a backtest validates on the --val-size rows before each fold");
  const ForecastColumns columns = select_columns(f.data.value_cols, f.data.target_col);
  BacktestOptions options;
  options.run = run_options(cmd, f.model, f.windows, columns);
  const OutputPlan plan = plan_output(f.output);
  // the folder is locked and staged now: a busy or unusable --out fails before any work
  OutputFolder out = OutputFolder::begin(f.output.out, "--out", kBacktestOutputs);
  const std::string replaced = f.quiet ? "" : replaced_run_note(f.output.out, kBacktestOutputs);

  // data and folds
  LoadReport report;
  const Series series = load_series(f.data, columns.load, &report);
  check_validation_rows(options.run.data.split, series.rows());
  const SplitFractions& fr = options.run.data.split;
  const Index T = series.rows();
  const Index first = static_cast<Index>(std::floor(fr.train * static_cast<double>(T))) +
                      static_cast<Index>(std::floor(fr.validation * static_cast<double>(T)));
  const Index rows = std::max<Index>(1, T - first);
  options.refit = f.refit != 0;
  options.fold_rows = f.refit > 0 ? f.refit : (rows + kDefaultFolds - 1) / kDefaultFolds;
  const std::string target_name = columns.load.empty()
                                      ? series.columns[0]
                                      : series.columns[static_cast<size_t>(columns.target)];
  if (!f.quiet) {
    fmt::print("data: {}\n", report.summary());
    fmt::print("backtest: rows {}..{} forecast in folds of {} rows; {}\n",
               format_date(series.dates[static_cast<size_t>(std::min(first, T - 1))]),
               format_date(series.dates.back()), options.fold_rows,
               options.refit ? "a new model trained before each fold on every earlier row"
                             : "one model, trained before the first fold (--refit 0)");
    flush_stdout();
  }

  // a progress line per fold
  BacktestCallbacks cb;
  cb.on_fold = [&](const BacktestFold& fold, int folds) {
    const ForecastComparison& c = fold.comparison;
    std::string line =
        fmt::format("fold {}/{}: {} rows to {}, ", fold.index + 1, folds, fold.train_rows.size(),
                    format_date(series.dates[static_cast<size_t>(fold.train_rows.end - 1)]));
    line += fold.refitted ? fmt::format("{} epochs, kept {}; ", fold.history.epochs.back().epoch,
                                        fold.history.best_epoch)
                          : std::string("model of fold 1; ");
    // three significant digits of small errors, as the table (metrics.hpp)
    std::vector<double> errors{c.model.rmse, c.baseline.rmse};
    if (c.seasonal) errors.push_back(c.seasonal->rmse);
    const int d = error_decimals(errors);
    line += fmt::format("forecasts {}..{} ({}): RMSE {:.{}f} vs persistence {:.{}f} ({})",
                        format_date(fold.first_target), format_date(fold.last_target),
                        c.model.count, c.model.rmse, d, c.baseline.rmse, d,
                        signed_percent(c.model.rmse, c.baseline.rmse));
    if (c.seasonal)
      line += fmt::format(", seasonal naive {:.{}f} ({})", c.seasonal->rmse, d,
                          signed_percent(c.model.rmse, c.seasonal->rmse));
    fmt::print("{}\n", line);
    flush_stdout();
  };
  BacktestResult r = run_backtest(series, options, cb);
  r.comparison.period = period_of(report);
  fmt::print("\n{}", format_comparison(r.comparison));
  flush_stdout();

  // files
  const fs::path dir = out.path();  // the staging folder until commit()
  std::vector<fs::path> written;
  const auto write = [&](const char* name, const std::string& text) {
    write_file_atomically(dir / name, text);
    written.push_back(name);
  };
  write("folds.csv", backtest_folds_csv(r, series));
  write("backtest.json", backtest_json(r, series));
  write("forecasts.csv", backtest_forecasts_csv(r, series, window_span(options.run.data.windows)));
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    // the pooled forecasts drawn over windows of the whole series (dates only)
    const Scaler scaler = Scaler::fit(options.run.data.scaler, series.values, series.columns);
    const Windows w(series, scaler, options.run.data.windows);
    ForecastChartOptions fo;
    fo.last = f.plot_last;
    const std::string picture = "backtest." + plan.extension;
    plot_forecasts(dir / picture, r.forecasts, w, target_name, fo, image);
    files.push_back(picture);
  });
  out.commit();
  fmt::print(stderr, "{}", replaced);
  if (!f.quiet)
    for (const auto& w : written) fmt::print("wrote {}\n", (out.final_path() / w).string());
}

}  // namespace

void add_backtest_command(CLI::App& app) {
  auto f = std::make_shared<BacktestFlags>();
  auto* cmd = app.add_subcommand(
      "backtest",
      "Walk-forward evaluation: refit every K rows on all earlier rows, errors per fold and "
      "overall beside persistence (and seasonal naive)");
  last_flag_wins(cmd);
  add_data_flags(cmd, f->data, true);
  add_window_flags(cmd, f->windows);
  add_model_flags(cmd, f->model);
  cmd->add_option("--refit", f->refit,
                  "Rows per fold: a new model before each (default: a fifth of the rows after "
                  "--train-size + --val-size); 0 = one model for every fold")
      ->type_name("K")
      ->transform(integer_in<Index>(0));
  cmd->add_flag("--quiet", f->quiet, "Print only the fold lines and the final table");
  add_output_flags(cmd, f->output, "backtest");
  cmd->add_option("--plot-last", f->plot_last, "backtest picture: only the last N forecasts")
      ->type_name("N")
      ->transform(integer_in<Index>(0))
      ->capture_default_str();
  cmd->callback([f, cmd] { run_backtest_command(cmd, *f); });
}

}  // namespace bnlstm::cli
