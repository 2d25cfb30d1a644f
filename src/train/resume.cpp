#include "bnlstm/train/resume.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/checkpoint.hpp"

namespace bnlstm {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kOptions = "train.options";
constexpr const char* kState = "train.state";
constexpr const char* kWeights = "train.weights.";
constexpr const char* kBest = "train.best.";
constexpr const char* kOptimizer = "train.optimizer.";
constexpr const char* kOrder = "train.order";
constexpr const char* kHistoryEpoch = "train.history.epoch";
constexpr const char* kHistoryTrain = "train.history.train_loss";
constexpr const char* kHistoryVal = "train.history.val_loss";

// The ranges of the command line's flags (apps/bnlstm/model_flags.cpp): a checkpoint claiming
// more is not one a run wrote.
constexpr int kMaxCount = 1'000'000;
constexpr Index kMaxSize = 100'000;

// e's message without a leading "<source>: " (the caller adds its own)
std::string without_source(const Error& e, const std::string& source) {
  const std::string msg = e.what(), prefix = source + ": ";
  return msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
}

// ---- options as JSON ------------------------------------------------------------------------

Json options_json(const TrainRunOptions& o) {
  const WindowSpec& w = o.data.windows;
  const TrainOptions& t = o.training;
  const OptimizerConfig& c = t.optimizer_config;
  Json j;
  j["train_size"] = o.data.split.train;
  j["val_size"] = o.data.split.validation;
  j["scaler"] = std::string(to_string(o.data.scaler));
  j["look_back"] = w.lookback;
  j["horizon"] = w.horizon;
  j["target"] = std::string(to_string(w.target));
  j["input"] = std::string(to_string(w.input));
  j["input_columns"] = w.input_columns;
  j["target_column"] = w.target_column;
  j["validate_on_test"] = o.validate_on_test;
  j["hidden"] = o.network.hidden_size;
  j["norm"] = to_string(o.network.norm);
  j["init"] = to_string(o.network.init);
  j["zero_head"] = o.zero_head;
  j["epochs"] = t.epochs;
  j["batch_size"] = t.batch_size;
  j["patience"] = t.patience;
  j["delta"] = t.delta;
  j["clip_mode"] = to_string(t.clip_mode);
  j["clip"] = t.clip;
  j["loss"] = to_string(t.loss);
  j["huber_delta"] = t.huber_delta;
  j["optimizer"] = to_string(t.optimizer);
  j["lr"] = c.lr;
  j["momentum"] = c.momentum;
  j["nesterov"] = c.nesterov;
  j["beta1"] = c.beta1;
  j["beta2"] = c.beta2;
  j["eps"] = c.eps;
  j["alpha"] = c.alpha;
  j["centered"] = c.centered;
  j["weight_decay"] = c.weight_decay;
  j["shuffle"] = t.shuffle;
  j["restore_best"] = t.restore_best;
  j["recalibrate_bn"] = t.recalibrate_bn;
  j["score_initial"] = t.score_initial;
  j["seed"] = o.seed;
  j["threads"] = o.threads;
  j["season"] = o.season;
  return j;
}

// Field readers: a missing key, another type or a value out of range throws "<key>: ...".
// (JSON parsers read whole numbers >= 0 as unsigned.)
template <typename Int>
Int whole(const Json& j, const char* key, Int min, Int max) {
  const Json& v = j.at(key);
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u >= static_cast<uint64_t>(min) && u <= static_cast<uint64_t>(max))
      return static_cast<Int>(u);
  }
  throw Error(
      fmt::format("{}: expected a whole number in [{}, {}], got {}", key, min, max, v.dump()));
}

double number(const Json& j, const char* key, const char* expected, bool (*ok)(double)) {
  const Json& v = j.at(key);
  if (v.is_number()) {
    const double x = v.get<double>();
    if (std::isfinite(x) && ok(x)) return x;
  }
  throw Error(fmt::format("{}: expected {}, got {}", key, expected, v.dump()));
}

bool flag(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (!v.is_boolean())
    throw Error(fmt::format("{}: expected true or false, got {}", key, v.dump()));
  return v.get<bool>();
}

std::string text(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (!v.is_string()) throw Error(fmt::format("{}: expected a string, got {}", key, v.dump()));
  return v.get<std::string>();
}

TrainRunOptions json_options(const Json& j, Index columns) {
  if (!j.is_object()) throw Error("not a JSON object");
  TrainRunOptions o;
  o.data.split.train =
      number(j, "train_size", "a fraction in (0, 1)", [](double x) { return x > 0 && x < 1; });
  o.data.split.validation =
      number(j, "val_size", "a fraction in [0, 1)", [](double x) { return x >= 0 && x < 1; });
  if (!(o.data.split.train + o.data.split.validation < 1))
    throw Error("train_size and val_size leave no test part");
  o.data.scaler = parse_scaler_kind(text(j, "scaler"));
  WindowSpec& w = o.data.windows;
  w.lookback = whole<Index>(j, "look_back", 1, kMaxSize);
  w.horizon = whole<Index>(j, "horizon", 1, kMaxSize);
  w.target = parse_target(text(j, "target"));
  w.input = parse_input_kind(text(j, "input"));
  const Json& inputs = j.at("input_columns");
  if (!inputs.is_array() || inputs.size() > static_cast<size_t>(columns))
    throw Error("input_columns: expected a list of at most " + std::to_string(columns) +
                " column indices");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Json one = Json::object({{"input_columns", inputs[i]}});
    w.input_columns.push_back(whole<Index>(one, "input_columns", 0, columns - 1));
  }
  w.target_column = whole<Index>(j, "target_column", 0, columns - 1);
  o.validate_on_test = flag(j, "validate_on_test");
  o.network.hidden_size = whole<Index>(j, "hidden", 1, kMaxSize);
  o.network.norm = parse_lstm_norm(text(j, "norm"));
  o.network.init = parse_init_scheme(text(j, "init"));
  o.zero_head = flag(j, "zero_head");
  TrainOptions& t = o.training;
  t.epochs = whole<int>(j, "epochs", 1, kMaxCount);
  t.batch_size = whole<Index>(j, "batch_size", 1, kMaxCount);
  t.patience = whole<int>(j, "patience", 0, kMaxCount);
  t.delta = number(j, "delta", "a number >= 0", [](double x) { return x >= 0; });
  t.clip_mode = parse_clip_mode(text(j, "clip_mode"));
  t.clip = number(j, "clip", "a number >= 0", [](double x) { return x >= 0; });
  t.loss = parse_loss(text(j, "loss"));
  t.huber_delta = number(j, "huber_delta", "a number > 0", [](double x) { return x > 0; });
  t.optimizer = parse_optimizer(text(j, "optimizer"));
  OptimizerConfig& c = t.optimizer_config;
  c.lr = number(j, "lr", "a number > 0", [](double x) { return x > 0; });
  c.momentum =
      number(j, "momentum", "a number in [0, 1)", [](double x) { return x >= 0 && x < 1; });
  c.nesterov = flag(j, "nesterov");
  const auto unit = [](double x) { return x >= 0 && x < 1; };
  c.beta1 = number(j, "beta1", "a number in [0, 1)", unit);
  c.beta2 = number(j, "beta2", "a number in [0, 1)", unit);
  c.eps = number(j, "eps", "a number >= 0", [](double x) { return x >= 0; });
  c.alpha = number(j, "alpha", "a number in [0, 1)", unit);
  c.centered = flag(j, "centered");
  c.weight_decay = number(j, "weight_decay", "-1 (the default) or a number >= 0",
                          [](double x) { return x == -1 || x >= 0; });
  t.shuffle = flag(j, "shuffle");
  t.restore_best = flag(j, "restore_best");
  t.recalibrate_bn = flag(j, "recalibrate_bn");
  t.score_initial = flag(j, "score_initial");
  o.seed = whole<uint64_t>(j, "seed", 0, std::numeric_limits<uint64_t>::max());
  o.threads = whole<int>(j, "threads", 0, 1024);
  o.season = whole<Index>(j, "season", 0, kMaxSize);
  return o;
}

// The run's options must describe the model they were saved with.
void check_options_fit(const TrainRunOptions& o, const Forecaster& f) {
  const ForecasterConfig& c = f.config();
  const WindowSpec& w = o.data.windows;
  const auto differ = [](const char* what, const std::string& a, const std::string& b) {
    return Error(fmt::format("{} {} in the training options, {} in the model", what, a, b));
  };
  if (w.lookback != c.windows.lookback)
    throw differ("look_back", std::to_string(w.lookback), std::to_string(c.windows.lookback));
  if (w.horizon != c.windows.horizon)
    throw differ("horizon", std::to_string(w.horizon), std::to_string(c.windows.horizon));
  if (w.target != c.windows.target || w.input != c.windows.input)
    throw differ(
        "target/input", std::string(to_string(w.target)) + "/" + std::string(to_string(w.input)),
        std::string(to_string(c.windows.target)) + "/" + std::string(to_string(c.windows.input)));
  if (w.input_columns != c.windows.input_columns || w.target_column != c.windows.target_column)
    throw Error("the training options' columns are not the model's");
  if (o.network.hidden_size != c.network.hidden_size)
    throw differ("hidden", std::to_string(o.network.hidden_size),
                 std::to_string(c.network.hidden_size));
  if (o.network.norm != c.network.norm)
    throw differ("norm", to_string(o.network.norm), to_string(c.network.norm));
  if (o.data.scaler != f.scaler().kind())
    throw differ("scaler", std::string(to_string(o.data.scaler)),
                 std::string(to_string(f.scaler().kind())));
  const SplitFractions& p = f.data().fractions;
  if (o.data.split.train != p.train || o.data.split.validation != p.validation)
    throw Error("the training options' split fractions are not the model's");
}

// ---- tensors under a prefix -------------------------------------------------------------------

// The tensors and metadata whose names start with prefix, with it removed.
TensorFile under(const TensorFile& file, const std::string& prefix) {
  TensorFile sub;
  sub.source = file.source;
  for (auto it = file.tensors.lower_bound(prefix);
       it != file.tensors.end() && it->first.rfind(prefix, 0) == 0; ++it)
    sub.tensors.emplace(it->first.substr(prefix.size()), it->second);
  for (auto it = file.metadata.lower_bound(prefix);
       it != file.metadata.end() && it->first.rfind(prefix, 0) == 0; ++it)
    sub.metadata.emplace(it->first.substr(prefix.size()), it->second);
  return sub;
}

void put_under(TensorFile& file, const TensorFile& sub, const std::string& prefix) {
  for (const auto& [name, t] : sub.tensors) file.tensors[prefix + name] = t;
  for (const auto& [key, value] : sub.metadata) file.metadata[prefix + key] = value;
}

// A network of the model's shape (weights drawn and then overwritten).
ForecastNetwork<float> scratch_network(const Forecaster& f) {
  Rng rng(0);
  return ForecastNetwork<float>(f.network().config(), rng);
}

void put_weights(TensorFile& file, const Forecaster& f,
                 const ForecastNetwork<float>::State& weights, const std::string& prefix) {
  ForecastNetwork<float> net = scratch_network(f);
  net.set_state(weights);
  TensorFile sub;
  net.save_state(sub);
  put_under(file, sub, prefix);
}

// load_state's checks: every tensor present, of its shape, finite; running variances >= 0.
ForecastNetwork<float>::State read_weights(const TensorFile& file, const Forecaster& f,
                                           const std::string& prefix) {
  ForecastNetwork<float> net = scratch_network(f);
  try {
    net.load_state(under(file, prefix));
  } catch (const Error& e) {
    throw Error(prefix + "*: " + without_source(e, file.source));
  }
  ForecastNetwork<float>::State s;
  net.copy_state(s);
  return s;
}

// ---- the generator and the early stopping as JSON
// ------------------------------------------------

std::string rng_text(const Rng& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

Rng text_rng(const std::string& text) {
  std::istringstream in(text);
  Rng rng;
  in >> rng;
  if (in.fail())
    throw Error("rng: not the text of a std::mt19937_64 state (from this build's C++ library)");
  in >> std::ws;
  if (!in.eof()) throw Error("rng: text after the std::mt19937_64 state");
  return rng;
}

// +inf ("none yet") as null: JSON has no infinity
Json loss_json(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

double json_loss(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (v.is_null()) return std::numeric_limits<double>::infinity();
  if (v.is_number() && std::isfinite(v.get<double>())) return v.get<double>();
  throw Error(fmt::format("early_stopping.{}: expected a loss or null, got {}", key, v.dump()));
}

Json stopping_json(const EarlyStopping::State& s) {
  Json j;
  j["epochs_seen"] = s.epochs_seen;
  j["counter"] = s.counter;
  j["has_reference"] = s.has_reference;
  j["reference"] = loss_json(s.reference);
  j["best_epoch"] = s.best_epoch;
  j["best_loss"] = loss_json(s.best_loss);
  return j;
}

EarlyStopping::State json_stopping(const Json& j) {
  EarlyStopping::State s;
  s.epochs_seen = whole<int>(j, "epochs_seen", 0, kMaxCount);
  s.counter = whole<int>(j, "counter", 0, kMaxCount);
  s.has_reference = flag(j, "has_reference");
  s.reference = json_loss(j, "reference");
  s.best_epoch = whole<int>(j, "best_epoch", 0, kMaxCount);
  s.best_loss = json_loss(j, "best_loss");
  return s;
}

std::string hex(uint64_t v) {
  return fmt::format("{:016x}", v);
}

uint64_t json_hex(const Json& j, const char* key) {
  const std::string s = text(j, key);
  uint64_t v = 0;
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw Error(fmt::format("{}: expected 16 hexadecimal digits, got '{}'", key, s.substr(0, 40)));
  for (char ch : s) v = v * 16 + static_cast<uint64_t>(ch <= '9' ? ch - '0' : ch - 'a' + 10);
  return v;
}

// ---- the history ------------------------------------------------------------------------------

TrainingHistory read_history(const TensorFile& file, const TrainRunOptions& o, int epochs_seen) {
  const std::vector<int64_t> epochs = file.get(kHistoryEpoch).values<int64_t>();
  const std::vector<double> train = file.get(kHistoryTrain).values<double>();
  const std::vector<double> val = file.get(kHistoryVal).values<double>();
  const size_t n = epochs.size();
  if (n == 0 || train.size() != n || val.size() != n)
    throw Error(fmt::format("history: {} epochs, {} training and {} validation losses", n,
                            train.size(), val.size()));
  const int64_t first = o.training.score_initial ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    if (epochs[i] != first + static_cast<int64_t>(i))
      throw Error(fmt::format("history: epoch {} where epoch {} belongs", epochs[i],
                              first + static_cast<int64_t>(i)));
    if (!std::isfinite(train[i]) || !std::isfinite(val[i]) || train[i] < 0 || val[i] < 0)
      throw Error(
          fmt::format("history: epoch {} has losses {} and {}, expected finite numbers >= 0",
                      epochs[i], train[i], val[i]));
  }
  const int64_t last = epochs.back();
  if (last < 1 || last != epochs_seen || last > o.training.epochs)
    throw Error(fmt::format("history: last epoch {}, early stopping saw {}, the run allowed {}",
                            last, epochs_seen, o.training.epochs));
  TrainingHistory h;
  h.loss = to_string(o.training.loss);
  h.part = o.validate_on_test ? ValidationPart::test : ValidationPart::validation;
  for (size_t i = 0; i < n; ++i)
    h.epochs.push_back({static_cast<int>(epochs[i]), train[i], val[i]});
  return h;
}

}  // namespace

uint64_t series_fingerprint(const Series& s) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  const auto mix = [&](uint64_t word) {
    for (int b = 0; b < 8; ++b) {
      h ^= (word >> (8 * b)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  mix(static_cast<uint64_t>(s.rows()));
  mix(static_cast<uint64_t>(s.cols()));
  for (const Date& d : s.dates) mix(static_cast<uint64_t>(d.time_since_epoch().count()));
  for (Index t = 0; t < s.rows(); ++t)
    for (Index c = 0; c < s.cols(); ++c) {
      const double v = s.values(t, c);
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      mix(bits);
    }
  return h;
}

TensorFile training_checkpoint_tensors(const Forecaster& f, const TrainingState& state) {
  TensorFile file = checkpoint_tensors(f);
  const TrainerState<float>& t = state.trainer;
  TrainRunOptions o = state.options;
  o.workers = nullptr;
  o.resume = nullptr;
  o.init_from = nullptr;
  file.metadata[kOptions] = options_json(o).dump();
  Json s;
  s["early_stopping"] = stopping_json(t.stopping);
  s["rng"] = rng_text(t.rng);
  s["data_fingerprint"] = hex(state.data_fingerprint);
  file.metadata[kState] = s.dump();
  put_weights(file, f, t.weights, kWeights);
  if (!t.best.parameters.empty()) put_weights(file, f, t.best, kBest);
  put_under(file, t.optimizer, kOptimizer);
  const std::vector<int64_t> order(t.order.begin(), t.order.end());
  file.put<int64_t>(kOrder, order.data(), {static_cast<int64_t>(order.size())});
  std::vector<int64_t> epochs;
  std::vector<double> train, val;
  for (const EpochRecord& e : t.history.epochs) {
    epochs.push_back(e.epoch);
    train.push_back(e.train_loss);
    val.push_back(e.val_loss);
  }
  const std::vector<int64_t> shape{static_cast<int64_t>(epochs.size())};
  file.put<int64_t>(kHistoryEpoch, epochs.data(), shape);
  file.put<double>(kHistoryTrain, train.data(), shape);
  file.put<double>(kHistoryVal, val.data(), shape);
  return file;
}

void save_training_checkpoint(const std::filesystem::path& path, const Forecaster& forecaster,
                              const TrainingState& state) {
  training_checkpoint_tensors(forecaster, state).save(path);
}

bool has_training_state(const TensorFile& file) {
  return file.metadata.count(kOptions) != 0;
}

TrainingCheckpoint training_checkpoint_from_tensors(const TensorFile& file) {
  Forecaster f = forecaster_from_tensors(file);  // the model, checked as load_checkpoint does
  if (!has_training_state(file))
    throw Error(file.source +
                ": holds no training state to resume (written before --resume existed, or not "
                "by a training run); start a new run from its weights with --init-from");
  const auto bad = [&](const std::string& why) {
    return Error(file.source + ": bad training state: " + why);
  };
  try {
    const Index columns = static_cast<Index>(f.config().columns.size());
    TrainRunOptions o = json_options(Json::parse(file.metadata.at(kOptions)), columns);
    check_options_fit(o, f);
    if (!file.metadata.count(kState))
      throw Error("metadata '" + std::string(kState) + "' is missing");
    const Json s = Json::parse(file.metadata.at(kState));
    if (!s.is_object()) throw Error("train.state is not a JSON object");
    TrainerState<float> t;
    t.stopping = json_stopping(s.at("early_stopping"));
    EarlyStopping::restore(std::max(o.training.patience, 1), o.training.delta, t.stopping);
    t.rng = text_rng(text(s, "rng"));
    const uint64_t fingerprint = json_hex(s, "data_fingerprint");
    t.history = read_history(file, o, t.stopping.epochs_seen);
    // the lowest loss and its epoch are the history's
    const EpochRecord* best = t.history.find(t.stopping.best_epoch);
    if (!best || best->val_loss != t.stopping.best_loss)
      throw Error(fmt::format("early stopping's best epoch {} (loss {}) is not in the history",
                              t.stopping.best_epoch, t.stopping.best_loss));
    // the training windows in their last order: a permutation of the model's training windows
    const Range train = f.data().split.train_windows;
    const std::vector<int64_t> order = file.get(kOrder).values<int64_t>();
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> expected(static_cast<size_t>(train.size()));
    std::iota(expected.begin(), expected.end(), train.begin);
    if (sorted != expected)
      throw Error(fmt::format("{} is not an order of the {} training windows [{}, {})", kOrder,
                              train.size(), train.begin, train.end));
    t.order.assign(order.begin(), order.end());
    t.weights = read_weights(file, f, kWeights);
    t.best = read_weights(file, f, kBest);
    // the optimizer's state, checked by loading it into an optimizer of the run's kind
    t.optimizer = under(file, kOptimizer);
    ForecastNetwork<float> net = scratch_network(f);
    auto optimizer =
        make_optimizer<float>(o.training.optimizer, net.parameters(), o.training.optimizer_config);
    try {
      optimizer->load_state(t.optimizer, "");
    } catch (const Error& e) {
      throw Error(std::string(kOptimizer) + "*: " + without_source(e, file.source));
    }
    if (optimizer->lr() != o.training.optimizer_config.lr)
      throw Error(fmt::format("optimizer lr {} is not the run's {}", optimizer->lr(),
                              o.training.optimizer_config.lr));
    TrainingState state{o, fingerprint, std::move(t)};
    return TrainingCheckpoint{std::move(f), std::move(state), file.source};
  } catch (const Json::exception& e) {
    throw bad(e.what());
  } catch (const std::bad_alloc&) {
    throw bad("its sizes do not fit in memory");
  } catch (const Error& e) {
    throw bad(without_source(e, file.source));
  }
}

TrainingCheckpoint load_training_checkpoint(const std::filesystem::path& path) {
  return training_checkpoint_from_tensors(read_checkpoint_file(path));
}

}  // namespace bnlstm
