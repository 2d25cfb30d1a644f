// `bnlstm bn-demo --data FILE --value-col COL`: the normalization experiment on a CSV file's
// own columns, end to end through the built binary; bad files and columns fail with one line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "plot/plot_testing.hpp"
#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp_file;

class BnDemoDataCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_bn_demo_data_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    testing::write_prices_csv(dir / "prices.csv");  // 150 rows, Close and Volume known
  }
  void TearDown() override { fs::remove_all(dir); }
  testing::CliResult bn_demo(std::vector<std::string> args) {
    args.insert(args.begin(), "bn-demo");
    return run_cli(args, dir);
  }
};

TEST_F(BnDemoDataCli, NormalizesTheFilesColumnsEachByItsOwnStatistics) {
  const fs::path out = dir / "bn";
  const auto r = bn_demo({"--data", (dir / "prices.csv").string(), "--value-col", "Close,Volume",
                          "--out", out.string(), "--gnuplot", "/nonexistent/gnuplot"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("on 150 rows x 2 columns of " + (dir / "prices.csv").string()),
            std::string::npos)
      << r.out;
  // Volume is 1000 + i for i = 0..149: mean 1074.5, biased std sqrt((150^2 - 1) / 12)
  const double volume_std = std::sqrt((150.0 * 150.0 - 1) / 12);
  const std::string stats = slurp_file(out / "stats.csv");
  ASSERT_EQ(stats.rfind("feature,mean_before,std_before,mean_after,std_after\nClose,", 0), 0u)
      << stats;
  const size_t at = stats.find("\nVolume,");
  ASSERT_NE(at, std::string::npos) << stats;
  double mean_before = 0, std_before = 0, mean_after = 0, std_after = 0;
  ASSERT_EQ(std::sscanf(stats.c_str() + at + 8, "%lf,%lf,%lf,%lf", &mean_before, &std_before,
                        &mean_after, &std_after),
            4);
  EXPECT_NEAR(mean_before, 1074.5, 1e-9);
  EXPECT_NEAR(std_before, volume_std, 1e-9);
  EXPECT_NEAR(mean_after, 0, 1e-12);
  EXPECT_NEAR(std_after, std::sqrt(volume_std * volume_std / (volume_std * volume_std + 1e-5)),
              1e-12);
  EXPECT_NE(r.out.find("Volume"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tanh outputs"), std::string::npos) << r.out;
  // the pictures are what is missing without gnuplot
  EXPECT_NE(r.err.find("gnuplot not found"), std::string::npos) << r.err;
}

TEST_F(BnDemoDataCli, DrawsAPanelPerColumn) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  const fs::path out = dir / "bn";
  const auto r = bn_demo({"--data", (dir / "prices.csv").string(), "--value-col", "Close",
                          "--value-col", "Volume", "--format", "svg", "--out", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string svg = slurp_file(out / "histogram.svg");
  EXPECT_NE(svg.find("Close before BN"), std::string::npos);
  EXPECT_NE(svg.find("Volume after BN"), std::string::npos);
  EXPECT_NE(slurp_file(out / "activations-tanh.svg").find("<svg"), std::string::npos);
}

TEST_F(BnDemoDataCli, BadFilesAndColumnsAreOneLineErrors) {
  const std::string csv = (dir / "prices.csv").string();
  const auto expect_error = [&](std::vector<std::string> args, const std::string& part) {
    args.insert(args.end(), {"--out", (dir / "bn").string()});
    const auto r = bn_demo(args);
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("bnlstm: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "bn"));
  };
  expect_error({"--data", csv, "--value-col", "Nope"}, "Nope");
  expect_error({"--data", (dir / "missing.csv").string()}, "missing.csv");
  {
    std::ofstream one(dir / "one.csv");
    one << "Date,Close\n2021-01-04,100\n";
  }
  expect_error({"--data", (dir / "one.csv").string(), "--value-col", "Close"}, "one.csv");
  {
    std::ofstream bad(dir / "bad.csv");
    bad << "Date,Close\n2021-01-04,100\n2021-01-05,abc\n2021-01-06,102\n";
  }
  expect_error({"--data", (dir / "bad.csv").string(), "--value-col", "Close", "--strict"},
               "bad.csv:3: column 'Close': expected a number, got 'abc'");
}

}  // namespace
}  // namespace bnlstm
