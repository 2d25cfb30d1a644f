// bnlstm train: fit a (batch-normalized) LSTM forecaster on a price series, with the notebook's
// knobs, then judge it on the test part beside the persistence forecast. Writes into --out:
//   model.safetensors  checkpoint (network, scaler, columns, data range; checkpoint.hpp)
//   history.csv/json   training and validation loss per epoch
//   metrics.json       test errors of the model and of persistence, and the training settings
//   test_forecasts.csv date, step, actual, predicted, persistence
//   prices.png, loss.png, test_forecasts.png   (--format; skipped with a warning without gnuplot)
// The files are written into a staging folder and swapped in as one unit at the end
// (bnlstm/io/output_folder.hpp): a reader sees the previous run or this one, never a mixture; a
// second run into the same --out fails at once; an unusable --out fails before training.
#include <fmt/core.h>
#include <omp.h>
#include <unistd.h>

#include <Eigen/Core>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/data/dataset.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "bnlstm/train/charts.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/evaluation.hpp"
#include "bnlstm/train/trainer.hpp"
#include "commands.hpp"
#include "data_options.hpp"
#include "model_memory.hpp"
#include "workflow_output.hpp"

namespace bnlstm::cli {

namespace {

namespace fs = std::filesystem;

// --optimizer: the library's kinds plus "momentum", which is SGD with a momentum buffer
enum class OptimizerFlag { sgd, momentum, adam, adamw };

OptimizerFlag parse_optimizer_flag(std::string_view name) {
  if (name == "momentum") return OptimizerFlag::momentum;
  switch (parse_optimizer(name)) {  // throws for an unknown name
    case OptimizerKind::sgd:
      return OptimizerFlag::sgd;
    case OptimizerKind::adam:
      return OptimizerFlag::adam;
    case OptimizerKind::adamw:
      return OptimizerFlag::adamw;
  }
  throw Error("unknown optimizer '" + std::string(name) + "'");
}

OptimizerKind optimizer_kind(OptimizerFlag o) {
  switch (o) {
    case OptimizerFlag::adam:
      return OptimizerKind::adam;
    case OptimizerFlag::adamw:
      return OptimizerKind::adamw;
    default:
      return OptimizerKind::sgd;
  }
}

std::string to_string(OptimizerFlag o) {
  return o == OptimizerFlag::momentum ? "momentum" : to_string(optimizer_kind(o));
}

// What train writes into --out (replaced as a unit; anything else in the folder is kept).
const std::vector<std::string> kTrainOutputs = {
    "model.safetensors",  "history.csv", "history.json", "metrics.json",
    "test_forecasts.csv", "prices.*",    "loss.*",       "test_forecasts.*"};

// Ranges of the counting flags: generous, but far from where an int would wrap.
constexpr int kMaxEpochs = 1'000'000;
constexpr Index kMaxHidden = 100'000;
constexpr Index kMaxBatch = 1'000'000;
constexpr int kMaxThreads = 1024;

struct TrainFlags {
  DataFlags data;
  WindowFlags windows;
  Index hidden = 256;
  LstmNorm norm = LstmNorm::batch;
  InitScheme init = InitScheme::xavier;
  OptimizerFlag optimizer = OptimizerFlag::sgd;
  double lr = 1e-3, momentum = 0.9;
  double weight_decay = -1;  // -1 (not given): 0, adamw 0.01
  LossKind loss = LossKind::mse;
  double huber_delta = 1.0;
  // delta: the notebook has 0.001, useless at loss ~5e-4 (measured, docs/workflow.md)
  int epochs = 100;
  Index batch_size = 32;
  int patience = 10;
  double delta = 0;
  double clip = 1.0;
  ClipMode clip_mode = ClipMode::value;
  uint64_t seed = 42;
  int threads = 1;
  bool no_restore = false;
  bool no_recalibrate = false;
  OutputFlags output;
  int log_every = 10;
  bool quiet = false;
};

// The model's columns: inputs first, the target appended when it is not an input.
struct Columns {
  std::vector<std::string> load;  // value columns to read (empty: the loader's default target)
  std::vector<Index> inputs;
  Index target = 0;
};

Columns resolve_columns(const DataFlags& f) {
  Columns c;
  const std::string target = !f.target_col.empty()  ? f.target_col
                             : f.value_cols.empty() ? ""
                                                    : f.value_cols[0];
  if (target.empty()) return Columns{{}, {0}, 0};
  c.load = f.value_cols.empty() ? std::vector<std::string>{target} : f.value_cols;
  for (Index i = 0; i < static_cast<Index>(c.load.size()); ++i) c.inputs.push_back(i);
  const auto same = find_column(c.load, target);
  if (same) {
    c.target = *same;
  } else {
    c.load.push_back(target);
    c.target = static_cast<Index>(c.load.size()) - 1;
  }
  return c;
}

TrainOptions train_options(const TrainFlags& f) {
  TrainOptions o;
  o.epochs = f.epochs;
  o.batch_size = f.batch_size;
  o.patience = f.patience;
  o.delta = f.delta;
  o.clip_mode = f.clip == 0 ? ClipMode::none : f.clip_mode;  // --clip 0 turns clipping off
  o.clip = f.clip;
  o.loss = f.loss;
  o.huber_delta = f.huber_delta;
  o.optimizer = optimizer_kind(f.optimizer);
  o.optimizer_config.lr = f.lr;
  o.optimizer_config.momentum = f.optimizer == OptimizerFlag::momentum ? f.momentum : 0.0;
  if (f.weight_decay >= 0) o.optimizer_config.weight_decay = f.weight_decay;
  o.restore_best = !f.no_restore;
  o.recalibrate_bn = !f.no_recalibrate;
  return o;
}

std::string training_json(const TrainFlags& f, const TrainOptions& o, const TrainingHistory& h,
                          bool val_is_test, double seconds) {
  nlohmann::ordered_json j;
  j["optimizer"] = to_string(f.optimizer);
  j["lr"] = o.optimizer_config.lr;
  if (f.optimizer == OptimizerFlag::momentum) j["momentum"] = o.optimizer_config.momentum;
  j["loss"] = to_string(o.loss);
  j["batch_size"] = o.batch_size;
  j["epochs"] = o.epochs;
  j["epochs_run"] = h.epochs.size();
  j["best_epoch"] = h.best_epoch;
  j["best_val_loss"] =
      h.best_epoch > 0 ? h.epochs[static_cast<size_t>(h.best_epoch - 1)].val_loss : 0.0;
  j["stopped_early"] = h.stopped_early;
  j["patience"] = o.patience;
  j["delta"] = o.delta;
  j["clip_mode"] = to_string(o.clip_mode);
  j["clip"] = o.clip;
  j["restore_best"] = o.restore_best;
  j["recalibrate_bn"] = o.recalibrate_bn;
  j["validation"] = val_is_test ? "test part (no --val-size)" : "validation part";
  j["seed"] = f.seed;
  j["threads"] = f.threads;
  j["seconds"] = seconds;
  return j.dump();
}

void run_train(const TrainFlags& f) {
  // settings first: a bad flag fails before any work
  const Columns columns = resolve_columns(f.data);
  const SplitFractions fractions = checked_fractions(f.windows.train_size, f.windows.val_size);
  DatasetOptions dopt;
  dopt.split = fractions;
  dopt.scaler = f.windows.scaler;
  dopt.windows.lookback = f.windows.look_back;
  dopt.windows.horizon = f.windows.horizon;
  dopt.windows.target = f.windows.target;
  dopt.windows.input = f.windows.input;
  dopt.windows.input_columns = columns.inputs;
  dopt.windows.target_column = columns.target;
  NetworkConfig net;
  net.hidden_size = f.hidden;
  net.norm = f.norm;
  net.init = f.init;
  const TrainOptions topt = train_options(f);
  const uint64_t seed = f.seed;
  const int threads = f.threads;
  const int log_every = f.log_every;
  net.input_size =
      input_features(dopt.windows, static_cast<Index>(std::max<size_t>(1, columns.load.size())));
  net.horizon = dopt.windows.horizon;
  check_training_memory(net, dopt.windows.lookback, topt);
  const OutputPlan plan = plan_output(f.output);
  // the folder is locked and staged now: a busy or unusable --out fails before any work
  OutputFolder out = OutputFolder::begin(f.output.out, "--out", kTrainOutputs);
  Eigen::setNbThreads(threads);
  omp_set_num_threads(threads);

  // data
  LoadReport report;
  Series series = load_series(f.data, columns.load, &report);
  check_validation_rows(fractions, series.rows());
  Dataset d = make_dataset(std::move(series), dopt);
  const bool val_is_test = d.split.validation_windows.empty();
  const Range validation = val_is_test ? d.split.test_windows : d.split.validation_windows;

  ForecasterConfig config;
  config.columns = d.series.columns;
  config.windows = d.windows.spec();
  config.network = net;
  Rng rng = make_rng(seed);
  Forecaster forecaster(config, d.scaler, rng);
  Index n_params = 0;
  for (auto* p : forecaster.network().parameters()) n_params += p->value.size();

  const std::string target_name = d.series.columns[static_cast<size_t>(columns.target)];
  if (!f.quiet) {
    fmt::print("data: {}\n", report.summary());
    fmt::print("{}", describe_split(d.split, d.series.dates));
    if (val_is_test)
      fmt::print(
          "validation: the test part (no --val-size, as the notebook): early stopping and the kept "
          "epoch "
          "see the test rows\n");
    fmt::print(
        "model: LSTM(norm={}, hidden={}, init={}) + Linear({} -> {}); {} parameters; target {} of "
        "'{}', "
        "{} inputs, look-back {}, horizon {}, scaler {}\n",
        to_string(net.norm), net.hidden_size, to_string(net.init), net.hidden_size,
        dopt.windows.horizon, n_params, to_string(dopt.windows.target), target_name,
        to_string(dopt.windows.input), dopt.windows.lookback, dopt.windows.horizon,
        to_string(dopt.scaler));
    fmt::print(
        "training: {} lr {}, batch {}, up to {} epochs, patience {}, delta {}, clip {} {}, loss "
        "{}, seed {}, "
        "{} thread(s)\n",
        to_string(f.optimizer), topt.optimizer_config.lr, topt.batch_size, topt.epochs,
        topt.patience, topt.delta, to_string(topt.clip_mode), topt.clip, to_string(topt.loss), seed,
        threads);
    flush_stdout();  // a full device fails now, with its reason
  }

  // train
  ProgressBar bar(!f.quiet && isatty(STDERR_FILENO));
  TrainCallbacks cb;
  cb.on_batch = [&](int epoch, Index batch, Index batches) {
    bar.update(epoch, topt.epochs, batch, batches);
  };
  cb.on_epoch = [&](const EpochRecord& e, const EarlyStopping&) {
    bar.clear();
    // the notebook prints epochs 1, 11, 21, ...
    if (!f.quiet && log_every > 0 && (e.epoch - 1) % log_every == 0) {
      fmt::print("Epoch {}/{} - Loss: {:.5f}, Val Loss: {:.5f}\n", e.epoch, topt.epochs,
                 e.train_loss, e.val_loss);
      flush_stdout();  // a full device fails now, with its reason
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  Trainer<float> trainer(forecaster.network(), d.windows, topt);
  const TrainingHistory history = trainer.fit(d.split.train_windows, validation, rng, cb);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.clear();

  const EpochRecord& last = history.epochs.back();
  if (!f.quiet) {
    // the last epoch's line (if not printed yet), then the notebook's "Early stopping"
    if (log_every > 0 && (last.epoch - 1) % log_every != 0)
      fmt::print("Epoch {}/{} - Loss: {:.5f}, Val Loss: {:.5f}\n", last.epoch, topt.epochs,
                 last.train_loss, last.val_loss);
    if (history.stopped_early) fmt::print("Early stopping\n");
    if (topt.restore_best)
      fmt::print("{} epochs in {:.1f} s; restored the weights of epoch {} (val loss {:.5f})\n",
                 history.epochs.size(), seconds, history.best_epoch,
                 history.epochs[static_cast<size_t>(history.best_epoch - 1)].val_loss);
    else
      fmt::print("{} epochs in {:.1f} s; kept the last weights (--no-restore)\n",
                 history.epochs.size(), seconds);
  }

  // judge on the test part, beside persistence
  const RangeForecast test = evaluate_range(forecaster, d.windows, d.split.test_windows, "test");
  fmt::print("\n{}", format_comparison(test.comparison));
  flush_stdout();  // a full device fails now, with its reason

  // write everything
  DataProvenance& p = forecaster.data();
  p.source = f.data.data;
  p.source_absolute = f.data.data.empty() ? "" : fs::absolute(f.data.data).string();
  p.date_column = f.data.date_col;
  p.start = parse_date_flag("--start", f.data.start);  // checked while parsing
  p.end = parse_date_flag("--end", f.data.end);
  p.first = d.series.dates.front();
  p.last = d.series.dates.back();
  p.rows = d.series.rows();
  p.fractions = fractions;
  p.split = d.split;
  forecaster.training_json() = training_json(f, topt, history, val_is_test, seconds);

  const fs::path dir = out.path();  // the staging folder until commit()
  std::vector<fs::path> written;
  save_checkpoint(dir / "model.safetensors", forecaster);
  written.push_back("model.safetensors");
  history.save(dir / "history.csv", dir / "history.json");
  written.push_back("history.csv");
  written.push_back("history.json");
  const std::string metrics = "{\n\"test\": " + comparison_json(test.comparison) +
                              ",\n\"training\": " + forecaster.training_json() + "\n}\n";
  write_file_atomically(dir / "metrics.json",
                        nlohmann::ordered_json::parse(metrics).dump(2) + "\n");
  written.push_back("metrics.json");
  write_file_atomically(dir / "test_forecasts.csv", forecasts_csv(test, d.windows));
  written.push_back("test_forecasts.csv");

  // pictures
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    const std::string prices = "prices." + plan.extension;
    plot_price_series(dir / prices, d.series, columns.target, d.split, image);
    files.push_back(prices);
    const std::string loss = "loss." + plan.extension;
    plot_loss_history(dir / loss, history, f.output.log_scale, image);
    files.push_back(loss);
    const std::string fc = "test_forecasts." + plan.extension;
    plot_forecasts(dir / fc, test, d.windows, target_name, image);
    files.push_back(fc);
  });
  out.commit();
  if (!f.quiet)
    for (const auto& w : written) fmt::print("wrote {}\n", (out.final_path() / w).string());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand(
      "train", "Train an LSTM forecaster on a price series and compare it with persistence");
  last_flag_wins(cmd);
  add_data_flags(cmd, f->data, true);
  add_window_flags(cmd, f->windows);
  const auto positive = [] { return number_where("a number > 0", [](double v) { return v > 0; }); };
  const auto non_negative = [](const char* expected) {
    return number_where(expected, [](double v) { return v >= 0; });
  };
  cmd->add_option("--hidden", f->hidden, "LSTM hidden size (notebook: 256)")
      ->type_name("N")
      ->transform(integer_in<Index>(1, kMaxHidden))
      ->capture_default_str();
  cmd->add_option<LstmNorm, int>("--norm", f->norm, "LSTM normalization: batch, layer or none")
      ->type_name("KIND")
      ->transform(choice(parse_lstm_norm, "batch, layer or none"))
      ->default_str("batch");
  cmd->add_option<InitScheme, int>(
         "--init", f->init, "Weight init: xavier, random, he, uniform, glorot_uniform, orthogonal")
      ->type_name("KIND")
      ->transform(
          choice(parse_init_scheme, "xavier, random, he, uniform, glorot_uniform or orthogonal"))
      ->default_str("xavier");
  cmd->add_option<OptimizerFlag, int>("--optimizer", f->optimizer,
                                      "sgd (notebook), momentum, adam or adamw")
      ->type_name("KIND")
      ->transform(choice(parse_optimizer_flag, "sgd, momentum, adam or adamw"))
      ->default_str("sgd");
  cmd->add_option("--lr", f->lr, "Learning rate (notebook: 1e-3)")
      ->type_name("X")
      ->transform(positive())
      ->default_str("1e-3");
  cmd->add_option("--momentum", f->momentum, "Momentum of --optimizer momentum")
      ->type_name("X")
      ->transform(number_where("a number in [0, 1)", [](double v) { return v >= 0 && v < 1; }))
      ->capture_default_str();
  cmd->add_option("--weight-decay", f->weight_decay, "Weight decay (default: 0; adamw 0.01)")
      ->type_name("X")
      ->transform(non_negative("a number >= 0"));
  cmd->add_option<LossKind, int>("--loss", f->loss, "mse, mae or huber")
      ->type_name("KIND")
      ->transform(choice(parse_loss, "mse, mae or huber"))
      ->default_str("mse");
  cmd->add_option("--huber-delta", f->huber_delta, "Huber loss threshold")
      ->type_name("X")
      ->transform(positive())
      ->capture_default_str();
  cmd->add_option("--epochs", f->epochs, "Maximum epochs (notebook: 100)")
      ->type_name("N")
      ->transform(integer_in<int>(1, kMaxEpochs))
      ->capture_default_str();
  cmd->add_option("--batch-size", f->batch_size, "Windows per optimizer step (notebook: 32)")
      ->type_name("N")
      ->transform(integer_in<Index>(1, kMaxBatch))
      ->capture_default_str();
  cmd->add_option("--patience", f->patience,
                  "Epochs without improvement before stopping; 0 = never")
      ->type_name("N")
      ->transform(integer_in<int>(0, kMaxEpochs))
      ->capture_default_str();
  cmd->add_option("--delta", f->delta,
                  "Smallest validation-loss decrease that counts as improvement (notebook: 0.001)")
      ->type_name("X")
      ->transform(non_negative("a number >= 0"))
      ->capture_default_str();
  cmd->add_option("--clip", f->clip, "Gradient clip bound (value) or max norm (norm); 0 = off")
      ->type_name("X")
      ->transform(non_negative("a number >= 0 (0 = no clipping)"))
      ->capture_default_str();
  cmd->add_option<ClipMode, int>("--clip-mode", f->clip_mode,
                                 "value (each element, as the notebook) or norm (global L2)")
      ->type_name("KIND")
      ->transform(choice(parse_clip_mode, "value or norm"))
      ->default_str("value");
  cmd->add_flag("--no-restore", f->no_restore,
                "Keep the last epoch's weights instead of the best (as the notebook)");
  cmd->add_flag("--no-recalibrate", f->no_recalibrate,
                "norm=batch: keep the running averages of the mini-batch statistics instead of "
                "recomputing them "
                "from the training windows after each epoch");
  cmd->add_option("--seed", f->seed, "Seed of initialization and shuffling")
      ->type_name("N")
      ->transform(integer_in<uint64_t>(0))
      ->capture_default_str();
  cmd->add_option("--threads", f->threads,
                  "Threads for the matrix products and normalization kernels (docs/performance.md: "
                  "as many as cores on a quiet machine, 1 on a busy one)")
      ->type_name("N")
      ->transform(integer_in<int>(1, kMaxThreads))
      ->capture_default_str();
  cmd->add_option("--log-every", f->log_every, "Print the losses every N epochs; 0 = never")
      ->type_name("N")
      ->transform(integer_in<int>(0, kMaxEpochs))
      ->capture_default_str();
  cmd->add_flag("--quiet", f->quiet, "Print only the final table");
  add_output_flags(cmd, f->output, "out");
  cmd->callback([f] { run_train(*f); });
}

}  // namespace bnlstm::cli
