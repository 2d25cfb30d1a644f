// bnlstm study-forecast: the three norms (and optionally several optimizers) side by side on one
// forecasting task, over several seeds, each run the library's run_training with train's data,
// window and model flags (bnlstm/train/forecast_study.hpp). Prints a progress line per run and
// the table; writes into --out:
//   study.md        the table (markdown)
//   study.json      summaries per variant, and every run's history
//   val_ratio.png, loss.png   mean over seeds with the lowest..highest band
// --norms, --optimizers, --lrs and --seeds replace train's --norm, --optimizer, --lr and --seed,
// which are refused here.
#include <fmt/core.h>

#include <memory>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "bnlstm/train/error_decimals.hpp"
#include "bnlstm/train/forecast_study.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "flag_checks.hpp"
#include "model_flags.hpp"
#include "workflow_output.hpp"

namespace bnlstm::cli {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kStudyOutputs = {"study.md", "study.json", "val_ratio.*", "loss.*"};

struct Flags {
  DataFlags data;
  WindowFlags windows;
  ModelFlags model;
  OutputFlags output;
  std::vector<LstmNorm> norms = {LstmNorm::none, LstmNorm::batch, LstmNorm::layer};
  std::vector<std::string> optimizers = {"sgd"};
  std::vector<double> lrs = {1e-3};
  std::vector<uint64_t> seeds = {1, 2, 3};
  std::vector<double> thresholds = {0.5, 0.3};
  bool quiet = false;
};

ForecastStudyOptimizer study_optimizer(const std::string& name, double lr, const TrainOptions& base,
                                       double momentum) {
  ForecastStudyOptimizer o;
  o.name = name;
  o.kind = name == "momentum" ? OptimizerKind::sgd : parse_optimizer(name);
  o.config = base.optimizer_config;  // weight decay and the rest as train's flags set them
  o.config.lr = lr;
  o.config.momentum = name == "momentum" ? momentum : 0.0;
  return o;
}

void run_study_forecast(const CLI::App* cmd, Flags& f) {
  // settings first: a bad flag fails before any work
  for (const char* replaced : {"--norm", "--optimizer", "--lr", "--seed"})
    if (cmd->count(replaced) > 0)
      throw Error(fmt::format("{}: study-forecast compares several; use {}s", replaced, replaced));
  if (f.model.validate_on_test || f.model.notebook)
    throw Error(
        "study-forecast: --validate-on-test / --notebook would measure the thresholds on the test "
        "part; the study validates on the --val-size rows");
  if (f.lrs.size() != 1 && f.lrs.size() != f.optimizers.size())
    throw Error(fmt::format("--lrs: expected 1 or {} learning rates (one per optimizer), got {}",
                            f.optimizers.size(), f.lrs.size()));
  const ForecastColumns columns = select_columns(f.data.value_cols, f.data.target_col);
  ForecastStudyOptions o;
  o.run = run_options(cmd, f.model, f.windows, columns);
  o.norms = f.norms;
  o.seeds = f.seeds;
  o.thresholds = f.thresholds;
  for (size_t k = 0; k < f.optimizers.size(); ++k)
    o.optimizers.push_back(study_optimizer(f.optimizers[k], f.lrs.size() == 1 ? f.lrs[0] : f.lrs[k],
                                           o.run.training, f.model.momentum));
  const OutputPlan plan = plan_output(f.output);
  // the folder is locked and staged now: a busy or unusable --out fails before any work
  OutputFolder out = OutputFolder::begin(f.output.out, "--out", kStudyOutputs);

  LoadReport report;
  const Series series = load_series(f.data, columns.load, &report);
  check_validation_rows(o.run.data.split, series.rows());
  if (!f.quiet) {
    fmt::print("data: {}\n", report.summary());
    fmt::print(
        "study-forecast: look-back {}, horizon {}, hidden {}, batch {}, up to {} epochs "
        "(patience {}), seeds",
        o.run.data.windows.lookback, o.run.data.windows.horizon, o.run.network.hidden_size,
        o.run.training.batch_size, o.run.training.epochs, o.run.training.patience);
    for (uint64_t s : f.seeds) fmt::print(" {}", s);
    fmt::print("; thresholds: validation loss <= x persistence's for x =");
    for (double t : f.thresholds) fmt::print(" {:g}", t);
    fmt::print("\n");
    flush_stdout();
  }
  ForecastStudyCallbacks cb;
  cb.on_start = [&](size_t run, size_t runs, const std::string& label, uint64_t seed) {
    if (f.quiet) return;
    fmt::print("run {}/{}: {} seed {} ...", run, runs, label, seed);
    flush_stdout();
  };
  cb.on_run = [&](const ForecastStudyRun& r, const ForecastVariantSummary&) {
    if (f.quiet) return;
    // three significant digits of small errors, as evaluate's table (metrics.hpp)
    const int d = error_decimals({r.test_rmse, r.persistence_test_rmse});
    fmt::print(
        " {} epochs, kept {}, test RMSE {:.{}f} vs persistence {:.{}f} ({:.3f}x), {:.1f} s\n",
        r.epochs_run(), r.history.best_epoch, r.test_rmse, d, r.persistence_test_rmse, d,
        r.test_ratio(), r.seconds);
    flush_stdout();
  };
  const ForecastStudyResult result = run_forecast_study(series, o, cb);
  const std::string table = forecast_study_table(result);
  fmt::print("\n{}", table);
  flush_stdout();

  const fs::path dir = out.path();  // the staging folder until commit()
  std::vector<fs::path> written;
  write_file_atomically(dir / "study.md", table);
  write_file_atomically(dir / "study.json", forecast_study_json(result));
  written.push_back("study.md");
  written.push_back("study.json");
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    const std::string val = "val_ratio." + plan.extension, loss = "loss." + plan.extension;
    forecast_study_charts(result, dir / val, dir / loss, image);
    files.push_back(val);
    files.push_back(loss);
  });
  out.commit();
  if (!f.quiet)
    for (const auto& w : written) fmt::print("wrote {}\n", (out.final_path() / w).string());
}

}  // namespace

void add_study_forecast_command(CLI::App& app) {
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "study-forecast",
      "Train norm none, batch and layer (x optimizers) side by side over seeds on a forecasting "
      "task, with train's data and model flags");
  last_flag_wins(cmd);
  add_data_flags(cmd, f->data, true);
  add_window_flags(cmd, f->windows);
  add_model_flags(cmd, f->model);
  cmd->add_option("--norms", f->norms, "Norms to compare")
      ->transform(CLI::CheckedTransformer(std::map<std::string, LstmNorm>{
          {"none", LstmNorm::none}, {"batch", LstmNorm::batch}, {"layer", LstmNorm::layer}}))
      ->delimiter(',')
      ->default_str("none,batch,layer");
  cmd->add_option("--optimizers", f->optimizers, "Optimizers to compare (a factor of the study)")
      ->check(CLI::IsMember({"sgd", "momentum", "adam", "adamw"}))
      ->delimiter(',')
      ->default_str("sgd");
  cmd->add_option("--lrs", f->lrs, "Learning rate, or one per optimizer")
      ->check(CLI::Range(1e-12, 100.0))
      ->delimiter(',')
      ->default_str("1e-3");
  cmd->add_option("--seeds", f->seeds, "Seeds, e.g. 1,2,3")->delimiter(',')->default_str("1,2,3");
  cmd->add_option("--thresholds", f->thresholds,
                  "Validation loss / persistence validation loss levels whose epochs-to-reach the "
                  "table reports")
      ->check(CLI::Range(1e-9, 1.0))
      ->delimiter(',')
      ->default_str("0.5,0.3");
  cmd->add_flag("--quiet", f->quiet, "Print only the table");
  add_output_flags(cmd, f->output, "out/study-forecast");
  cmd->callback([f, cmd] { run_study_forecast(cmd, *f); });
}

}  // namespace bnlstm::cli
