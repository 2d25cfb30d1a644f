#include "bnlstm/train/resume_settings.hpp"

#include <fmt/core.h>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

// A setting the checkpoint fixes: its value as the front ends write it, e.g. "64", "minmax".
struct Setting {
  const char* name;
  bool is_flag;  // an on/off flag (--no-restore): "with" / "without" it
  std::function<std::string(const TrainRunOptions&)> value;
};

std::string number(double x) {
  return fmt::format("{}", x);
}

// SGD with a momentum buffer is the front ends' "momentum"
bool momentum_sgd(const TrainRunOptions& o) {
  return o.training.optimizer == OptimizerKind::sgd && o.training.optimizer_config.momentum > 0;
}

double weight_decay(const TrainRunOptions& o) {
  const double wd = o.training.optimizer_config.weight_decay;
  return wd >= 0 ? wd : o.training.optimizer == OptimizerKind::adamw ? 0.01 : 0.0;
}

const std::vector<Setting>& settings() {
  using O = const TrainRunOptions&;
  static const std::vector<Setting> all = {
      {"train_size", false, [](O o) { return number(o.data.split.train); }},
      {"val_size", false, [](O o) { return number(o.data.split.validation); }},
      {"validate_on_test", true, [](O o) { return std::string(o.validate_on_test ? "1" : ""); }},
      {"scaler", false,
       [](O o) { return std::string(o.data.scaler == ScalerKind::min_max ? "minmax" : "zscore"); }},
      {"look_back", false, [](O o) { return std::to_string(o.data.windows.lookback); }},
      {"horizon", false, [](O o) { return std::to_string(o.data.windows.horizon); }},
      {"target", false, [](O o) { return std::string(to_string(o.data.windows.target)); }},
      {"input", false, [](O o) { return std::string(to_string(o.data.windows.input)); }},
      {"hidden", false, [](O o) { return std::to_string(o.network.hidden_size); }},
      {"norm", false, [](O o) { return to_string(o.network.norm); }},
      {"init", false, [](O o) { return to_string(o.network.init); }},
      {"head_init", false, [](O o) { return std::string(o.zero_head ? "zero" : "drawn"); }},
      {"no_epoch_zero", true, [](O o) { return std::string(o.training.score_initial ? "" : "1"); }},
      {"optimizer", false,
       [](O o) {
         return momentum_sgd(o) ? std::string("momentum") : to_string(o.training.optimizer);
       }},
      {"lr", false, [](O o) { return number(o.training.optimizer_config.lr); }},
      {"momentum", false, [](O o) { return number(o.training.optimizer_config.momentum); }},
      {"weight_decay", false, [](O o) { return number(weight_decay(o)); }},
      {"loss", false, [](O o) { return to_string(o.training.loss); }},
      {"huber_delta", false, [](O o) { return number(o.training.huber_delta); }},
      {"batch_size", false, [](O o) { return std::to_string(o.training.batch_size); }},
      {"delta", false, [](O o) { return number(o.training.delta); }},
      {"clip", false,
       [](O o) { return number(o.training.clip_mode == ClipMode::none ? 0.0 : o.training.clip); }},
      {"clip_mode", false, [](O o) { return to_string(o.training.clip_mode); }},
      {"no_restore", true, [](O o) { return std::string(o.training.restore_best ? "" : "1"); }},
      {"no_recalibrate", true,
       [](O o) { return std::string(o.training.recalibrate_bn ? "" : "1"); }},
      {"seed", false, [](O o) { return std::to_string(o.seed); }},
  };
  return all;
}

// The input and target column names of a request or a model; a request without columns reads
// the loader's default, close
std::vector<std::string> input_list(const ForecastColumns& c) {
  if (c.load.empty()) return {"close"};
  std::vector<std::string> out;
  for (Index i : c.inputs) out.push_back(c.load[static_cast<size_t>(i)]);
  return out;
}
std::string target_name(const ForecastColumns& c) {
  return c.load.empty() ? "close" : c.load[static_cast<size_t>(c.target)];
}
std::string input_names(const ForecastColumns& c) {
  std::string out;
  for (const std::string& n : input_list(c)) out += (out.empty() ? "" : ",") + n;
  return out;
}

// the same columns by find_column's rules (case, spaces and quotes aside)
bool same_inputs(const ForecastColumns& a, const ForecastColumns& b) {
  const std::vector<std::string> x = input_list(a), y = input_list(b);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!find_column({x[i]}, y[i])) return false;
  return true;
}

}  // namespace

ForecastColumns checkpoint_columns(const Forecaster& f) {
  const ForecasterConfig& c = f.config();
  return ForecastColumns{c.columns, c.windows.input_columns, c.windows.target_column};
}

void resume_settings(TrainRunOptions& options, ForecastColumns& columns,
                     const TrainingCheckpoint& ck, const SettingGiven& given,
                     const SettingName& name) {
  const TrainRunOptions& saved = ck.state.options;
  const std::string why = fmt::format(
      "{} continues that run with its settings (only {}, {}, {} and {} may change; a "
      "new run from its weights: {})",
      name("resume"), name("epochs"), name("patience"), name("threads"), name("season"),
      name("init_from"));
  const auto conflict = [&](const std::string& setting, const std::string& was,
                            const std::string& got) {
    return Error(fmt::format("{}: {} was trained with {}, got {}; {}", name(setting), ck.source,
                             was, got, why));
  };
  for (const Setting& s : settings()) {
    if (!given(s.name)) continue;
    // --momentum means nothing without --optimizer momentum (as in a new run)
    if (std::string_view(s.name) == "momentum" && !momentum_sgd(options)) continue;
    const std::string was = s.value(saved), got = s.value(options);
    if (was == got) continue;
    if (s.is_flag)
      throw Error(fmt::format("{}: {} was trained {} it; {}", name(s.name), ck.source,
                              was.empty() ? "without" : "with", why));
    throw conflict(s.name, was, got);
  }
  const ForecastColumns trained = checkpoint_columns(ck.forecaster);
  if (given("value_col") && !same_inputs(columns, trained))
    throw conflict("value_col", input_names(trained), input_names(columns));
  if ((given("value_col") || given("target_col")) &&
      !find_column({target_name(columns)}, target_name(trained)))
    throw conflict(given("target_col") ? "target_col" : "value_col",
                   "target " + target_name(trained), "target " + target_name(columns));

  // the four that may change: the request's when given, else the checkpoint's
  TrainRunOptions out = saved;
  if (given("epochs")) out.training.epochs = options.training.epochs;
  if (given("patience")) out.training.patience = options.training.patience;
  if (given("threads")) out.threads = options.threads;
  if (given("season")) out.season = options.season;
  out.workers = options.workers;
  out.resume = options.resume;
  out.init_from = options.init_from;
  options = out;
  columns = trained;
}

void init_settings(TrainRunOptions& options, ForecastColumns& columns, const Forecaster& model,
                   const std::string& path, const SettingGiven& given, const SettingName& name) {
  const ForecasterConfig& c = model.config();
  const auto refuse = [&](const char* setting, const std::string& why) {
    return Error(fmt::format("{}: {}", name(setting), why));
  };
  const std::string from = fmt::format("the network comes from {} {}", name("init_from"), path);
  if (given("hidden") && options.network.hidden_size != c.network.hidden_size)
    throw refuse("hidden", fmt::format("{}, whose hidden size is {}, got {}", from,
                                       c.network.hidden_size, options.network.hidden_size));
  if (given("norm") && options.network.norm != c.network.norm)
    throw refuse("norm", fmt::format("{}, whose norm is {}, got {}", from,
                                     to_string(c.network.norm), to_string(options.network.norm)));
  if (given("init") && options.network.init != c.network.init)
    throw refuse("init", fmt::format("{}: its weights are not drawn (it was drawn with {})", from,
                                     to_string(c.network.init)));
  if (given("head_init"))
    throw refuse("head_init", from + ": the head's weights are its own, not drawn or zeroed");
  if (given("horizon") && options.data.windows.horizon != c.windows.horizon)
    throw refuse("horizon", fmt::format("{}, whose head forecasts {} step(s), got {}", from,
                                        c.windows.horizon, options.data.windows.horizon));
  options.network.hidden_size = c.network.hidden_size;
  options.network.norm = c.network.norm;
  options.network.init = c.network.init;
  options.zero_head = false;
  WindowSpec& w = options.data.windows;
  w.horizon = c.windows.horizon;
  if (!given("look_back")) w.lookback = c.windows.lookback;
  if (!given("target")) w.target = c.windows.target;
  if (!given("input")) w.input = c.windows.input;
  if (!given("scaler")) options.data.scaler = model.scaler().kind();
  if (!given("value_col") && !given("target_col")) columns = checkpoint_columns(model);
  w.input_columns = columns.inputs;
  w.target_column = columns.target;

  // the input features the new layout makes must be the network's input size
  const Index C = static_cast<Index>(std::max<size_t>(1, columns.load.size()));
  const Index features = input_features(w, C);
  if (features != c.network.input_size)
    throw refuse(given("input") ? "input" : "value_col",
                 fmt::format("{}, which takes {} input feature(s) ({} of {}), got {} ({} of {})",
                             from, c.network.input_size, to_string(c.windows.input),
                             input_names(checkpoint_columns(model)), features, to_string(w.input),
                             input_names(columns)));
}

}  // namespace bnlstm
