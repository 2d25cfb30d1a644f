// `bnlstm compare` end to end: two tiny `bnlstm train` runs on one generated CSV, compared
// through the built binary: the table, its formats, the picture, and one error line for each
// kind of bad input.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plot/plot_testing.hpp"
#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp_file;

class CompareCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_compare_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    testing::write_prices_csv(dir / "prices.csv");
  }
  void TearDown() override { fs::remove_all(dir); }

  // a tiny run into dir/name
  void train(const std::string& name, std::vector<std::string> extra = {},
             const std::string& csv = "prices.csv") {
    std::vector<std::string> a{
        "train",      "--data", (dir / csv).string(), "--epochs", "3", "--hidden", "4", "--quiet",
        "--no-plots", "--out",  (dir / name).string()};
    a.insert(a.end(), extra.begin(), extra.end());
    const auto r = run_cli(a, dir);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  testing::CliResult compare(std::vector<std::string> args) {
    args.insert(args.begin(), "compare");
    return run_cli(args, dir);
  }
  std::string run(const std::string& name) const { return (dir / name).string(); }
};

TEST_F(CompareCli, PrintsOneTableOfTheRunsAndDrawsTheirCurves) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  train("a", {"--norm", "none", "--seed", "1"});
  train("b", {"--norm", "batch", "--seed", "2"});
  const fs::path png = dir / "curves.png";
  const auto r = compare({run("a"), run("b"), "--plot", png.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // the header, a row per run with its norm and seed, the notes and the picture
  EXPECT_EQ(r.out.rfind("run", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("vs persistence"), std::string::npos) << r.out;
  const auto metrics_a = nlohmann::json::parse(slurp_file(dir / "a" / "metrics.json"));
  const double rmse_a = metrics_a["test"]["model"]["rmse"].get<double>();
  const std::string row_a = r.out.substr(r.out.find(run("a")));
  EXPECT_NE(row_a.substr(0, row_a.find('\n')).find("none"), std::string::npos) << r.out;
  EXPECT_NE(row_a.substr(0, row_a.find('\n')).find(fmt::format("{:#.5g}", rmse_a)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("test part: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wrote " + png.string() + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(testing::read_bytes(png).substr(0, 8), testing::kPngSignature);
}

TEST_F(CompareCli, TableAsJsonCsvAndMarkdown) {
  train("a", {"--seed", "1"});
  train("b", {"--seed", "2"});
  const auto json = compare({run("a"), run("b"), "--table", "json", "--no-plots"});
  ASSERT_EQ(json.status, 0) << json.err;
  const auto rows = nlohmann::json::parse(json.out);
  ASSERT_EQ(rows.size(), 2u);
  const auto metrics_b = nlohmann::json::parse(slurp_file(dir / "b" / "metrics.json"));
  EXPECT_EQ(rows[1]["rmse"].get<double>(), metrics_b["test"]["model"]["rmse"].get<double>());
  EXPECT_EQ(rows[1]["rmse_vs_persistence"].get<double>(),
            metrics_b["test"]["model"]["rmse"].get<double>() /
                metrics_b["test"]["persistence"]["rmse"].get<double>());
  EXPECT_EQ(rows[0]["seed"], 1);
  EXPECT_EQ(rows[0]["norm"], "batch");
  const auto csv = compare({run("a"), run("b"), "--table", "csv", "--no-plots"});
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3) << csv.out;
  EXPECT_EQ(csv.out.rfind("run,norm,hidden,seed,", 0), 0u) << csv.out;
  const auto md = compare({run("a"), "--table", "markdown", "--no-plots"});
  ASSERT_EQ(md.status, 0) << md.err;
  EXPECT_EQ(md.out.rfind("| run | norm |", 0), 0u) << md.out;
}

TEST_F(CompareCli, BadInputIsOneLineNamingTheFolderOrFile) {
  train("a");
  fs::create_directories(dir / "empty");
  const auto expect_error = [&](std::vector<std::string> args, const std::string& line) {
    args.push_back("--no-plots");
    const auto r = compare(args);
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.err, "bnlstm: error: " + line + "\n");
    EXPECT_EQ(r.out, "");
  };
  expect_error({run("a"), run("nope")}, run("nope") + ": no such folder");
  expect_error({run("a"), run("empty")},
               run("empty") +
                   ": not a run's --out folder (no history.json, no metrics.json: written by "
                   "bnlstm train or classify)");
  const std::string metrics = slurp_file(dir / "a" / "metrics.json");
  std::ofstream(dir / "a" / "metrics.json") << "{\"test\": ";
  expect_error({run("a")}, run("a") + "/metrics.json: not JSON (the run's test metrics expected)");
  fs::remove(dir / "a" / "metrics.json");
  expect_error({run("a")}, run("a") + "/metrics.json: missing (the run's test metrics)");
  std::ofstream(dir / "a" / "metrics.json") << metrics;
  fs::rename(dir / "a" / "history.json", dir / "a" / "h.json");
  expect_error({run("a")}, run("a") + "/history.json: missing (the run's loss per epoch)");
  fs::rename(dir / "a" / "h.json", dir / "a" / "history.json");
  expect_error({run("a"), run("a")}, run("a") + ": given twice (as " + run("a") + ")");
  // flags
  const auto plot = compare({run("a"), "--plot", "x.gif"});
  EXPECT_EQ(plot.status, 1);
  EXPECT_EQ(plot.err,
            "bnlstm: error: --plot: expected a file name ending in .png, .svg or .pdf, got "
            "'x.gif'\n");
  const auto none = compare({});
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.err.find("runs"), std::string::npos) << none.err;
}

TEST_F(CompareCli, MaseScaledByOtherNaiveForecastsIsAWarning) {
  train("a");
  train("b", {"--season", "5"});
  const auto r = compare({run("a"), run("b"), "--no-plots"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "bnlstm: warning: " + run("b") + ": MASE scaled by seasonal naive (5 rows), " +
                       run("a") + ": persistence (their MASE columns are not comparable)\n");
  EXPECT_NE(r.out.find("vs seasonal"), std::string::npos) << r.out;
}

TEST_F(CompareCli, RunsOnOtherDataAreRefusedUnlessAnyDataIsGiven) {
  testing::write_prices_csv(dir / "other.csv", 200);
  train("a");
  train("b", {}, "other.csv");
  const auto r = compare({run("a"), run("b"), "--no-plots"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: " + run("b") + ": data '" + (dir / "other.csv").string() +
                       "', " + run("a") + ": '" + (dir / "prices.csv").string() +
                       "'; their test metrics are not comparable (--any-data compares them "
                       "anyway)\n");
  const auto any = compare({run("a"), run("b"), "--no-plots", "--any-data"});
  EXPECT_EQ(any.status, 0) << any.err;
  EXPECT_NE(any.err.find("bnlstm: warning: " + run("b") + ": data '"), std::string::npos)
      << any.err;
  EXPECT_NE(any.out.find(run("b")), std::string::npos);
}

}  // namespace
}  // namespace bnlstm
