// Every input of the fuzzers' seed corpora (fuzz/corpus/: real files and every reproducer from
// issue #10) run once through the same harnesses as `make fuzz`, so that `make test` and
// `make test-asan` (address + undefined-behaviour sanitizers) replay them on every build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "checkpoint_harness.hpp"
#include "csv_harness.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;

template <typename Harness>
int replay(const std::string& corpus, Harness harness) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(BNLSTM_FUZZ_CORPUS_DIR) / corpus)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    SCOPED_TRACE(e.path().string());
    EXPECT_NO_THROW(harness(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ++n;
  }
  return n;
}

TEST(FuzzCorpus, CsvInputsAllHandled) { EXPECT_GE(replay("csv", fuzz::fuzz_csv), 10); }

TEST(FuzzCorpus, CheckpointInputsAllHandled) {
  EXPECT_GE(replay("checkpoint", fuzz::fuzz_checkpoint), 10);
}

}  // namespace
}  // namespace bnlstm
