// End-to-end tests of `bnlstm classify` and `bnlstm study` on tiny IDX files written here.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bnlstm/data/idx.hpp"
#include "classify/tiny_images.hpp"

namespace {

namespace fs = std::filesystem;
using bnlstm::IdxArray;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_pair(const fs::path& dir, const std::string& prefix, const bnlstm::LabeledImages& d) {
  const std::string images =
      prefix == "train" ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
  const std::string labels =
      prefix == "train" ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";
  bnlstm::write_idx(dir / images, IdxArray{{d.count(), d.rows, d.cols}, d.pixels});
  std::vector<uint8_t> l(d.labels.begin(), d.labels.end());
  bnlstm::write_idx(dir / labels, IdxArray{{d.count()}, l});
}

class ClassifyCli : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_classify_cli_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
    write_pair(dir / "data", "train", bnlstm::testing::tiny_images(150, 1));
    write_pair(dir / "data", "t10k", bnlstm::testing::tiny_images(30, 2));
  }
  void TearDown() override { fs::remove_all(dir); }

  struct Result {
    int status = -1;
    std::string out, err;
  };
  Result run(const std::string& args) {
    const std::string cmd = std::string(BNLSTM_CLI_PATH) + " " + args + " >" +
                            (dir / "stdout").string() + " 2>" + (dir / "stderr").string();
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir / "stdout"), slurp(dir / "stderr")};
  }
  std::string tiny() const {
    return "--data-dir " + (dir / "data").string() +
           " --val-size 30 --hidden 8 --batch-size 20 --epochs 2 --no-plots";
  }
};

// the line of text that starts with `start`
std::string line_of(const std::string& text, const std::string& start) {
  const size_t b = text.find(start);
  return b == std::string::npos ? "(none)" : text.substr(b, text.find('\n', b) - b);
}

TEST_F(ClassifyCli, ClassifyWritesEverythingAndTheModelReusesItsPermutation) {
  const fs::path out = dir / "run";
  const Result r = run("classify " + tiny() +
                       " --view pixels --permute --optimizer adam --lr 0.02 "
                       "--eval-every 3 --out " +
                       out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("view: pixels permuted (permutation seed 1): 36 steps of 1 values"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("step      3 (epoch  0.50)"), std::string::npos) << r.out;
  for (const char* f :
       {"model.safetensors", "history.csv", "history.json", "metrics.json", "confusion.csv"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const std::string history = slurp(out / "history.csv");
  EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 5);  // header + steps 3, 6, 9, 12
  // evaluating the checkpoint reads the test images through the stored permutation: same line
  const Result e = run("classify --data-dir " + (dir / "data").string() +
                       " --val-size 30 --model " + (out / "model.safetensors").string());
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(line_of(e.out, "test: "), line_of(r.out, "test: ")) << e.out;
  EXPECT_NE(e.out.find("view pixels (permuted)"), std::string::npos) << e.out;
}

TEST_F(ClassifyCli, GateHistogramsAfterTrainingAndFromAModel) {
  const fs::path out = dir / "gates";
  Result r = run("classify " + tiny() +
                 " --norm batch --gate-histograms 0,5 --gate-images 25 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("gate pre-activations, 25 test images, step 5 (25 sequences, norm batch)"),
            std::string::npos)
      << r.out;
  for (const char* f : {"gates-step0.csv", "gates-step5.csv", "model.safetensors"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const std::string csv = slurp(out / "gates-step5.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);  // header, i f g o, c
  EXPECT_EQ(csv.substr(csv.find('\n') + 1, 2), "i,");
  // from the checkpoint: the same numbers, written beside the model (which is kept)
  fs::remove(out / "gates-step5.csv");
  r = run("classify --data-dir " + (dir / "data").string() + " --val-size 30 --no-plots --model " +
          (out / "model.safetensors").string() + " --gate-histograms 5 --gate-images 25 --out " +
          out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(out / "gates-step5.csv"), csv);
  EXPECT_TRUE(fs::exists(out / "model.safetensors"));
  EXPECT_FALSE(fs::exists(out / "gates-step0.csv"));  // the earlier gates-* are replaced as a unit
  // a step beyond the view's 6 rows: one line, before any training
  r = run("classify " + tiny() + " --gate-histograms 6 --out " + (dir / "no").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: --gate-histograms: step 6 is outside the view's steps 0..5\n");
  EXPECT_FALSE(fs::exists(dir / "no"));
}

TEST_F(ClassifyCli, StudyPrintsAProgressLinePerRunAndTheTable) {
  const fs::path out = dir / "study";
  const Result r = run("study " + tiny() +
                       " --norms none,layer --seeds 1,2 --optimizers adam "
                       "--lrs 0.02 --out " +
                       out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("run 1/4: none seed 1 ... 12 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run 4/4: layer seed 2 ... 12 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| none | 2 | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| layer | 2 | "), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "study.md"));
  EXPECT_TRUE(fs::exists(out / "study.json"));
}

TEST_F(ClassifyCli, BadInputIsOneLine) {
  Result r = run("classify --data-dir " + (dir / "nowhere").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bnlstm: error: --data-dir " + (dir / "nowhere").string() +
                       ": no such folder (Fashion-MNIST comes with Debian's dataset-fashion-mnist"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  // a truncated labels file
  const fs::path labels = dir / "data" / "t10k-labels-idx1-ubyte";
  const std::string bytes = slurp(labels);
  std::ofstream(labels, std::ios::binary) << bytes.substr(0, bytes.size() - 5);
  r = run("classify " + tiny());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "bnlstm: error: " + labels.string() +
                       ": truncated: the header promises 30 values, the file holds 25\n");
  // a flag out of range
  r = run("classify " + tiny() + " --hidden 0");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--hidden"), std::string::npos) << r.err;
  r = run("study " + tiny() + " --norms none,bogus");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--norms"), std::string::npos) << r.err;
}

}  // namespace
