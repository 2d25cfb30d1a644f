// End-to-end tests of `bnlstm train`, `evaluate` and `predict`: the built binary
// (BNLSTM_CLI_PATH) is run on a small generated CSV with a tiny model, so each run takes
// well under a second.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class WorkflowCli : public ::testing::Test {
 protected:
  fs::path dir;

  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_cli_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    // 150 business days from Monday 2021-01-04, Yahoo layout
    std::ofstream csv(dir / "prices.csv");
    csv << "Date,Open,High,Low,Close,Adj Close,Volume\n";
    int day = 0;
    for (int i = 0; i < 150; ++i) {
      const int y = 2021, dow = day % 7;
      if (dow >= 5) {
        day += 7 - dow;
      }
      // days since 2021-01-04 to a date string
      const auto d = std::chrono::sys_days{std::chrono::year{y} / 1 / 4} + std::chrono::days{day};
      const std::chrono::year_month_day ymd{d};
      char date[16];
      std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      const double close = 100 + 0.1 * i + 3 * std::sin(0.3 * i);
      csv << date << "," << close - 0.5 << "," << close + 1 << "," << close - 1 << "," << close
          << "," << close << "," << 1000 + i << "\n";
      ++day;
    }
  }
  void TearDown() override { fs::remove_all(dir); }

  Result run(const std::string& args) {
    const std::string cmd = std::string(BNLSTM_CLI_PATH) + " " + args + " >" +
                            (dir / "stdout").string() + " 2>" + (dir / "stderr").string();
    const int raw = std::system(cmd.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(dir / "stdout");
    r.err = slurp(dir / "stderr");
    return r;
  }

  std::string data() const { return "--data " + (dir / "prices.csv").string(); }
  std::string tiny() const {
    return "--epochs 3 --hidden 8 --batch-size 16 --no-plots --log-every 1";
  }

  // Expects a one-line error "bnlstm: error: <message>" and exit status 1.
  void expect_error(const std::string& args, const std::string& message) {
    const Result r = run(args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_EQ(r.err, "bnlstm: error: " + message + "\n") << args;
  }
};

// The lines of `text` from the one starting with `first` up to the verdict.
std::string table(const std::string& text, const std::string& first) {
  const size_t b = text.find(first);
  if (b == std::string::npos) return "(no table)";
  const size_t v = text.find("verdict:", b);
  return text.substr(b, text.find('\n', v) - b);
}

TEST_F(WorkflowCli, TrainWritesEverythingAndEvaluateReprintsItsTable) {
  const fs::path out = dir / "run";
  const Result r = run("train " + data() + " " + tiny() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Epoch 1/3 - Loss: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", Val Loss: "), std::string::npos);
  EXPECT_NE(r.out.find("persistence (tomorrow=today)"), std::string::npos);
  // the default scaler (docs/workflow.md: measured)
  EXPECT_NE(r.out.find(", scaler z_score\n"), std::string::npos) << r.out;
  for (const char* f :
       {"model.safetensors", "history.csv", "history.json", "metrics.json", "test_forecasts.csv"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  // one CSV line per epoch, epoch 0 (the starting weights) included
  const std::string history = slurp(out / "history.csv");
  EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 5);
  EXPECT_EQ(history.rfind("epoch,train_loss,val_loss\n0,", 0), 0u) << history;
  EXPECT_NE(r.out.find("Epoch 0/3 - Loss: "), std::string::npos) << r.out;
  // a validation part is held out by default
  EXPECT_NE(r.out.find("validation 2021-"), std::string::npos) << r.out;
  // no stray temporary or probe files
  for (const auto& e : fs::directory_iterator(out))
    EXPECT_NE(e.path().filename().string()[0], '.') << e.path();

  const Result e = run("evaluate --model " + (out / "model.safetensors").string());
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(table(e.out, "test ("), table(r.out, "test (")) << e.out;
}

// The notebook's protocol is one flag away, and every output then calls the curve the test loss.
TEST_F(WorkflowCli, ValidatingOnTheTestPartIsExplicitAndNamedSo) {
  const fs::path out = dir / "nb";
  const Result r =
      run("train " + data() + " " + tiny() + " --validate-on-test --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Epoch 1/3 - Loss: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", Test Loss: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Val Loss"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("validation 2021-"), std::string::npos) << r.out;
  EXPECT_EQ(slurp(out / "history.csv").rfind("epoch,train_loss,test_loss\n", 0), 0u);
  const std::string metrics = slurp(out / "metrics.json");
  EXPECT_NE(metrics.find("\"best_test_loss\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("test part (--validate-on-test)"), std::string::npos) << metrics;
  expect_error(
      "train " + data() + " --validate-on-test --val-size 0.1 --out " + (dir / "x").string(),
      "--validate-on-test: the test part validates, so --val-size cannot be given too");
  // --notebook: the notebook's settings, each overridable
  const Result n =
      run("train " + data() + " " + tiny() + " --notebook --out " + (dir / "nb2").string());
  ASSERT_EQ(n.status, 0) << n.err;
  EXPECT_NE(n.out.find(", Test Loss: "), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("target level of 'Close'"), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("scaler min_max"), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("weight drawn with xavier"), std::string::npos) << n.out;
  EXPECT_EQ(n.out.find("Epoch 0/"), std::string::npos) << n.out;
  const Result m = run("train " + data() + " " + tiny() + " --notebook --target delta --out " +
                       (dir / "nb3").string());
  ASSERT_EQ(m.status, 0) << m.err;
  EXPECT_NE(m.out.find("target delta of 'Close'"), std::string::npos) << m.out;
}

TEST_F(WorkflowCli, SeasonAddsTheSeasonalNaiveBaselineAndMase) {
  const fs::path out = dir / "season";
  const Result r = run("train " + data() + " " + tiny() + " --season 20 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("seasonal naive (20 rows)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict: the model "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" seasonal naive (RMSE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MASE: mean absolute error / that of the seasonal naive forecast (20 rows)"),
            std::string::npos)
      << r.out;
  const std::string csv = slurp(out / "test_forecasts.csv");
  EXPECT_EQ(csv.rfind("origin,date,step,actual,predicted,persistence,seasonal_naive\n", 0), 0u);
  EXPECT_NE(slurp(out / "metrics.json").find("\"model_beats_seasonal_naive\""), std::string::npos);
  // evaluate takes the season from the checkpoint
  const Result e = run("evaluate --model " + (out / "model.safetensors").string());
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(table(e.out, "test ("), table(r.out, "test (")) << e.out;
}

TEST_F(WorkflowCli, BacktestRefitsPerFoldAndWritesFoldsWithTheirDates) {
  const fs::path out = dir / "bt";
  const std::string tiny = " --epochs 3 --hidden 8 --batch-size 16 --no-plots";
  const Result r = run("backtest " + data() + tiny + " --refit 10 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  // 150 rows: forecasts from row 0.7 * 150 + 0.1 * 150 = 120 on, 30 rows in folds of 10
  EXPECT_NE(r.out.find("fold 1/3: 105 rows to "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fold 3/3: 125 rows to "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("backtest (30 forecasts)"), std::string::npos) << r.out;
  const std::string folds = slurp(out / "folds.csv");
  EXPECT_EQ(std::count(folds.begin(), folds.end(), '\n'), 4) << folds;
  // fold 1's first target is row 120, business day 120 after Monday 2021-01-04: 2021-06-21
  // (row 104, the last training row, is Friday 2021-05-28; row 119, the first origin, 2021-06-18)
  EXPECT_NE(folds.find("\n1,2021-05-28,2021-06-18,2021-07-01,2021-06-21,2021-07-02,10,"),
            std::string::npos)
      << folds;
  const std::string forecasts = slurp(out / "forecasts.csv");
  EXPECT_EQ(std::count(forecasts.begin(), forecasts.end(), '\n'), 31);
  // deterministic, and a fixed model is trained once
  const Result again =
      run("backtest " + data() + tiny + " --refit 10 --out " + (dir / "bt2").string());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(slurp(dir / "bt2" / "forecasts.csv"), forecasts);
  const Result fixed =
      run("backtest " + data() + tiny + " --refit 0 --out " + (dir / "bt3").string());
  ASSERT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_NE(fixed.out.find("model of fold 1"), std::string::npos) << fixed.out;
}

// Digits after leading zeros: "0.0000688" has 3, "0.0001" 1.
int significant_digits(const std::string& number) {
  const auto first = number.find_first_not_of("0.");
  if (first == std::string::npos) return 0;
  return static_cast<int>(std::count_if(number.begin() + static_cast<std::ptrdiff_t>(first),
                                        number.end(), [](char c) { return c != '.'; }));
}

// Every "RMSE x vs persistence y" of the output: each number with at least three significant
// digits; returns how many pairs were checked.
int check_rmse_digits(const std::string& out) {
  const std::regex pair(R"(RMSE (\d+\.\d+) vs persistence (\d+\.\d+))");
  int pairs = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), pair); it != std::sregex_iterator();
       ++it, ++pairs) {
    EXPECT_GE(significant_digits((*it)[1]), 3) << it->str();
    EXPECT_GE(significant_digits((*it)[2]), 3) << it->str();
  }
  return pairs;
}

TEST_F(WorkflowCli, SmallErrorsKeepThreeSignificantDigitsInBacktestAndStudyForecastLines) {
  // the fixture's prices scaled by 1e-5: errors in the millionths, which 4 fixed decimals print
  // as "RMSE 0.0000 vs persistence 0.0000"; the lines use evaluate's rule (error_decimals)
  {
    std::ofstream csv(dir / "small.csv");
    csv << "date,close\n";
    for (int i = 0; i < 150; ++i) {
      const auto d = std::chrono::sys_days{std::chrono::year{2021} / 1 / 1} + std::chrono::days{i};
      const std::chrono::year_month_day ymd{d};
      char date[16];
      std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
      csv << date << "," << (100 + 0.1 * i + 3 * std::sin(0.3 * i)) * 1e-5 << "\n";
    }
  }
  const std::string small = "--data " + (dir / "small.csv").string();
  const std::string tiny = " --epochs 3 --hidden 8 --batch-size 16 --no-plots";
  const Result b = run("backtest " + small + tiny + " --refit 10 --out " + (dir / "bt").string());
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(check_rmse_digits(b.out), 3) << b.out;  // one line per fold
  const Result s = run("study-forecast " + small + tiny +
                       " --seeds 1,2 --norms none --optimizers sgd --lrs 0.01 --out " +
                       (dir / "study").string());
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(check_rmse_digits(s.out), 2) << s.out;  // one line per run
}

TEST_F(WorkflowCli, PredictPrintsTheNextBusinessDays) {
  const fs::path out = dir / "run";
  ASSERT_EQ(
      run("train " + data() + " " + tiny() + " --horizon 3 --look-back 4 --out " + out.string())
          .status,
      0);
  const Result p = run("predict --model " + (out / "model.safetensors").string());
  ASSERT_EQ(p.status, 0) << p.err;
  // the data ends on Friday 2021-07-30: Monday, Tuesday, Wednesday follow
  std::istringstream lines(p.out);
  std::string header, l1, l2, l3, extra;
  std::getline(lines, header);
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  EXPECT_EQ(header, "date,step,forecast");
  EXPECT_EQ(l1.substr(0, 13), "2021-08-02,1,");
  EXPECT_EQ(l2.substr(0, 13), "2021-08-03,2,");
  EXPECT_EQ(l3.substr(0, 13), "2021-08-04,3,");
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_NE(p.err.find("last observed 2021-07-30"), std::string::npos) << p.err;
  // --output writes the same CSV
  ASSERT_EQ(run("predict --quiet --model " + (out / "model.safetensors").string() + " --output " +
                (dir / "next.csv").string())
                .status,
            0);
  EXPECT_EQ(slurp(dir / "next.csv"), p.out);
}

// --input is stored in the checkpoint: evaluate rebuilds the same delta inputs (same table) and
// predict forecasts from them; a level model of the same seed gives another table.
TEST_F(WorkflowCli, DeltaInputsTravelThroughTheCheckpoint) {
  const fs::path out = dir / "run", lvl = dir / "lvl";
  const Result r =
      run("train " + data() + " " + tiny() + " --input delta --look-back 3 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("delta inputs, look-back 3"), std::string::npos) << r.out;
  const Result e = run("evaluate --model " + (out / "model.safetensors").string());
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_NE(e.out.find("delta inputs"), std::string::npos) << e.out;
  EXPECT_EQ(table(e.out, "test ("), table(r.out, "test (")) << e.out;
  const Result p = run("predict --model " + (out / "model.safetensors").string());
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(p.out.substr(0, 32), "date,step,forecast\n2021-08-02,1,");
  const Result l = run("train " + data() + " " + tiny() + " --look-back 3 --out " + lvl.string());
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_NE(table(l.out, "test ("), table(r.out, "test ("));
  expect_error("train " + data() + " --input log --out " + (dir / "x").string(),
               "--input: expected level, delta or both, got 'log'");
}

TEST_F(WorkflowCli, SameSeedAndThreadsGiveIdenticalLossesBitForBit) {
  const std::string args = "train " + data() +
                           " --epochs 4 --hidden 16 --batch-size 8 --no-plots --quiet --seed 5 "
                           "--threads 2 --out ";
  ASSERT_EQ(run(args + (dir / "a").string()).status, 0);
  ASSERT_EQ(run(args + (dir / "b").string()).status, 0);
  EXPECT_EQ(slurp(dir / "a" / "history.csv"), slurp(dir / "b" / "history.csv"));
  EXPECT_EQ(slurp(dir / "a" / "test_forecasts.csv"), slurp(dir / "b" / "test_forecasts.csv"));
  ASSERT_EQ(run("train " + data() +
                " --epochs 4 --hidden 16 --batch-size 8 --no-plots --quiet --seed 6 "
                "--threads 2 --out " +
                (dir / "c").string())
                .status,
            0);
  EXPECT_NE(slurp(dir / "a" / "history.csv"), slurp(dir / "c" / "history.csv"));
}

TEST_F(WorkflowCli, StudyForecastComparesTheNormsOverSeeds) {
  const fs::path out = dir / "study";
  const std::string tiny = " --epochs 3 --hidden 8 --batch-size 16 --no-plots";
  const Result r = run("study-forecast " + data() + tiny +
                       " --seeds 1,2 --norms none,batch --optimizers sgd,adam --lrs 0.01,0.001 "
                       "--thresholds 0.9 --out " +
                       out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("run 1/8: none/sgd seed 1 ... 3 epochs, kept "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run 8/8: batch/adam seed 2 ... "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| variant | seeds | test RMSE / persistence: median | worst |"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n| batch/adam | 2 | "), std::string::npos) << r.out;
  const std::string md = slurp(out / "study.md");
  EXPECT_EQ(std::count(md.begin(), md.end(), '\n'), 6);  // header, rule, 4 variants
  EXPECT_NE(r.out.find(md), std::string::npos);
  const auto j = nlohmann::json::parse(slurp(out / "study.json"));
  EXPECT_EQ(j["runs"].size(), 8u);
  EXPECT_EQ(j["variants"][3]["lr"], 0.001);
  // the same study again: the same table (seeded, one thread)
  const Result again = run("study-forecast " + data() + tiny +
                           " --seeds 1,2 --norms none,batch --optimizers sgd,adam --lrs "
                           "0.01,0.001 --thresholds 0.9 --quiet --out " +
                           (dir / "again").string());
  ASSERT_EQ(again.status, 0) << again.err;
  const auto k = nlohmann::json::parse(slurp(dir / "again" / "study.json"));
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(k["runs"][i]["test_rmse"], j["runs"][i]["test_rmse"]);
  // train's single-variant flags are refused, and a bad list is named
  expect_error("study-forecast " + data() + " --norm batch",
               "--norm: study-forecast compares "
               "several; use --norms");
  expect_error("study-forecast " + data() + " --optimizers sgd,adam --lrs 1,2,3",
               "--lrs: expected 1 or 2 learning rates (one per optimizer), got 3");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST_F(WorkflowCli, BadInputGivesOneLineErrorsAndWritesNothing) {
  const std::string out = " --out " + (dir / "out").string();
  const std::string csv = (dir / "prices.csv").string();
  expect_error("train --data " + (dir / "missing.csv").string() + " " + tiny() + out,
               (dir / "missing.csv").string() + ": no such file");
  expect_error("train " + data() + " --value-col Price " + tiny() + out,
               csv +
                   ": no value column 'Price' (available: 'Date', 'Open', 'High', 'Low', 'Close', "
                   "'Adj Close', 'Volume')");
  expect_error(
      "train " + data() + " --start 2030-01-01 " + tiny() + out,
      csv + ": no rows between 2030-01-01 and the end (the file covers 2021-01-04..2021-07-30)");
  expect_error("train " + data() + " --look-back 200 " + tiny() + out,
               "too few rows for look-back 200 and horizon 1: have 150, need at least 201");
  expect_error("train " + data() + " --epochs ten" + out,
               "--epochs: expected an integer >= 1, got 'ten'");
  expect_error("train " + data() + " --target sideways" + out,
               "--target: expected level or delta, got 'sideways'");
  expect_error("train " + data() + " --scaler robust" + out,
               "--scaler: expected zscore or minmax, got 'robust'");
  expect_error("train " + data() + " --norm group" + out,
               "--norm: expected batch, layer or none, got 'group'");
  expect_error("train " + data() + " --train-size 1.5" + out,
               "--train-size: expected a fraction in (0, 1), got '1.5'");
  expect_error("train " + data() + " --lr -1" + out, "--lr: expected a number > 0, got '-1'");
  EXPECT_FALSE(fs::exists(dir / "out")) << "a failed run must not create --out";

  // malformed number: skipped by default, an error with --strict
  {
    std::ofstream bad(dir / "bad.csv");
    std::istringstream good(slurp(dir / "prices.csv"));
    std::string line;
    for (int i = 0; i < 4 && std::getline(good, line); ++i) bad << line << "\n";
    bad << "2022-01-03,1,1,1,abc,1,1\n";
  }
  expect_error("train --data " + (dir / "bad.csv").string() + " --strict " + tiny() + out,
               (dir / "bad.csv").string() + ":5: column 'Close': expected a number, got 'abc'");

  // unwritable output: a file stands where the folder should be
  { std::ofstream(dir / "file") << "x"; }
  expect_error("train " + data() + " " + tiny() + " --out " + (dir / "file" / "sub").string(),
               "--out " + (dir / "file" / "sub").string() + ": cannot create the folder (" +
                   (dir / "file").string() + " is not a folder)");

  // a checkpoint that is not one
  // (the first 8 bytes "Date,Ope" read as a little-endian header length)
  expect_error("evaluate --model " + csv, csv +
                                              ": not a bnlstm checkpoint: not a valid safetensors "
                                              "file: header length 7309429247321596228 "
                                              "exceeds file size");
  expect_error("predict --model " + (dir / "none.safetensors").string(),
               (dir / "none.safetensors").string() + ": no such model file");
}

}  // namespace
