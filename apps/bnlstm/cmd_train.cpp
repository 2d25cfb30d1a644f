// bnlstm train: fit a (batch-normalized) LSTM forecaster on a price series, then judge it on the
// test part beside the persistence forecast (and seasonal naive with --season). The pipeline
// itself is the library's run_training (bnlstm/train/workflow.hpp), which the Python binding
// calls too; this file parses flags, prints and writes. Writes into --out:
//   model.safetensors  checkpoint (network, scaler, columns, data range; checkpoint.hpp) and the
//                      training state --resume continues from (resume.hpp)
//   history.csv/json   training and validation (or test) loss per epoch, epoch 0 included
//   metrics.json       test errors of the model and the baselines, per step, and the settings
//   test_forecasts.csv origin, date, step, actual, predicted, persistence[, seasonal_naive]
//   prices.png, loss.png, test_forecasts.png   (--format; skipped with a warning without gnuplot)
// The files are written into a staging folder and swapped in as one unit at the end
// (bnlstm/io/output_folder.hpp): a reader sees the previous run or this one, never a mixture; a
// second run into the same --out fails at once; an unusable --out fails before training.
// Under `mpirun -np K` the K ranks train one model data-parallel (the library's Workers, here
// MPI's: parallel.hpp); rank 0 alone prints, locks --out and writes.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "bnlstm/train/charts.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/workflow.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "model_flags.hpp"
#include "parallel.hpp"
#include "train_start.hpp"
#include "workflow_output.hpp"

namespace bnlstm::cli {

namespace {

namespace fs = std::filesystem;

// What train writes into --out (replaced as a unit; anything else in the folder is kept).
const std::vector<std::string> kTrainOutputs = {
    "model.safetensors",  "history.csv", "history.json", "metrics.json",
    "test_forecasts.csv", "prices.*",    "loss.*",       "test_forecasts.*"};

struct TrainFlags {
  DataFlags data;
  WindowFlags windows;
  ModelFlags model;
  OutputFlags output;
  StartFlags start;
  Index plot_last = 0;
  Index plot_step = 1;
  int log_every = 10;
  bool quiet = false;
};

void run_train(const CLI::App* cmd, TrainFlags& f) {
  // settings first: a bad flag fails before any work
  ForecastColumns columns = select_columns(f.data.value_cols, f.data.target_col);
  TrainRunOptions options = run_options(cmd, f.model, f.windows, columns);
  // --resume / --init-from: the checkpoint's settings (every rank reads the same file)
  TrainStart start;
  begin_start(start, cmd, f.start, options, columns);
  if (f.plot_step > options.data.windows.horizon)
    throw Error(fmt::format("--plot-step: expected a step <= --horizon {}, got {}",
                            options.data.windows.horizon, f.plot_step));
  const OutputPlan plan = plan_output(f.output);
  // the folder is locked and staged now: a busy or unusable --out fails before any work (by
  // rank 0 alone under mpirun: the other ranks never touch it)
  std::optional<OutputFolder> out;
  if (is_root_process()) out.emplace(OutputFolder::begin(f.output.out, "--out", kTrainOutputs));
  const std::string replaced =
      f.quiet || !out ? "" : replaced_run_note(f.output.out, kTrainOutputs);

  // data
  LoadReport report;
  Series series = load_start_series(start, f.data, columns, &report);
  check_validation_rows(options.data.split, series.rows());
  const std::string target_name = columns.load.empty()
                                      ? series.columns[0]
                                      : series.columns[static_cast<size_t>(columns.target)];
  const ValidationPart part =
      options.validate_on_test ? ValidationPart::test : ValidationPart::validation;

  // train: the library's pipeline, with a progress bar and the notebook's epoch lines
  // on a terminal: the epoch's running loss and the time left (an upper bound when early
  // stopping can end the run before --epochs: it stops after `patience` epochs at the earliest)
  const TrainOptions& planned = options.training;
  ProgressBar bar(!f.quiet && is_root_process() && isatty(STDERR_FILENO), planned.epochs,
                  planned.patience > 0 && planned.patience < planned.epochs);
  // without a terminal (a log, CI, nohup) a line per epoch on stderr replaces the bar: the time
  // spent and the time the remaining epochs would take at most (early stopping may end sooner);
  // rank 0's alone under mpirun
  const bool progress_lines = !f.quiet && is_root_process() && !isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  const int epochs = options.training.epochs, log_every = f.log_every;
  TrainCallbacks cb;
  cb.on_batch = [&](const BatchProgress& p) { bar.update(p); };
  cb.on_epoch = [&](const EpochRecord& e, const EarlyStopping&) {
    bar.clear();
    if (progress_lines && e.epoch > 0) {
      const double spent =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      // a resumed run's time covers its own epochs only
      const int run_here = e.epoch - start.epochs_before();
      fmt::print(stderr, "epoch {}/{}: {:.1f} s, at most about {:.0f} s left\n", e.epoch, epochs,
                 spent, spent / std::max(run_here, 1) * (epochs - e.epoch));
      std::fflush(stderr);
    }
    // the notebook prints epochs 1, 11, 21, ...; epoch 0 is always shown
    if (!f.quiet && log_every > 0 && (e.epoch == 0 || (e.epoch - 1) % log_every == 0)) {
      fmt::print("{}", epoch_line(e, epochs, part));
      flush_stdout();  // a full device fails now, with its reason
    }
  };
  const auto on_start = [&](const Dataset& d, const Forecaster&, Index parameters) {
    bar.start();
    if (f.quiet) return;
    // printed once the dataset is made: a series too short or too large fails with stdout empty
    fmt::print("data: {}\n", report.summary());
    if (options.validate_on_test)
      fmt::print(
          "validation: the test part (--validate-on-test, the notebook's protocol): early "
          "stopping and the kept epoch see the test rows; their loss is called the test loss\n");
    fmt::print("{}", describe_split(d.split, d.series.dates));
    fmt::print("{}", describe_start(start, options));
    fmt::print("{}", describe_run(f.model, options, target_name, parameters));
    if (options.workers)
      fmt::print("data-parallel: {} ranks, every batch of {} windows split among them\n",
                 options.workers->size(), options.training.batch_size);
    flush_stdout();  // a full device fails now, with its reason
  };
  // under mpirun with several ranks: data-parallel (MPI is initialized here, after the inputs)
  options.workers = run_workers();
  TrainRun run = run_training(std::move(series), options, cb, on_start);
  bar.clear();
  run.test.comparison.period = period_of(report);  // "persistence (previous month)"
  const TrainingHistory& history = run.history;
  const TrainOptions& topt = options.training;

  if (!f.quiet) {
    const EpochRecord& last = history.epochs.back();
    // the last epoch's line (if not printed yet), then the notebook's "Early stopping"
    if (log_every > 0 && last.epoch != 0 && (last.epoch - 1) % log_every != 0)
      fmt::print("{}", epoch_line(last, epochs, part));
    if (history.stopped_early) fmt::print("Early stopping\n");
    const EpochRecord* best = history.find(history.best_epoch);
    const std::string loss_name = history.part_label();
    // "12 epochs", or for a resumed run "7 more epochs (12 in all)"
    const int before = start.epochs_before(), ran = last.epoch - before;
    const std::string epochs_run = before > 0
                                       ? fmt::format("{} more epochs ({} in all)", ran, last.epoch)
                                       : fmt::format("{} epochs", last.epoch);
    if (!topt.restore_best)
      fmt::print("{} in {:.1f} s; kept the last weights (--no-restore)\n", epochs_run, run.seconds);
    else if (history.best_epoch == 0)
      fmt::print(
          "{} in {:.1f} s; kept the starting weights (epoch 0, {} {:.5f}): no epoch "
          "improved on them, so the model forecasts as persistence does\n",
          epochs_run, run.seconds, loss_name, best ? best->val_loss : 0.0);
    else
      fmt::print("{} in {:.1f} s; restored the weights of epoch {} ({} {:.5f})\n", epochs_run,
                 run.seconds, history.best_epoch, loss_name, best ? best->val_loss : 0.0);
    if (options.workers && ran > 0)
      fmt::print("{:.3f} s per epoch; {:.1f} % of it in MPI collectives (rank 0)\n",
                 run.seconds / double(ran), 100.0 * run.communication_seconds / run.seconds);
  }

  // the test part beside the baselines
  // --quiet prints the table alone: one line names the run, so that sweeps' outputs can be told
  // apart (the full settings are in the printed lines without --quiet and in metrics.json)
  if (f.quiet)
    fmt::print("run: --out {}, norm {}, hidden {}, seed {}, look-back {}, horizon {}\n",
               f.output.out, to_string(options.network.norm), options.network.hidden_size,
               options.seed, options.data.windows.lookback, options.data.windows.horizon);
  fmt::print("\n{}", format_comparison(run.test.comparison));
  flush_stdout();  // a full device fails now, with its reason

  // write everything (rank 0 alone)
  if (!out) return;
  Forecaster& forecaster = run.forecaster;
  DataProvenance& p = forecaster.data();
  // a resumed run keeps where the checkpoint's rows came from, except what the flags name anew
  const bool resumed = start.resume.has_value();
  if (!resumed || !f.data.data.empty()) {
    p.source = f.data.data;
    p.source_absolute = f.data.data.empty() ? "" : fs::absolute(f.data.data).string();
  }
  const auto set = [&](std::string& field, const std::string& flag) {
    if (!resumed || !flag.empty()) field = flag;
  };
  set(p.date_column, f.data.date_col);
  set(p.date_format, f.data.date_format);
  set(p.series_column, f.data.series_col);
  set(p.series, f.data.series);
  p.frequency = report.frequency ? std::string(frequency_name(*report.frequency)) : "";
  if (!resumed || !f.data.start.empty())
    p.start = parse_date_flag("--start", f.data.start);  // checked while parsing
  if (!resumed || !f.data.end.empty()) p.end = parse_date_flag("--end", f.data.end);
  forecaster.training_json() = with_start(
      training_json(f.model, options, history, run.persistence_validation_loss, run.seconds),
      start);

  const fs::path dir = out->path();  // the staging folder until commit()
  std::vector<fs::path> written;
  // the model and, for --resume, where its training stopped
  save_training_checkpoint(dir / "model.safetensors", forecaster, run.state);
  written.push_back("model.safetensors");
  history.save(dir / "history.csv", dir / "history.json");
  written.push_back("history.csv");
  written.push_back("history.json");
  const std::string metrics = "{\n\"test\": " + comparison_json(run.test.comparison) +
                              ",\n\"training\": " + forecaster.training_json() + "\n}\n";
  write_file_atomically(dir / "metrics.json",
                        nlohmann::ordered_json::parse(metrics).dump(2) + "\n");
  written.push_back("metrics.json");
  write_file_atomically(dir / "test_forecasts.csv", forecasts_csv(run.test, run.data.windows));
  written.push_back("test_forecasts.csv");

  // pictures
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    const std::string prices = "prices." + plan.extension;
    plot_price_series(dir / prices, run.data.series, run.data.windows.spec().target_column,
                      run.data.split, image);
    files.push_back(prices);
    const std::string loss = "loss." + plan.extension;
    LossChartOptions lo;
    lo.log_y = f.output.log_scale;
    lo.persistence_loss = run.persistence_validation_loss;
    plot_loss_history(dir / loss, history, lo, image);
    files.push_back(loss);
    const std::string fc = "test_forecasts." + plan.extension;
    ForecastChartOptions fo;
    fo.last = f.plot_last;
    fo.step = f.plot_step;
    plot_forecasts(dir / fc, run.test, run.data.windows, target_name, fo, image);
    files.push_back(fc);
  });
  out->commit();
  fmt::print(stderr, "{}", replaced);
  if (!f.quiet)
    for (const auto& w : written) fmt::print("wrote {}\n", (out->final_path() / w).string());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train an LSTM forecaster on a series and compare it with persistence (and seasonal naive)");
  last_flag_wins(cmd);
  add_data_flags(cmd, f->data, true);
  add_window_flags(cmd, f->windows);
  add_model_flags(cmd, f->model);
  cmd->add_option("--log-every", f->log_every, "Print the losses every N epochs; 0 = never")
      ->type_name("N")
      ->transform(integer_in<int>(0, 1'000'000))
      ->capture_default_str();
  cmd->add_flag("--quiet", f->quiet, "Print only the final table");
  add_output_flags(cmd, f->output, "out");
  add_start_flags(cmd, f->start);
  cmd->add_option("--plot-last", f->plot_last,
                  "test_forecasts picture: only the last N forecasts (0 = all)")
      ->type_name("N")
      ->transform(integer_in<Index>(0))
      ->capture_default_str();
  cmd->add_option("--plot-step", f->plot_step,
                  "test_forecasts picture: the horizon step drawn (1..--horizon)")
      ->type_name("K")
      ->transform(integer_in<Index>(1, kMaxHorizon))
      ->capture_default_str();
  cmd->callback([f, cmd] { run_train(cmd, *f); });
}

}  // namespace bnlstm::cli
