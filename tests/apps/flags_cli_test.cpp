// Every flag is parsed straight into its own type with a range (apps/bnlstm/flag_checks.hpp):
// values that used to wrap around or be cut to int (issue #10) now fail while parsing, before
// any work, with one line naming the flag, and leave --out alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

class FlagsCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_flags_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    testing::write_prices_csv(dir / "prices.csv");
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<std::string> train(std::vector<std::string> extra) const {
    std::vector<std::string> a{
        "train",      "--data", (dir / "prices.csv").string(), "--epochs", "2", "--hidden", "4",
        "--no-plots", "--out",  (dir / "out").string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  void expect_error(const std::vector<std::string>& args, const std::string& message) {
    const auto r = run_cli(args, dir);
    EXPECT_EQ(r.status, 1) << message;
    EXPECT_EQ(r.err, "bnlstm: error: " + message + "\n");
    EXPECT_FALSE(fs::exists(dir / "out")) << message;
  }
};

TEST_F(FlagsCli, IntegersThatUsedToWrapAreRejected) {
  expect_error(train({"--epochs", "4294967297"}),
               "--epochs: expected an integer <= 1000000, got '4294967297'");
  expect_error(train({"--patience", "4294967296"}),
               "--patience: expected an integer <= 1000000, got '4294967296'");
  expect_error(train({"--threads", "2147483648"}),
               "--threads: expected an integer <= 1024, got '2147483648'");
  expect_error(train({"--look-back", "9223372036854775807"}),
               "--look-back: expected an integer <= 100000, got '9223372036854775807'");
  expect_error(train({"--horizon", "9223372036854775807"}),
               "--horizon: expected an integer <= 100000, got '9223372036854775807'");
  expect_error(train({"--horizon", "99999999999999999999999"}),
               "--horizon: expected an integer <= 100000, got '99999999999999999999999'");
  expect_error(train({"--hidden", "2000000000"}),
               "--hidden: expected an integer <= 100000, got '2000000000'");
  expect_error(train({"--seed", "-1"}), "--seed: expected an integer >= 0, got '-1'");
  expect_error(train({"--batch-size", "0x10"}),
               "--batch-size: expected an integer >= 1, got '0x10'");
  expect_error(train({"--epochs", "1e3"}), "--epochs: expected an integer >= 1, got '1e3'");
  expect_error(train({"--log-every", "-1"}), "--log-every: expected an integer >= 0, got '-1'");
  expect_error({"bn-demo", "--seed", "18446744073709551616", "--out", (dir / "out").string()},
               "--seed: expected an integer <= 18446744073709551615, got '18446744073709551616'");
}

// A hidden size inside the flag's range can still be too large for this machine: refused before
// anything is allocated.
TEST_F(FlagsCli, ModelsThatCannotFitInMemoryAreRefusedBeforeAllocating) {
  const auto r = run_cli(train({"--hidden", "100000"}), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("bnlstm: error: --hidden 100000 with --look-back 1 and --batch-size 32: "
                        "training would need about ",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("; this machine has "), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST_F(FlagsCli, ValuesOutsideTheirMeaningAreRejected) {
  expect_error(train({"--value-col", ""}), "--value-col: expected a column name, got ''");
  expect_error(train({"--target-col", ""}), "--target-col: expected a column name, got ''");
  expect_error(train({"--weight-decay", "-1"}), "--weight-decay: expected a number >= 0, got '-1'");
  expect_error(train({"--huber-delta", "0"}), "--huber-delta: expected a number > 0, got '0'");
  expect_error(train({"--lr", "inf"}), "--lr: expected a number > 0, got 'inf'");
  expect_error(train({"--lr", "nan"}), "--lr: expected a number > 0, got 'nan'");
  expect_error(train({"--momentum", "1.5"}), "--momentum: expected a number in [0, 1), got '1.5'");
  expect_error(train({"--val-size", "0"}), "--val-size: expected a fraction in (0, 1), got '0'");
  // 1e-9 of 150 rows is no row at all: it used to validate on the test part silently
  expect_error(
      train({"--val-size", "1e-9"}),
      "--val-size: 1e-09 of 150 rows is no validation row; expected a fraction >= 0.00667");
  expect_error(train({"--train-size", "0.7", "--val-size", "0.3"}),
               "--val-size: expected a fraction > 0 with --train-size + --val-size < 1, got 0.7 + "
               "0.3");
  expect_error(train({"--start", "2021-02-30"}),
               "--start: expected a date YYYY-MM-DD (optionally with a time), got '2021-02-30'");
  expect_error(train({"--format", "gif"}), "--format: expected png, svg or pdf, got 'gif'");
  expect_error(train({"--optimizer", "rmsprop"}),
               "--optimizer: expected sgd, momentum, adam or adamw, got 'rmsprop'");
  expect_error(train({"--clip-mode", "global"}),
               "--clip-mode: expected value or norm, got 'global'");
  expect_error(train({"--out", ""}), "--out: expected a folder name, got ''");
  expect_error({"evaluate", "--model", (dir / "m.safetensors").string(), "--format", "gif"},
               "--format: expected png, svg or pdf, got 'gif'");
  expect_error({"evaluate", "--model", (dir / "m.safetensors").string(), "--part", "dev"},
               "--part: expected test, validation, train or all, got 'dev'");
  expect_error({"predict", "--model", ""}, "--model: expected a checkpoint file, got ''");
  expect_error({"predict", "--model", (dir / "m.safetensors").string(), "--data", ""},
               "--data: expected a file name, got ''");
}

// Decimal only: a leading zero is not octal (CLI11 alone would read "010" as 8).
TEST_F(FlagsCli, LeadingZerosAreDecimal) {
  const auto r = run_cli(train({"--epochs", "010", "--log-every", "1", "--patience", "0"}), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Epoch 10/10 - Loss"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace bnlstm
