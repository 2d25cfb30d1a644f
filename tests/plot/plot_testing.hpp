#pragma once
// Helpers shared by the plotting tests: a scratch folder, file reading, a gnuplot check.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm::testing {

// A fresh folder under /tmp, removed when the object goes away.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("bnlstm-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// True when `gnuplot` can be started (tests that draw pictures skip otherwise).
inline bool gnuplot_available() {
  try {
    run_gnuplot("");
    return true;
  } catch (const GnuplotNotFound&) {
    return false;
  }
}

inline const char* kPngSignature = "\x89PNG\r\n\x1a\n";

}  // namespace bnlstm::testing

#define BNLSTM_SKIP_WITHOUT_GNUPLOT()                                                          \
  do {                                                                                         \
    if (!bnlstm::testing::gnuplot_available()) {                                               \
      GTEST_SKIP() << "gnuplot not installed (Debian package gnuplot-nox): picture not drawn"; \
    }                                                                                          \
  } while (0)
