#include "model_flags.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "flag_checks.hpp"
#include "model_memory.hpp"

namespace bnlstm::cli {

namespace {

OptimizerFlag parse_optimizer_flag(std::string_view name) {
  if (name == "momentum") return OptimizerFlag::momentum;
  switch (parse_optimizer(name)) {  // throws for an unknown name
    case OptimizerKind::sgd:
      return OptimizerFlag::sgd;
    case OptimizerKind::adam:
      return OptimizerFlag::adam;
    case OptimizerKind::adamw:
      return OptimizerFlag::adamw;
    case OptimizerKind::rmsprop:  // the classifier's (bnlstm classify); not offered for forecasting
      break;
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

HeadInit parse_head_init(std::string_view name) {
  if (name == "zero") return HeadInit::zero;
  if (name == "drawn") return HeadInit::drawn;
  throw Error("unknown head init '" + std::string(name) + "'");
}

// Ranges of the counting flags: generous, but far from where an int would wrap.
constexpr int kMaxEpochs = 1'000'000;
constexpr Index kMaxHidden = 100'000;
constexpr Index kMaxBatch = 1'000'000;
constexpr int kMaxThreads = 1024;
constexpr Index kMaxSeason = 100'000;

TrainOptions train_options(const ModelFlags& f) {
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
  o.score_initial = !f.no_epoch_zero;
  return o;
}

// The --optimizer name of the run's optimizer (SGD with momentum is "momentum"): from the options,
// which --resume takes from the checkpoint.
std::string optimizer_label(const TrainOptions& o) {
  if (o.optimizer == OptimizerKind::sgd && o.optimizer_config.momentum > 0) return "momentum";
  return to_string(o.optimizer);
}

}  // namespace

std::string to_string(OptimizerFlag o) {
  return o == OptimizerFlag::momentum ? "momentum" : to_string(optimizer_kind(o));
}

void add_model_flags(CLI::App* cmd, ModelFlags& f) {
  const auto positive = [] { return number_where("a number > 0", [](double v) { return v > 0; }); };
  const auto non_negative = [](const char* expected) {
    return number_where(expected, [](double v) { return v >= 0; });
  };
  cmd->add_option("--hidden", f.hidden, "LSTM hidden size (notebook: 256)")
      ->type_name("N")
      ->transform(integer_in<Index>(1, kMaxHidden))
      ->capture_default_str();
  cmd->add_option<LstmNorm, int>("--norm", f.norm, "LSTM normalization: batch, layer or none")
      ->type_name("KIND")
      ->transform(choice(parse_lstm_norm, "batch, layer or none"))
      ->default_str("batch");
  cmd->add_option<InitScheme, int>(
         "--init", f.init,
         "Weight init: xavier (the notebook's), random, he, uniform, glorot_uniform, orthogonal, "
         "torch")
      ->type_name("KIND")
      ->transform(choice(parse_init_scheme,
                         "xavier, random, he, uniform, glorot_uniform, orthogonal or torch"))
      ->default_str("xavier");
  cmd->add_option<HeadInit, int>(
         "--head-init", f.head,
         "The head's weight: zero (a delta model starts as persistence) or drawn with --init (the "
         "notebook)")
      ->type_name("KIND")
      ->transform(choice(parse_head_init, "zero or drawn"))
      ->default_str("zero");
  cmd->add_flag("--no-epoch-zero", f.no_epoch_zero,
                "Do not score the starting weights as epoch 0 (the notebook): a run keeps its best "
                "epoch even when that is worse than where it started");
  cmd->add_option<OptimizerFlag, int>("--optimizer", f.optimizer,
                                      "sgd (notebook), momentum, adam or adamw")
      ->type_name("KIND")
      ->transform(choice(parse_optimizer_flag, "sgd, momentum, adam or adamw"))
      ->default_str("sgd");
  cmd->add_option("--lr", f.lr, "Learning rate (notebook: 1e-3)")
      ->type_name("X")
      ->transform(positive())
      ->default_str("1e-3");
  cmd->add_option("--momentum", f.momentum, "Momentum of --optimizer momentum")
      ->type_name("X")
      ->transform(number_where("a number in [0, 1)", [](double v) { return v >= 0 && v < 1; }))
      ->capture_default_str();
  cmd->add_option("--weight-decay", f.weight_decay, "Weight decay (default: 0; adamw 0.01)")
      ->type_name("X")
      ->transform(non_negative("a number >= 0"));
  cmd->add_option<LossKind, int>("--loss", f.loss, "mse, mae or huber")
      ->type_name("KIND")
      ->transform(choice(parse_loss, "mse, mae or huber"))
      ->default_str("mse");
  cmd->add_option("--huber-delta", f.huber_delta, "Huber loss threshold")
      ->type_name("X")
      ->transform(positive())
      ->capture_default_str();
  cmd->add_option("--epochs", f.epochs, "Maximum epochs (notebook: 100)")
      ->type_name("N")
      ->transform(integer_in<int>(1, kMaxEpochs))
      ->capture_default_str();
  cmd->add_option("--batch-size", f.batch_size, "Windows per optimizer step (notebook: 32)")
      ->type_name("N")
      ->transform(integer_in<Index>(1, kMaxBatch))
      ->capture_default_str();
  cmd->add_option("--patience", f.patience, "Epochs without improvement before stopping; 0 = never")
      ->type_name("N")
      ->transform(integer_in<int>(0, kMaxEpochs))
      ->capture_default_str();
  cmd->add_option("--delta", f.delta,
                  "Smallest validation-loss decrease that counts as improvement (notebook: 0.001)")
      ->type_name("X")
      ->transform(non_negative("a number >= 0"))
      ->capture_default_str();
  cmd->add_option("--clip", f.clip, "Gradient clip bound (value) or max norm (norm); 0 = off")
      ->type_name("X")
      ->transform(non_negative("a number >= 0 (0 = no clipping)"))
      ->capture_default_str();
  cmd->add_option<ClipMode, int>("--clip-mode", f.clip_mode,
                                 "value (each element, as the notebook) or norm (global L2)")
      ->type_name("KIND")
      ->transform(choice(parse_clip_mode, "value or norm"))
      ->default_str("value");
  cmd->add_flag("--no-restore", f.no_restore,
                "Keep the last epoch's weights instead of the best (as the notebook)");
  cmd->add_flag("--no-recalibrate", f.no_recalibrate,
                "norm=batch: keep the running averages of the mini-batch statistics instead of "
                "recomputing them from the training windows after each epoch");
  cmd->add_option("--seed", f.seed, "Seed of initialization and shuffling")
      ->type_name("N")
      ->transform(integer_in<uint64_t>(0))
      ->capture_default_str();
  cmd->add_option("--threads", f.threads,
                  "Threads for the matrix products and normalization kernels (docs/performance.md: "
                  "as many as cores on a quiet machine, 1 on a busy one)")
      ->type_name("N")
      ->transform(integer_in<int>(1, kMaxThreads))
      ->capture_default_str();
  cmd->add_option("--season", f.season,
                  "Season in rows (e.g. 12 monthly, 365 daily weather): report the seasonal-naive "
                  "forecast beside persistence and scale MASE by it; 0 = none")
      ->type_name("N")
      ->transform(integer_in<Index>(0, kMaxSeason))
      ->capture_default_str();
  cmd->add_flag("--validate-on-test", f.validate_on_test,
                "The notebook's protocol: no validation part; early stopping and the kept epoch "
                "use the test rows (every output then calls that loss the test loss)");
  cmd->add_flag("--notebook", f.notebook,
                "The notebook's settings: --validate-on-test --target level --scaler minmax "
                "--delta 0.001 --head-init drawn --no-epoch-zero (each unless given too)");
}

TrainRunOptions run_options(const CLI::App* cmd, ModelFlags& m, WindowFlags& w,
                            const ForecastColumns& columns) {
  const auto given = [&](const char* flag) { return cmd->count(flag) > 0; };
  if (m.notebook) {
    if (!given("--val-size")) m.validate_on_test = true;
    if (!given("--target")) w.target = Target::level;
    if (!given("--scaler")) w.scaler = ScalerKind::min_max;
    if (!given("--delta")) m.delta = 0.001;
    if (!given("--head-init")) m.head = HeadInit::drawn;
    m.no_epoch_zero = true;
  }
  if (m.validate_on_test && given("--val-size"))
    throw Error("--validate-on-test: the test part validates, so --val-size cannot be given too");
  TrainRunOptions o;
  o.data.split = checked_fractions(w.train_size, m.validate_on_test ? 0.0 : w.val_size);
  o.data.scaler = w.scaler;
  o.data.windows.lookback = w.look_back;
  o.data.windows.horizon = w.horizon;
  o.data.windows.target = w.target;
  o.data.windows.input = w.input;
  o.data.windows.input_columns = columns.inputs;
  o.data.windows.target_column = columns.target;
  o.validate_on_test = m.validate_on_test;
  o.network.hidden_size = m.hidden;
  o.network.norm = m.norm;
  o.network.init = m.init;
  o.zero_head = m.head == HeadInit::zero;
  o.training = train_options(m);
  o.seed = m.seed;
  o.threads = m.threads;
  o.season = m.season;
  // the network's sizes, only to refuse what cannot fit before reading any data
  NetworkConfig net = o.network;
  net.input_size =
      input_features(o.data.windows, static_cast<Index>(std::max<size_t>(1, columns.load.size())));
  net.horizon = o.data.windows.horizon;
  check_training_memory(net, o.data.windows.lookback, o.training);
  return o;
}

std::string training_json(const ModelFlags& /*flags*/, const TrainRunOptions& run,
                          const TrainingHistory& h, double persistence_loss, double seconds) {
  const TrainOptions& o = run.training;
  const std::string part = h.part == ValidationPart::test ? "test" : "val";
  nlohmann::ordered_json j;
  j["optimizer"] = optimizer_label(o);
  j["lr"] = o.optimizer_config.lr;
  if (optimizer_label(o) == "momentum") j["momentum"] = o.optimizer_config.momentum;
  j["loss"] = to_string(o.loss);
  j["batch_size"] = o.batch_size;
  j["epochs"] = o.epochs;
  j["epochs_run"] = h.epochs.empty() ? 0 : h.epochs.back().epoch;
  j["best_epoch"] = h.best_epoch;
  const EpochRecord* best = h.find(h.best_epoch);
  j["best_" + part + "_loss"] = best ? best->val_loss : 0.0;
  j["persistence_" + part + "_loss"] = persistence_loss;
  j["stopped_early"] = h.stopped_early;
  j["patience"] = o.patience;
  j["delta"] = o.delta;
  j["clip_mode"] = to_string(o.clip_mode);
  j["clip"] = o.clip;
  j["restore_best"] = o.restore_best;
  j["recalibrate_bn"] = o.recalibrate_bn;
  j["epoch_zero"] = o.score_initial;
  j["head_init"] = run.zero_head ? "zero" : to_string(run.network.init);
  j["validation"] =
      h.part == ValidationPart::test ? "test part (--validate-on-test)" : "validation part";
  j["season"] = run.season;
  j["seed"] = run.seed;
  j["threads"] = run.threads;
  j["seconds"] = seconds;
  return j.dump();
}

std::string describe_run(const ModelFlags& /*flags*/, const TrainRunOptions& run,
                         const std::string& target_name, Index parameters) {
  const auto& w = run.data.windows;
  const TrainOptions& o = run.training;
  std::string out = fmt::format(
      "model: LSTM(norm={}, hidden={}, init={}) + Linear({} -> {}, {}); {} parameters; target {} "
      "of '{}', {} inputs, look-back {}, horizon {}, scaler {}\n",
      to_string(run.network.norm), run.network.hidden_size, to_string(run.network.init),
      run.network.hidden_size, w.horizon,
      run.zero_head ? "weight 0" : "weight drawn with " + to_string(run.network.init), parameters,
      to_string(w.target), target_name, to_string(w.input), w.lookback, w.horizon,
      to_string(run.data.scaler));
  out += fmt::format(
      "training: {} lr {}, batch {}, up to {} epochs, patience {}, delta {}, clip {} {}, loss {}, "
      "{}seed {}, {} thread(s)\n",
      optimizer_label(o), o.optimizer_config.lr, o.batch_size, o.epochs, o.patience, o.delta,
      to_string(o.clip_mode), o.clip, to_string(o.loss),
      o.score_initial ? "epoch 0 = the starting weights, " : "", run.seed, run.threads);
  return out;
}

std::string epoch_line(const EpochRecord& e, int epochs, ValidationPart part) {
  return fmt::format("Epoch {}/{} - Loss: {:.5f}, {} Loss: {:.5f}{}\n", e.epoch, epochs,
                     e.train_loss, part == ValidationPart::test ? "Test" : "Val", e.val_loss,
                     e.epoch == 0 ? " (the starting weights)" : "");
}

}  // namespace bnlstm::cli
