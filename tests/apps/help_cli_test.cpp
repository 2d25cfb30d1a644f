// `bnlstm`, `bnlstm help [COMMAND]` and a misspelt command: one line listing the commands.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out, err;
};

Result run(const std::string& args) {
  const fs::path dir = fs::temp_directory_path() / ("bnlstm_help_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cmd = std::string(BNLSTM_CLI_PATH) + " " + args + " >" +
                          (dir / "out").string() + " 2>" + (dir / "err").string();
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

const std::string kCommands =
    "commands: bn-demo, train, evaluate, predict, classify, study, backtest, study-forecast, "
    "compare, help "
    "(bnlstm help COMMAND for its flags)";

TEST(HelpCli, MisspeltCommandSuggestsTheNearestAndListsAll) {
  Result r = run("trian --epochs 3");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: unknown command 'trian' (did you mean 'train'?); " + kCommands +
                       "\n");
  r = run("forecast");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: unknown command 'forecast'; " + kCommands + "\n");
  r = run("");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: a command is required; " + kCommands + "\n");
  r = run("help predictt");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: unknown command 'predictt' (did you mean 'predict'?); " +
                       kCommands + "\n");
}

TEST(HelpCli, HelpPrintsTheCommandsOrOneCommandsFlags) {
  Result r = run("help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("train"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("backtest"), std::string::npos) << r.out;
  r = run("help predict");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--freq"), std::string::npos) << r.out;
  // flags still reach CLI11
  r = run("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("bnlstm 0.1.0", 0), 0u) << r.out;
}

}  // namespace

namespace {

// Without a terminal (stderr to a file), train prints one progress line per epoch on stderr.
TEST(ProgressCli, OneLinePerEpochWithoutATerminal) {
  const fs::path dir = fs::temp_directory_path() / ("bnlstm_progress_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "p.csv");
    csv << "date,value\n";
    for (int i = 0; i < 60; ++i)
      csv << "2020-" << (i < 31 ? "01-" : "02-") << (i < 31 ? i + 1 : i - 30) / 10
          << (i < 31 ? i + 1 : i - 30) % 10 << "," << 10 + i % 7 << "\n";
  }
  const std::string args = "train --data " + (dir / "p.csv").string() +
                           " --epochs 3 --patience 5 --hidden 4 --no-plots --out " +
                           (dir / "out").string();
  const Result r = run(args);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* line : {"epoch 1/3: ", "epoch 2/3: ", "epoch 3/3: "})
    EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" s, at most about "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("bnlstm: note:"), std::string::npos) << r.err;
  // a second run into the same --out says it replaces the first one's files
  const Result again = run(args);
  fs::remove_all(dir);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("bnlstm: note: replaced an earlier run's files in --out " +
                           (dir / "out").string() +
                           " (history.csv, history.json, metrics.json, model.safetensors, ...)\n"),
            std::string::npos)
      << again.err;
}

}  // namespace

namespace {

// --quiet prints the table and one line naming the run.
TEST(QuietCli, NamesTheRun) {
  const fs::path dir = fs::temp_directory_path() / ("bnlstm_quiet_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "p.csv");
    csv << "date,value\n";
    for (int i = 1; i <= 60; ++i)
      csv << "2020-" << (i <= 31 ? "01-" : "02-") << (i <= 31 ? i : i - 31) / 10
          << (i <= 31 ? i : i - 31) % 10 << "," << 10 + i % 7 << "\n";
  }
  const Result r = run("train --data " + (dir / "p.csv").string() +
                       " --epochs 1 --hidden 4 --seed 3 --norm layer --no-plots --quiet --out " +
                       (dir / "out").string());
  fs::remove_all(dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("run: --out " + (dir / "out").string() +
                            ", norm layer, hidden 4, seed 3, look-back 1, horizon 1\n\ntest (",
                        0),
            0u)
      << r.out;
}

}  // namespace
