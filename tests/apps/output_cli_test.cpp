// A run's outputs as one unit (bnlstm/io/output_folder.hpp) and single output files
// (bnlstm/io/atomic_file.hpp), end to end through the built binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp_file;
using testing::snapshot;

class OutputCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_output_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    testing::write_prices_csv(dir / "prices.csv");
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<std::string> train(const fs::path& out, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"train",     "--data",  (dir / "prices.csv").string(),
                               "--epochs",  "2",       "--hidden",
                               "4",         "--quiet", "--out",
                               out.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  fs::path trained_model() {
    const auto r = run_cli(train(dir / "model-run", {"--no-plots"}), dir);
    EXPECT_EQ(r.status, 0) << r.err;
    return dir / "model-run" / "model.safetensors";
  }
  std::vector<std::string> leftovers() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string n = e.path().filename().string();
      if (n.find(".bnlstm-") != std::string::npos) names.push_back(n);
    }
    return names;
  }
};

// A run that fails after training (gnuplot fails on the first picture) leaves the previous
// run's folder exactly as it was: it used to hold the new model beside the old pictures.
TEST_F(OutputCli, AFailedRunLeavesThePreviousRunsFolderAlone) {
  const fs::path out = dir / "run";
  ASSERT_EQ(run_cli(train(out, {"--no-plots", "--seed", "1"}), dir).status, 0);
  { std::ofstream(out / "notes.txt") << "mine"; }
  const auto before = snapshot(out);
  const auto r = run_cli(train(out, {"--seed", "2", "--gnuplot", "/bin/false"}), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(snapshot(out), before);
  EXPECT_TRUE(leftovers().empty());
  // a successful run replaces the run's files together and keeps what is not the run's
  ASSERT_EQ(run_cli(train(out, {"--no-plots", "--seed", "3"}), dir).status, 0);
  EXPECT_NE(slurp_file(out / "model.safetensors"), before.at("model.safetensors"));
  EXPECT_EQ(slurp_file(out / "notes.txt"), "mine");
  EXPECT_TRUE(leftovers().empty());
}

// A second run into a busy --out fails at once naming the holder; a killed run's staging
// folder and temporary files are cleared by the next run.
TEST_F(OutputCli, ASecondRunFailsAtOnceAndAKilledRunIsCleanedUp) {
  const fs::path out = dir / "run";
  const std::string pid_file = (dir / "pid").string();
  std::string cmd = testing::shell_quote(BNLSTM_CLI_PATH);
  for (const auto& a : train(out, {"--epochs", "100000", "--patience", "0", "--no-plots"}))
    cmd += " " + testing::shell_quote(a);
  ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1 & echo $! >" + pid_file).c_str()), 0);
  const pid_t pid = std::stoi(slurp_file(pid_file));
  const fs::path lock = dir / ".run.bnlstm-lock";
  for (int i = 0; i < 500 && slurp_file(lock).find("bnlstm train") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_cli(train(out, {"--no-plots"}), dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("bnlstm: error: --out " + out.string() + ": in use by another run (pid " +
                            std::to_string(pid) + ", since ",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find(": " + std::string(BNLSTM_CLI_PATH) + " train --data"), std::string::npos)
      << r.err;
  EXPECT_LT(seconds, 5.0);
  EXPECT_FALSE(fs::exists(out));

  ::kill(pid, SIGKILL);
  for (int i = 0; i < 500 && ::kill(pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // what a kill leaves: the staging folder (and, from older versions, a temporary file)
  ASSERT_EQ(leftovers().size(), 2u);  // the staging folder and the lock file
  fs::create_directories(out);
  { std::ofstream(out / ".model.safetensors.AbC123") << "half"; }
  ASSERT_EQ(run_cli(train(out, {"--no-plots"}), dir).status, 0);
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(out / ".model.safetensors.AbC123"));
  EXPECT_TRUE(fs::exists(out / "model.safetensors"));
}

// The writability check creates a real file: /proc passes access(W_OK) for root.
TEST_F(OutputCli, AnUnwritableOutFailsBeforeTraining) {
  const auto r = run_cli(train("/proc/bnlstm-x"), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("bnlstm: error: --out /proc/bnlstm-x: cannot write in /proc (", 0), 0u)
      << r.err;
  EXPECT_EQ(r.out, "");  // before any work
}

TEST_F(OutputCli, SingleOutputFilesFollowLinksRefuseDevicesAndTakeDash) {
  const fs::path model = trained_model();
  // through a symbolic link: the target is written, the link stays
  fs::create_symlink(dir / "target.csv", dir / "link.csv");
  auto r = run_cli(
      {"predict", "--quiet", "--model", model.string(), "--output", (dir / "link.csv").string()},
      dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir / "link.csv"));
  EXPECT_EQ(slurp_file(dir / "target.csv").substr(0, 19), "date,step,forecast\n");
  // a fifo (or a device) is not replaced by a regular file
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  r = run_cli({"predict", "--model", model.string(), "--output", (dir / "fifo").string()}, dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: " + (dir / "fifo").string() +
                       ": is a fifo, expected a regular file (or - for stdout)\n");
  EXPECT_TRUE(fs::is_fifo(dir / "fifo"));
  // a device: a private copy of /dev/full where we may (root), never a system device (a
  // regression would replace it by a regular file)
  if (::mknod((dir / "full").c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0) {
    r = run_cli({"evaluate", "--model", model.string(), "--output", (dir / "full").string()}, dir);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "bnlstm: error: " + (dir / "full").string() +
                         ": is a character device, expected a regular file (or - for stdout)\n");
    EXPECT_TRUE(fs::is_character_file(dir / "full"));
  }
  // - is stdout
  r = run_cli({"predict", "--quiet", "--model", model.string(), "--output", "-"}, dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, slurp_file(dir / "target.csv"));
  EXPECT_FALSE(fs::exists(dir / "-"));
}

// stdout on a full device: the forecasts are lost, so the exit status says so.
TEST_F(OutputCli, AFullStdoutIsAnError) {
  const fs::path model = trained_model();
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"predict", "--quiet", "--model", model.string()},
                                             {"evaluate", "--model", model.string()},
                                             train(dir / "full", {"--no-plots"})}) {
    const auto r = run_cli(args, dir, "/dev/full");
    EXPECT_EQ(r.status, 1) << args[0];
    EXPECT_EQ(r.err, "bnlstm: error: stdout: cannot write (No space left on device)\n") << args[0];
  }
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

// The data path is stored as given and absolute: evaluate works from another folder, and when
// the file is gone the message says where the path came from and what to pass.
TEST_F(OutputCli, TheCheckpointsDataIsFoundFromAnotherFolder) {
  fs::create_directories(dir / "a");
  fs::rename(dir / "prices.csv", dir / "a" / "prices.csv");
  auto r = run_cli({"train", "--data", "prices.csv", "--epochs", "1", "--hidden", "4", "--quiet",
                    "--no-plots", "--out", "run"},
                   dir, "", (dir / "a").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string model = (dir / "a" / "run" / "model.safetensors").string();
  r = run_cli({"evaluate", "--model", model}, dir, "", dir.string());
  EXPECT_EQ(r.status, 0) << r.err;
  fs::rename(dir / "a" / "prices.csv", dir / "moved.csv");
  r = run_cli({"predict", "--model", model}, dir, "", dir.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: " + (dir / "a" / "prices.csv").string() +
                       ": no such file (the path came from the checkpoint " + model +
                       "; pass --data FILE to name the data)\n");
  r = run_cli({"predict", "--quiet", "--model", model, "--data", "moved.csv"}, dir, "",
              dir.string());
  EXPECT_EQ(r.status, 0) << r.err;
  // a folder given as --model
  r = run_cli({"predict", "--model", (dir / "a" / "run").string()}, dir);
  EXPECT_EQ(r.err, "bnlstm: error: " + (dir / "a" / "run").string() +
                       ": is a folder, expected a .safetensors file (such as " + model + ")\n");
}

}  // namespace
}  // namespace bnlstm
