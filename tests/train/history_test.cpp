#include "bnlstm/train/history.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

TrainingHistory sample() {
  TrainingHistory h;
  h.loss = "mse";
  h.epochs = {{1, 0.1, 0.30000000000000004}, {2, 1.0 / 3.0, 2e-300}};
  h.best_epoch = 2;
  h.stopped_early = true;
  return h;
}

TEST(History, CsvHasOneRowPerEpochWithRoundTripNumbers) {
  EXPECT_EQ(sample().to_csv(),
            "epoch,train_loss,val_loss\n1,0.1,0.30000000000000004\n2,0.3333333333333333,2e-300\n");
}

TEST(History, JsonRoundTripsBitForBit) {
  const TrainingHistory h = sample();
  const TrainingHistory g = TrainingHistory::from_json(h.to_json(), "h.json");
  EXPECT_EQ(g.loss, "mse");
  EXPECT_EQ(g.best_epoch, 2);
  EXPECT_TRUE(g.stopped_early);
  ASSERT_EQ(g.epochs.size(), 2u);
  EXPECT_EQ(g.epochs[1].epoch, 2);
  EXPECT_EQ(g.epochs[1].train_loss, 1.0 / 3.0);
  EXPECT_EQ(g.epochs[0].val_loss, 0.30000000000000004);
  EXPECT_EQ(g.epochs[1].val_loss, 2e-300);
}

TEST(History, FromJsonNamesTheSourceOnGarbage) {
  try {
    TrainingHistory::from_json("{\"loss\": 3}", "x.json");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("x.json: not a training history", 0), 0u) << e.what();
  }
}

TEST(History, SaveWritesBothFiles) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bnlstm_history_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  sample().save(dir / "h.csv", dir / "sub" / "h.json");
  std::ifstream in(dir / "sub" / "h.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), sample().to_json());
  EXPECT_TRUE(std::filesystem::exists(dir / "h.csv"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bnlstm
