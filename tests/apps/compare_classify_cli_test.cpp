// `bnlstm compare` on `bnlstm classify` folders: two tiny classify runs (IDX files written here)
// compared through the built binary, and a train run beside them refused in one line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bnlstm/data/idx.hpp"
#include "classify/tiny_images.hpp"
#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp_file;

void write_pair(const fs::path& dir, bool train, const LabeledImages& d) {
  write_idx(dir / (train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte"),
            IdxArray{{d.count(), d.rows, d.cols}, d.pixels});
  const std::vector<uint8_t> labels(d.labels.begin(), d.labels.end());
  write_idx(dir / (train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte"),
            IdxArray{{d.count()}, labels});
}

class CompareClassifyCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_compare_classify_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
    write_pair(dir / "data", true, testing::tiny_images(150, 1));
    write_pair(dir / "data", false, testing::tiny_images(30, 2));
  }
  void TearDown() override { fs::remove_all(dir); }
  void classify(const std::string& name, const std::string& norm) {
    const auto r =
        run_cli({"classify", "--data-dir", (dir / "data").string(), "--val-size", "30", "--hidden",
                 "8", "--batch-size", "20", "--epochs", "2", "--eval-every", "3", "--no-plots",
                 "--quiet", "--norm", norm, "--out", (dir / name).string()},
                dir);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  std::string run(const std::string& name) const { return (dir / name).string(); }
};

TEST_F(CompareClassifyCli, ComparesClassifyRunsByAccuracyAndRefusesToMixKinds) {
  classify("none", "none");
  classify("batch", "batch");
  const auto r =
      run_cli({"compare", run("none"), run("batch"), "--table", "json", "--no-plots"}, dir);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 2u);
  const auto metrics = nlohmann::json::parse(slurp_file(dir / "batch" / "metrics.json"));
  EXPECT_EQ(rows[1]["norm"], "batch");
  EXPECT_EQ(rows[1]["test_accuracy"].get<double>(),
            100 * metrics["test"]["accuracy"].get<double>());
  EXPECT_EQ(rows[1]["test_loss"].get<double>(), metrics["test"]["loss"].get<double>());
  EXPECT_EQ(rows[1]["kept_step"].get<double>(), metrics["training"]["best_step"].get<double>());
  EXPECT_EQ(rows[0]["steps"], 12);  // 2 epochs of 6 batches (120 training images, 20 each)

  // a forecasting run beside them
  testing::write_prices_csv(dir / "prices.csv");
  ASSERT_EQ(run_cli({"train", "--data", (dir / "prices.csv").string(), "--epochs", "2", "--hidden",
                     "4", "--quiet", "--no-plots", "--out", run("f")},
                    dir)
                .status,
            0);
  const auto mixed = run_cli({"compare", run("f"), run("none"), "--no-plots"}, dir);
  EXPECT_EQ(mixed.status, 1);
  EXPECT_EQ(mixed.err, "bnlstm: error: " + run("none") + " is a classify run, " + run("f") +
                           " a train run: compare runs of one kind\n");
}

}  // namespace
}  // namespace bnlstm
