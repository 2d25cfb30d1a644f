// `bnlstm train --resume` and `--init-from` end to end: a run of 6 epochs and a run of 3 resumed
// up to 6 write the same history, metrics and weights; a new run from a checkpoint's weights
// starts where it was; flags that contradict the checkpoint and checkpoints without training
// state are one error line each.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bnlstm/io/safetensors.hpp"
#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::slurp_file;

class ResumeCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_resume_cli_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    testing::write_prices_csv(dir / "prices.csv");
  }
  void TearDown() override { fs::remove_all(dir); }

  CliResult train(std::vector<std::string> args) {
    std::vector<std::string> all = {"train", "--hidden",    "8",           "--batch-size",
                                    "16",    "--look-back", "3",           "--optimizer",
                                    "adam",  "--lr",        "0.003",       "--patience",
                                    "0",     "--no-plots",  "--log-every", "1"};
    all.insert(all.end(), args.begin(), args.end());
    return testing::run_cli(all, dir);
  }
  std::string data() const { return (dir / "prices.csv").string(); }
  std::string model(const char* run) const { return (dir / run / "model.safetensors").string(); }
};

nlohmann::json test_metrics(const fs::path& metrics) {
  return nlohmann::json::parse(slurp_file(metrics)).at("test");
}

TEST_F(ResumeCli, ResumeEqualsTheUninterruptedRun) {
  CliResult r = train({"--data", data(), "--epochs", "6", "--out", (dir / "whole").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  r = train({"--data", data(), "--epochs", "3", "--out", (dir / "part").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  // the checkpoint's data and settings: neither --data nor the model flags are needed
  r = testing::run_cli({"train", "--resume", model("part"), "--epochs", "6", "--no-plots",
                        "--log-every", "1", "--out", (dir / "resumed").string()},
                       dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("resuming " + model("part") + " after epoch 3: epochs 4..6"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Epoch 4/6 - Loss: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Epoch 3/6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 more epochs (6 in all) in "), std::string::npos) << r.out;
  EXPECT_EQ(slurp_file(dir / "resumed" / "history.csv"), slurp_file(dir / "whole" / "history.csv"));
  EXPECT_EQ(test_metrics(dir / "resumed" / "metrics.json"),
            test_metrics(dir / "whole" / "metrics.json"));
  // every tensor, the training state's included, bit for bit
  const TensorFile a = TensorFile::load(model("whole")), b = TensorFile::load(model("resumed"));
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, t] : a.tensors) {
    ASSERT_TRUE(b.contains(name)) << name;
    EXPECT_TRUE(t.bytes == b.get(name).bytes) << name;
  }
  const auto training = nlohmann::json::parse(b.metadata.at("training"));
  EXPECT_EQ(training.at("resumed_after_epoch"), 3);
  EXPECT_EQ(training.at("optimizer"), "adam");
  // the data provenance is the checkpoint's: evaluate reads the same rows by default
  const CliResult e = testing::run_cli({"evaluate", "--model", model("resumed")}, dir);
  ASSERT_EQ(e.status, 0) << e.err;
}

TEST_F(ResumeCli, FlagsAgainstTheCheckpointAndOldCheckpointsAreOneLine) {
  ASSERT_EQ(train({"--data", data(), "--epochs", "2", "--out", (dir / "part").string()}).status, 0);
  CliResult r = train({"--resume", model("part"), "--hidden", "16", "--epochs", "4", "--out",
                       (dir / "x").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: --hidden: " + model("part") +
                       " was trained with 8, got 16; --resume continues that run with its "
                       "settings (only --epochs, --patience, --threads and --season may change; "
                       "a new run from its weights: --init-from)\n");
  r = train({"--resume", model("part"), "--epochs", "2", "--out", (dir / "x").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "bnlstm: error: --epochs 2: the run already has 2 epochs; --epochs counts them all "
            "(the earlier ones included), so give more than 2\n");
  EXPECT_FALSE(fs::exists(dir / "x"));
  // --resume and --init-from exclude each other
  r = train({"--resume", model("part"), "--init-from", model("part")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--resume excludes --init-from"), std::string::npos) << r.err;
  // other data
  testing::write_prices_csv(dir / "other.csv", 140);
  r = train({"--resume", model("part"), "--data", (dir / "other.csv").string(), "--epochs", "4"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("bnlstm: error: " + (dir / "other.csv").string() + ": not the data " +
                            model("part") + " was trained on (150 rows, 2021-01-04..",
                        0),
            0u)
      << r.err;
  // a checkpoint from before --resume (no training state)
  TensorFile old = TensorFile::load(model("part"));
  for (auto it = old.tensors.begin(); it != old.tensors.end();)
    it = it->first.rfind("train.", 0) == 0 ? old.tensors.erase(it) : std::next(it);
  for (auto it = old.metadata.begin(); it != old.metadata.end();)
    it = it->first.rfind("train.", 0) == 0 ? old.metadata.erase(it) : std::next(it);
  old.save(dir / "old.safetensors");
  r = train({"--resume", (dir / "old.safetensors").string(), "--epochs", "4"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: " + (dir / "old.safetensors").string() +
                       ": holds no training state to resume (written before --resume existed, or "
                       "not by a training run); start a new run from its weights with "
                       "--init-from\n");
  // which evaluate still reads, as it reads the new ones
  EXPECT_EQ(
      testing::run_cli({"evaluate", "--model", (dir / "old.safetensors").string()}, dir).status, 0);
}

TEST_F(ResumeCli, InitFromStartsANewRunFromTheWeights) {
  ASSERT_EQ(train({"--data", data(), "--epochs", "3", "--out", (dir / "first").string()}).status,
            0);
  testing::write_prices_csv(dir / "other.csv", 140);
  // the network (hidden 8, look-back 3) is the checkpoint's; sgd and 2 epochs are this run's
  CliResult r = testing::run_cli(
      {"train", "--init-from", model("first"), "--data", (dir / "other.csv").string(), "--epochs",
       "2", "--no-plots", "--log-every", "1", "--out", (dir / "tuned").string()},
      dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(
      r.out.find("starting from the weights of " + model("first") + " (hidden 8, norm batch)"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("model: LSTM(norm=batch, hidden=8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("look-back 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Epoch 0/2 - Loss: "), std::string::npos) << r.out;
  const auto training =
      nlohmann::json::parse(slurp_file(dir / "tuned" / "metrics.json")).at("training");
  EXPECT_EQ(training.at("init_from"), model("first"));
  EXPECT_EQ(training.at("optimizer"), "sgd");
  EXPECT_EQ(training.at("epochs_run"), 2);
  r = testing::run_cli(
      {"train", "--init-from", model("first"), "--hidden", "4", "--out", (dir / "x").string()},
      dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: --hidden: the network comes from --init-from " + model("first") +
                       ", whose hidden size is 8, got 4\n");
}

}  // namespace
}  // namespace bnlstm
