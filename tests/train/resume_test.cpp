// --resume and --init-from in the library: a run of 10 epochs and a run of 5 resumed from its
// checkpoint file up to 10 end bit for bit alike (weights, history, test metrics); a new run
// from a checkpoint's weights starts where that model was; a checkpoint is untrusted input.
#include "bnlstm/train/resume.hpp"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/resume_settings.hpp"
#include "testing/errors.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using ::testing::HasSubstr;

// One file per test and process (ctest may run several at once).
fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() /
         ("bnlstm_resume_" + std::to_string(::getpid()) + "_" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + name);
}

TrainRunOptions small_options(OptimizerKind optimizer, double momentum) {
  TrainRunOptions o;
  o.data.split = {0.6, 0.2};
  o.data.windows.lookback = 3;
  o.network.hidden_size = 6;
  o.training.epochs = 10;
  o.training.batch_size = 16;
  o.training.patience = 0;  // every epoch runs
  o.training.optimizer = optimizer;
  o.training.optimizer_config.lr = optimizer == OptimizerKind::sgd ? 0.05 : 3e-3;
  o.training.optimizer_config.momentum = momentum;
  o.seed = 5;
  return o;
}

const SettingGiven kNothingGiven = [](std::string_view) { return false; };
const SettingGiven kEpochsGiven = [](std::string_view name) { return name == "epochs"; };
const SettingName kFlag = [](std::string_view name) {
  std::string flag = "--" + std::string(name);
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
};

// A run of `first` epochs saved to a file, loaded and resumed up to `total`.
TrainRun resumed_run(const TrainRunOptions& options, int first, int total, const fs::path& file,
                     const Series& series) {
  TrainRunOptions o = options;
  o.training.epochs = first;
  const TrainRun part = run_training(series, o);
  save_training_checkpoint(file, part.forecaster, part.state);
  const TrainingCheckpoint ck = load_training_checkpoint(file);
  TrainRunOptions again = options;  // what the user asks for: only the total epochs matter
  again.training.epochs = total;
  ForecastColumns columns;
  resume_settings(again, columns, ck, kEpochsGiven, kFlag);
  again.resume = &ck;
  return run_training(series, again);
}

void expect_same_run(const TrainRun& a, const TrainRun& b) {
  ASSERT_EQ(a.history.epochs.size(), b.history.epochs.size());
  for (size_t i = 0; i < a.history.epochs.size(); ++i) {
    EXPECT_EQ(a.history.epochs[i].epoch, b.history.epochs[i].epoch);
    EXPECT_EQ(a.history.epochs[i].train_loss, b.history.epochs[i].train_loss) << "epoch " << i;
    EXPECT_EQ(a.history.epochs[i].val_loss, b.history.epochs[i].val_loss) << "epoch " << i;
  }
  EXPECT_EQ(a.history.best_epoch, b.history.best_epoch);
  EXPECT_EQ(a.history.stopped_early, b.history.stopped_early);
  // the kept weights and running statistics, and the test part's forecasts and errors
  const TensorFile x = checkpoint_tensors(a.forecaster), y = checkpoint_tensors(b.forecaster);
  ASSERT_EQ(x.tensors.size(), y.tensors.size());
  for (const auto& [name, t] : x.tensors) {
    ASSERT_TRUE(y.contains(name)) << name;
    EXPECT_TRUE(t.bytes == y.get(name).bytes) << name << " differs";
  }
  EXPECT_EQ(a.test.predicted, b.test.predicted);
  EXPECT_EQ(a.test.comparison.model.rmse, b.test.comparison.model.rmse);
  EXPECT_EQ(a.test.comparison.model.mae, b.test.comparison.model.mae);
  // and the state a further resume would start from
  EXPECT_EQ(a.state.trainer.order, b.state.trainer.order);
  EXPECT_TRUE(a.state.trainer.rng == b.state.trainer.rng);
}

TEST(Resume, TenEpochsEqualFiveResumedForFiveMoreWithAdam) {
  const Series series = testing::synthetic_series(150);
  const TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  const TrainRun whole = run_training(series, o);
  const TrainRun resumed = resumed_run(o, 5, 10, temp_file("adam.safetensors"), series);
  expect_same_run(whole, resumed);
  fs::remove(temp_file("adam.safetensors"));
}

TEST(Resume, TenEpochsEqualFiveResumedForFiveMoreWithSgdMomentum) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::sgd, 0.9);
  o.network.norm = LstmNorm::layer;
  o.training.clip_mode = ClipMode::norm;
  const TrainRun whole = run_training(series, o);
  // resumed twice: 3, then 7, then 10
  const fs::path f2 = temp_file("b.safetensors");
  const TrainRun resumed = resumed_run(o, 3, 7, f2, series);  // 3 -> 7 (its own first part)
  save_training_checkpoint(f2, resumed.forecaster, resumed.state);
  const TrainingCheckpoint ck2 = load_training_checkpoint(f2);
  TrainRunOptions again = o;
  ForecastColumns columns;
  resume_settings(again, columns, ck2, kEpochsGiven, kFlag);
  again.resume = &ck2;
  expect_same_run(whole, run_training(series, again));
  fs::remove(f2);
}

// Early stopping's counter carries over: a run that patience ends at epoch k, split before k,
// ends at k too; split after k, the resumed run runs no epoch and says it stopped early.
TEST(Resume, EarlyStoppingCarriesOver) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  o.training.optimizer_config.lr = 0.05;  // overshoots: the validation loss soon stops improving
  o.training.patience = 2;
  o.training.epochs = 40;
  const TrainRun whole = run_training(series, o);
  ASSERT_TRUE(whole.history.stopped_early);
  const int stopped = whole.history.epochs.back().epoch;
  ASSERT_GE(stopped, 2);
  expect_same_run(whole, resumed_run(o, stopped - 1, 40, temp_file("before.safetensors"), series));
  const TrainRun after = resumed_run(o, stopped, 40, temp_file("at.safetensors"), series);
  expect_same_run(whole, after);
  EXPECT_TRUE(after.history.stopped_early);
  fs::remove(temp_file("before.safetensors"));
  fs::remove(temp_file("at.safetensors"));
}

TEST(Resume, CheckpointStillReadsAsAModelAndHoldsItsTrainingState) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  o.training.epochs = 3;
  const TrainRun run = run_training(series, o);
  const fs::path file = temp_file("m.safetensors");
  save_training_checkpoint(file, run.forecaster, run.state);
  // the model loader reads the model part alone: the kept (best) weights
  Forecaster model = load_checkpoint(file);
  const TensorFile plain = checkpoint_tensors(run.forecaster), read = checkpoint_tensors(model);
  for (const auto& [name, t] : plain.tensors) EXPECT_TRUE(t.bytes == read.get(name).bytes) << name;
  EXPECT_FALSE(has_training_state(plain));
  const TrainingCheckpoint ck = load_training_checkpoint(file);
  EXPECT_EQ(ck.state.trainer.epochs_run(), 3);
  EXPECT_EQ(ck.state.trainer.history.epochs.size(), 4u);  // epoch 0 too
  EXPECT_EQ(ck.state.options.training.optimizer, OptimizerKind::adam);
  EXPECT_EQ(ck.state.data_fingerprint, series_fingerprint(series));
  fs::remove(file);
}

TEST(Resume, RefusesWhatCannotContinue) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  o.training.epochs = 3;
  const TrainRun run = run_training(series, o);
  const fs::path file = temp_file("m.safetensors"), old = temp_file("old.safetensors");
  save_training_checkpoint(file, run.forecaster, run.state);
  save_checkpoint(old, run.forecaster);  // as before --resume existed
  EXPECT_EQ(error_of([&] { load_training_checkpoint(old); }),
            old.string() +
                ": holds no training state to resume (written before --resume existed, or not by a "
                "training run); start a new run from its weights with --init-from");
  const TrainingCheckpoint ck = load_training_checkpoint(file);

  // a flag against the checkpoint's settings: one line naming it and the checkpoint's value
  TrainRunOptions again = o;
  again.network.hidden_size = 8;
  ForecastColumns columns;
  const SettingGiven hidden = [](std::string_view n) { return n == "hidden"; };
  EXPECT_THAT(error_of([&] { resume_settings(again, columns, ck, hidden, kFlag); }),
              ::testing::StartsWith("--hidden: " + file.string() +
                                    " was trained with 6, got 8; --resume continues that run"));
  again = o;
  again.training.restore_best = false;
  const SettingGiven no_restore = [](std::string_view n) { return n == "no_restore"; };
  EXPECT_THAT(error_of([&] { resume_settings(again, columns, ck, no_restore, kFlag); }),
              ::testing::StartsWith("--no-restore: " + file.string() + " was trained without it"));
  ForecastColumns other = select_columns({"Open"}, "");
  const SettingGiven value_col = [](std::string_view n) { return n == "value_col"; };
  EXPECT_THAT(
      error_of([&] { resume_settings(again = o, other, ck, value_col, kFlag); }),
      ::testing::StartsWith("--value-col: " + file.string() + " was trained with Close, got Open"));
  // not given, even the four that may change are the checkpoint's
  again = o;
  again.training.patience = 10;
  again.training.epochs = 100;
  again.threads = 2;
  resume_settings(again, columns, ck, kNothingGiven, kFlag);
  EXPECT_EQ(again.training.patience, 0);
  EXPECT_EQ(again.training.epochs, 3);
  EXPECT_EQ(again.threads, 1);
  // the same values given explicitly are fine, and the allowed ones change
  again = o;
  again.training.epochs = 3;
  again.training.patience = 7;
  const SettingGiven all = [](std::string_view) { return true; };
  columns = select_columns({"close"}, "");
  resume_settings(again, columns, ck, all, kFlag);
  EXPECT_EQ(again.training.patience, 7);
  again.resume = &ck;
  // --epochs is the total
  EXPECT_EQ(error_of([&] { run_training(series, again); }),
            "--epochs 3: the run already has 3 epochs; --epochs counts them all (the earlier ones "
            "included), so give more than 3");
  // other data
  again.training.epochs = 5;
  EXPECT_THAT(error_of([&] { run_training(testing::synthetic_series(150, 12), again); }),
              ::testing::StartsWith("synthetic: not the data " + file.string() +
                                    " was trained on (150 rows"));
  fs::remove(file);
  fs::remove(old);
}

// Each field of the training state damaged in turn: one line naming the file, nothing used.
TEST(Resume, DamagedTrainingStateIsOneLineNamingTheFile) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  o.training.epochs = 3;
  const TrainRun run = run_training(series, o);
  const TensorFile good = training_checkpoint_tensors(run.forecaster, run.state);
  const auto damaged = [&](const std::function<void(TensorFile&)>& edit) {
    TensorFile f = TensorFile::parse(good.serialize(), "ck.safetensors");
    edit(f);
    return error_of([&] { training_checkpoint_from_tensors(f); });
  };
  const std::string prefix = "ck.safetensors: bad training state: ";
  const Range train = run.forecaster.data().split.train_windows;
  const auto put_float = [](TensorFile& f, const std::string& name, float v) {
    Matrix<float> m = f.matrix<float>(name);
    m(0, 0) = v;
    f.put_matrix(name, m);
  };
  EXPECT_EQ(damaged([&](TensorFile& f) { put_float(f, "train.weights.head.weight", NAN); }),
            prefix + "train.weights.*: tensor 'head.weight' holds NaN or infinite values");
  EXPECT_THAT(damaged([&](TensorFile& f) { f.tensors.erase("train.best.head.bias"); }),
              ::testing::StartsWith(prefix));
  EXPECT_EQ(damaged([&](TensorFile& f) { put_float(f, "train.optimizer.0.exp_avg_sq", -1); }),
            prefix + "train.optimizer.*: tensor '0.exp_avg_sq' holds negative averages of squares");
  EXPECT_EQ(damaged([&](TensorFile& f) { put_float(f, "train.optimizer.1.exp_avg", INFINITY); }),
            prefix + "train.optimizer.*: tensor '1.exp_avg' holds NaN or infinite values");
  EXPECT_EQ(damaged([&](TensorFile& f) { f.metadata["train.optimizer.type"] = "sgd"; }),
            prefix + "train.optimizer.*: optimizer state is for 'sgd', not 'adam'");
  EXPECT_EQ(damaged([&](TensorFile& f) {
              std::vector<int64_t> order = f.get("train.order").values<int64_t>();
              order[0] = order[1];
              f.put<int64_t>("train.order", order.data(), {int64_t(order.size())});
            }),
            prefix + fmt::format("train.order is not an order of the {} training windows [0, {})",
                                 train.size(), train.end));
  EXPECT_EQ(damaged([&](TensorFile& f) {
              std::vector<int64_t> e = f.get("train.history.epoch").values<int64_t>();
              e[2] = 7;
              f.put<int64_t>("train.history.epoch", e.data(), {int64_t(e.size())});
            }),
            prefix + "history: epoch 7 where epoch 2 belongs");
  EXPECT_EQ(
      damaged([&](TensorFile& f) {
        nlohmann::json s = nlohmann::json::parse(f.metadata["train.state"]);
        s["early_stopping"]["counter"] = 9;
        f.metadata["train.state"] = s.dump();
      }),
      prefix + fmt::format("early stopping: counter 9 or best epoch {} past the 3 epochs seen",
                           run.history.best_epoch));
  EXPECT_EQ(
      damaged([&](TensorFile& f) {
        nlohmann::json s = nlohmann::json::parse(f.metadata["train.state"]);
        s["rng"] = "1 2 3";
        f.metadata["train.state"] = s.dump();
      }),
      prefix + "rng: not the text of a std::mt19937_64 state (from this build's C++ library)");
  EXPECT_EQ(damaged([&](TensorFile& f) {
              nlohmann::json j = nlohmann::json::parse(f.metadata["train.options"]);
              j["hidden"] = 7;
              f.metadata["train.options"] = j.dump();
            }),
            prefix + "hidden 7 in the training options, 6 in the model");
  EXPECT_EQ(damaged([&](TensorFile& f) {
              nlohmann::json j = nlohmann::json::parse(f.metadata["train.options"]);
              j["epochs"] = -1;
              f.metadata["train.options"] = j.dump();
            }),
            prefix + "epochs: expected a whole number in [1, 1000000], got -1");
  EXPECT_THAT(damaged([&](TensorFile& f) { f.metadata["train.options"] = "{"; }),
              ::testing::StartsWith(prefix));
}

// A new run from a checkpoint's weights: on the same data its epoch 0 is that model's kept epoch,
// and its optimizer and epoch count start afresh.
TEST(InitFrom, StartsWhereTheModelWas) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  o.training.epochs = 4;
  const TrainRun first = run_training(series, o);
  const EpochRecord* kept = first.history.find(first.history.best_epoch);
  ASSERT_NE(kept, nullptr);
  ASSERT_GT(first.history.best_epoch, 0);

  TrainRunOptions next = small_options(OptimizerKind::sgd, 0);  // another optimizer: a new run
  next.network.hidden_size = 256;                               // not given: the model's is used
  next.training.epochs = 2;
  ForecastColumns columns;
  init_settings(next, columns, first.forecaster, "first.safetensors", kNothingGiven, kFlag);
  EXPECT_EQ(next.network.hidden_size, 6);
  EXPECT_FALSE(next.zero_head);
  next.init_from = &first.forecaster;
  const TrainRun fine = run_training(series, next);
  ASSERT_EQ(fine.history.epochs.front().epoch, 0);
  EXPECT_DOUBLE_EQ(fine.history.epochs.front().val_loss, kept->val_loss);
  EXPECT_EQ(fine.history.epochs.back().epoch, 2);
  EXPECT_EQ(fine.state.trainer.optimizer.metadata.at("type"), "sgd");

  // on other rows the scaler is fitted anew
  const Series other = testing::synthetic_series(120, 3);
  const TrainRun moved = run_training(other, next);
  EXPECT_NE(moved.forecaster.scaler().to_json(), first.forecaster.scaler().to_json());
}

TEST(InitFrom, RefusesAnotherNetwork) {
  const Series series = testing::synthetic_series(150);
  TrainRunOptions o = small_options(OptimizerKind::adam, 0);
  o.training.epochs = 1;
  const TrainRun first = run_training(series, o);
  TrainRunOptions next = o;
  next.network.hidden_size = 8;
  ForecastColumns columns;
  const auto only = [](const char* name) {
    return SettingGiven([name](std::string_view n) { return n == name; });
  };
  EXPECT_EQ(error_of([&] {
              init_settings(next, columns, first.forecaster, "a.safetensors", only("hidden"),
                            kFlag);
            }),
            "--hidden: the network comes from --init-from a.safetensors, whose hidden size is 6, "
            "got 8");
  next = o;
  next.data.windows.horizon = 3;
  EXPECT_THAT(error_of([&] {
                init_settings(next, columns, first.forecaster, "a.safetensors", only("horizon"),
                              kFlag);
              }),
              HasSubstr("--horizon: the network comes from --init-from a.safetensors, whose head "
                        "forecasts 1 step(s), got 3"));
  next = o;
  next.data.windows.input = InputKind::both;
  EXPECT_EQ(error_of([&] {
              init_settings(next, columns, first.forecaster, "a.safetensors", only("input"), kFlag);
            }),
            "--input: the network comes from --init-from a.safetensors, which takes 1 input "
            "feature(s) (level of Close), got 2 (both of Close)");
  next = o;
  EXPECT_THAT(error_of([&] {
                init_settings(next, columns, first.forecaster, "a.safetensors", only("head_init"),
                              kFlag);
              }),
              ::testing::StartsWith("--head-init: "));
}

}  // namespace
}  // namespace bnlstm
