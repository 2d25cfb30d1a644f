// `mpirun -np 2 bnlstm train ...` end to end (when the build has MPI; skipped otherwise): one
// copy of the output, rank 0's files, the same training as one process up to float rounding,
// and one error line for a bad flag. The exact multi-rank equality in double is in tests/dist/.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// history.csv -> rows of (epoch, train_loss, val_loss)
std::vector<std::vector<double>> history(const fs::path& p) {
  std::istringstream in(slurp(p));
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::strtod(cell.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}

class MpirunCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
#ifndef BNLSTM_MPIEXEC
    GTEST_SKIP() << "built without MPI";
#endif
    dir = fs::temp_directory_path() /
          ("bnlstm_mpirun_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    // a noisy sine on a trend, Yahoo-like layout with the close only
    std::ofstream csv(dir / "prices.csv");
    csv << "Date,Close\n";
    for (int i = 0; i < 200; ++i) {
      char date[16];
      std::snprintf(date, sizeof date, "2020-%02d-%02d", 1 + i / 28, 1 + i % 28);
      csv << date << "," << 100 + 0.1 * i + 3 * std::sin(0.3 * i) + 0.5 * std::sin(1.7 * i) << "\n";
    }
  }
  void TearDown() override {
    if (!dir.empty()) fs::remove_all(dir);
  }

  // args run by `ranks` processes (0: without mpirun); stdout and stderr into the folder
  int run(int ranks, const std::string& args, std::string& out, std::string& err) {
    std::string cmd;
#ifdef BNLSTM_MPIEXEC
    // what the tests' environment needs (CMakeLists.txt sets the same for the dist tests)
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    ::setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
    if (ranks > 0)
      cmd = std::string(BNLSTM_MPIEXEC) + " -n " + std::to_string(ranks) + " " +
            BNLSTM_MPIEXEC_FLAGS + " ";
#endif
    cmd += std::string(BNLSTM_CLI_PATH) + " " + args + " >" + (dir / "stdout").string() + " 2>" +
           (dir / "stderr").string();
    const int raw = std::system(cmd.c_str());
    out = slurp(dir / "stdout");
    err = slurp(dir / "stderr");
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  }

  std::string train_args(const std::string& out) const {
    return "train --data " + (dir / "prices.csv").string() +
           " --epochs 3 --hidden 8 --batch-size 16 --val-size 0.2 --no-plots --log-every 1 "
           "--out " +
           (dir / out).string();
  }
};

TEST_F(MpirunCli, TwoRanksTrainLikeOneProcessAndRankZeroAlonePrintsAndWrites) {
  std::string out1, err1, out2, err2;
  ASSERT_EQ(run(0, train_args("one"), out1, err1), 0) << err1;
  ASSERT_EQ(run(2, train_args("two"), out2, err2), 0) << err2;
  EXPECT_EQ(count(out2, "Epoch 1/3"), 1) << out2;
  EXPECT_EQ(count(out2, "data-parallel: 2 ranks"), 1) << out2;
  EXPECT_EQ(count(out1, "data-parallel"), 0) << out1;
  EXPECT_EQ(count(out2, "wrote "), count(out1, "wrote ")) << out2;
  for (const char* file : {"model.safetensors", "history.csv", "metrics.json"})
    EXPECT_TRUE(fs::exists(dir / "two" / file)) << file;
  // the same training up to float rounding (the exact comparison, in double, is tests/dist/)
  const auto h1 = history(dir / "one" / "history.csv"), h2 = history(dir / "two" / "history.csv");
  ASSERT_EQ(h1.size(), 4u);  // epochs 0 (the starting weights) to 3
  ASSERT_EQ(h2.size(), h1.size());
  for (size_t e = 0; e < h1.size(); ++e) {
    for (size_t c = 1; c < 3; ++c)
      EXPECT_NEAR(h2[e][c], h1[e][c], 1e-4 * std::abs(h1[e][c])) << "epoch " << e;
  }
}

// Every rank reads the checkpoint and resumes the same state: 2 ranks for 2 epochs, resumed by
// 2 ranks up to 4, equal 2 ranks for 4 epochs bit for bit (the same ranks split every batch the
// same way).
TEST_F(MpirunCli, ResumeUnderTwoRanksEqualsTheUninterruptedRun) {
  std::string out, err;
  const std::string args = "train --data " + (dir / "prices.csv").string() +
                           " --hidden 8 --batch-size 16 --val-size 0.2 --patience 0 --no-plots ";
  ASSERT_EQ(run(2, args + "--epochs 4 --out " + (dir / "whole").string(), out, err), 0) << err;
  ASSERT_EQ(run(2, args + "--epochs 2 --out " + (dir / "part").string(), out, err), 0) << err;
  ASSERT_EQ(run(2,
                "train --resume " + (dir / "part" / "model.safetensors").string() +
                    " --epochs 4 --no-plots --out " + (dir / "resumed").string(),
                out, err),
            0)
      << err;
  EXPECT_EQ(count(out, "resuming "), 1) << out;
  EXPECT_EQ(slurp(dir / "resumed" / "history.csv"), slurp(dir / "whole" / "history.csv"));
}

TEST_F(MpirunCli, ABadFlagIsOneErrorLine) {
  std::string out, err;
  EXPECT_EQ(run(2, "train --epochs ten", out, err), 1);
  EXPECT_EQ(count(err, "bnlstm: error:"), 1) << err;
}

// checked before CLI11 parses: a misspelt or missing command is one line too, from rank 0
TEST_F(MpirunCli, AMisspeltOrMissingCommandIsOneErrorLine) {
  std::string out, err;
  EXPECT_EQ(run(2, "trian", out, err), 1);
  EXPECT_EQ(count(err, "bnlstm: error: unknown command 'trian'"), 1) << err;
  EXPECT_EQ(count(err, "bnlstm: error:"), 1) << err;
  EXPECT_EQ(run(2, "", out, err), 1);
  EXPECT_EQ(count(err, "bnlstm: error: a command is required"), 1) << err;
  EXPECT_EQ(count(err, "bnlstm: error:"), 1) << err;
}

// the one-process commands refuse several ranks before any work (they would race for --out)
TEST_F(MpirunCli, BacktestUnderTwoRanksIsAnError) {
  std::string out, err;
  EXPECT_EQ(run(2,
                "backtest --data " + (dir / "prices.csv").string() +
                    " --epochs 1 --hidden 4 --no-plots --out " + (dir / "bt").string(),
                out, err),
            1);
  EXPECT_GE(count(err, "bnlstm: error: backtest runs on one process, started with 2 ranks"), 1)
      << err;
  EXPECT_FALSE(fs::exists(dir / "bt"));
}

}  // namespace
