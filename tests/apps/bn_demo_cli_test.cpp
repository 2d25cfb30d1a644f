// `bnlstm bn-demo` end to end: runs the built binary (BNLSTM_CLI_PATH) and checks its exit
// status, what it prints and the files it writes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "plot/plot_testing.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

struct CliRun {
  int status = -1;
  std::string out, err;
};

// Runs the CLI with `args` (paths in args must not need shell quoting).
CliRun run_cli(const ScratchDir& dir, const std::string& args) {
  const fs::path out = dir.path / "stdout.txt", err = dir.path / "stderr.txt";
  const std::string command =
      std::string(BNLSTM_CLI_PATH) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int raw = std::system(command.c_str());
  CliRun r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = testing::read_bytes(out);
  r.err = testing::read_bytes(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

size_t lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(BnDemoCli, WritesTableStatsAndPictures) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("cli-bn-demo");
  const fs::path out = dir.path / "out" / "bn-demo";
  const CliRun r = run_cli(dir, "bn-demo --out " + out.string() + " --seed 7 --activation sigmoid");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("seed 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("std after (biased)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sigmoid outputs"), std::string::npos) << r.out;
  for (const char* name : {"stats.csv", "histogram.png", "activations-sigmoid.png"}) {
    EXPECT_NE(r.out.find("wrote " + (out / name).string() + "\n"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(out / name)) << name;
  }
  EXPECT_EQ(testing::read_bytes(out / "histogram.png").substr(0, 8), testing::kPngSignature);
}

TEST(BnDemoCli, SvgAndPdfFormats) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("cli-bn-demo-formats");
  ASSERT_EQ(run_cli(dir, "bn-demo --format svg --out " + (dir.path / "svg").string()).status, 0);
  ASSERT_EQ(
      run_cli(dir, "bn-demo --format pdf --activation relu --out " + (dir.path / "pdf").string())
          .status,
      0);
  EXPECT_NE(testing::read_bytes(dir.path / "svg" / "histogram.svg").find("<svg"),
            std::string::npos);
  EXPECT_EQ(testing::read_bytes(dir.path / "pdf" / "activations-relu.pdf").substr(0, 5), "%PDF-");
  // the folder is one run's: a pdf run into the svg folder replaces the svg pictures
  ASSERT_EQ(run_cli(dir, "bn-demo --format pdf --out " + (dir.path / "svg").string()).status, 0);
  EXPECT_FALSE(fs::exists(dir.path / "svg" / "histogram.svg"));
  EXPECT_TRUE(fs::exists(dir.path / "svg" / "histogram.pdf"));
}

TEST(BnDemoCli, SameSeedPrintsTheSameTable) {
  ScratchDir dir("cli-bn-demo-seed");
  const std::string args = "bn-demo --gnuplot /nonexistent/gnuplot --out " + dir.path.string();
  const CliRun a = run_cli(dir, args + " --seed 5"), b = run_cli(dir, args + " --seed 5"),
               c = run_cli(dir, args + " --seed 6");
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.substr(8), c.out.substr(8));  // beyond the "seed N" line
}

TEST(BnDemoCli, BadFormatIsAOneLineErrorNamingTheFlag) {
  ScratchDir dir("cli-bn-demo-badformat");
  const CliRun r = run_cli(dir, "bn-demo --format jpeg --out " + dir.path.string());
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.out, "");
  // CLI11: "--format: jpeg not in {png,svg,pdf}" (+ its "Run with --help" hint line)
  const std::string first = r.err.substr(0, r.err.find('\n'));
  EXPECT_NE(first.find("--format"), std::string::npos) << r.err;
  EXPECT_NE(first.find("jpeg"), std::string::npos) << r.err;
  EXPECT_NE(first.find("png"), std::string::npos) << r.err;
  EXPECT_LE(lines(r.err), 2u) << r.err;
  EXPECT_FALSE(fs::exists(dir.path / "stats.csv"));
}

TEST(BnDemoCli, BadActivationAndSeed) {
  ScratchDir dir("cli-bn-demo-badflags");
  const CliRun act = run_cli(dir, "bn-demo --activation gelu --out " + dir.path.string());
  EXPECT_NE(act.status, 0);
  EXPECT_NE(act.err.substr(0, act.err.find('\n')).find("--activation"), std::string::npos)
      << act.err;
  const CliRun seed = run_cli(dir, "bn-demo --seed abc --out " + dir.path.string());
  EXPECT_NE(seed.status, 0);
  EXPECT_NE(seed.err.find("--seed"), std::string::npos) << seed.err;
}

TEST(BnDemoCli, UnwritableOutIsAOneLineErrorNamingThePath) {
  ScratchDir dir("cli-bn-demo-badout");
  { std::ofstream(dir.path / "file") << "x"; }
  const fs::path bad = dir.path / "file" / "out";
  const CliRun r = run_cli(dir, "bn-demo --out " + bad.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("bnlstm: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad.string()), std::string::npos) << r.err;
}

TEST(BnDemoCli, MissingGnuplotStillPrintsAndWritesTheNumbers) {
  ScratchDir dir("cli-bn-demo-nognuplot");
  const CliRun r =
      run_cli(dir, "bn-demo --gnuplot /nonexistent/gnuplot --out " + dir.path.string());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("gnuplot not found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("install the Debian package gnuplot-nox"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("numeric output was still written"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("std after (biased)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wrote " + (dir.path / "stats.csv").string()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(".png"), std::string::npos) << r.out;
  EXPECT_EQ(
      std::count_if(fs::directory_iterator(dir.path), fs::directory_iterator(),
                    [](const fs::directory_entry& e) { return e.path().extension() == ".png"; }),
      0);
  EXPECT_TRUE(fs::exists(dir.path / "stats.csv"));
}

}  // namespace
}  // namespace bnlstm
