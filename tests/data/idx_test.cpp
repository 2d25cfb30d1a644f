#include "bnlstm/data/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;

// the one-line message names the file (a full path here) and says what is wrong
#define EXPECT_THROW_MESSAGE(expr, text) \
  EXPECT_THAT(testing::error_of([&] { expr; }), ::testing::HasSubstr(text))

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bnlstm_idx_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write_raw(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  // 3 images of 2 x 4, labels 0, 9, 4
  void write_pair() {
    IdxArray img{{3, 2, 4}, {}};
    for (int i = 0; i < 24; ++i) img.data.push_back(static_cast<uint8_t>(i * 10));
    write_idx(dir_ / "img", img);
    write_idx(dir_ / "lab", IdxArray{{3}, {0, 9, 4}});
  }
  fs::path dir_;
};

TEST_F(Idx, WriteReadRoundTrip) {
  write_pair();
  const LabeledImages d = load_labeled_images(dir_ / "img", dir_ / "lab");
  EXPECT_EQ(d.count(), 3);
  EXPECT_EQ(d.rows, 2);
  EXPECT_EQ(d.cols, 4);
  EXPECT_EQ(d.image(1)[0], 80);
  EXPECT_EQ(d.labels, (std::vector<int32_t>{0, 9, 4}));
}

TEST_F(Idx, ReadsGzipCompressedFiles) {
  write_pair();
  std::ifstream in(dir_ / "img", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gzFile gz = gzopen((dir_ / "img.gz").c_str(), "wb");
  gzwrite(gz, raw.data(), static_cast<unsigned>(raw.size()));
  gzclose(gz);
  const IdxArray a = read_idx(dir_ / "img.gz");
  EXPECT_EQ(a.dims, (std::vector<int64_t>{3, 2, 4}));
  EXPECT_EQ(a.data[23], 230);
  // a cut gzip stream is an error, not a short array
  std::ifstream gin(dir_ / "img.gz", std::ios::binary);
  std::string gz_bytes((std::istreambuf_iterator<char>(gin)), std::istreambuf_iterator<char>());
  const fs::path cut = write_raw("cut.gz", gz_bytes.substr(0, gz_bytes.size() - 12));
  EXPECT_THROW_MESSAGE(read_idx(cut), "cut.gz: corrupt or truncated gzip data");
}

TEST_F(Idx, BadFilesAreOneLineErrorsNamingTheFile) {
  using namespace std::string_literals;
  const std::string header = "\0\0\x08\x01\0\0\0\x05"s;  // 1-D, 5 values
  EXPECT_THROW_MESSAGE(read_idx(write_raw("short", header + "abc")),
                       "short: truncated: the header promises 5 values, the file holds 3");
  EXPECT_THROW_MESSAGE(read_idx(write_raw("long", header + "abcdefg")),
                       "long: 2 bytes after the 5 values the header promises");
  EXPECT_THROW_MESSAGE(read_idx(write_raw("magic", "PK\x03\x04 and so on")),
                       "magic: not an IDX file (magic 504b0304");
  EXPECT_THROW_MESSAGE(read_idx(write_raw("float", "\0\0\x0d\x01\0\0\0\x01xxxx"s)),
                       "float: IDX type 0x0d is not supported");
  EXPECT_THROW_MESSAGE(read_idx(write_raw("tiny", "\0\0"s)), "tiny: truncated: 2 bytes");
  EXPECT_THROW_MESSAGE(read_idx(write_raw("head", "\0\0\x08\x03\0\0\0\x05\0\0"s)),
                       "head: truncated: the header of 3 dimensions needs 16 bytes");
  EXPECT_THROW_MESSAGE(
      read_idx(write_raw("huge", "\0\0\x08\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"s)),
      "huge: IDX sizes too large");
  EXPECT_THROW_MESSAGE(read_idx(dir_ / "missing"), "missing: cannot open the file");
}

TEST_F(Idx, PairErrorsNameTheFileAtFault) {
  write_pair();
  write_idx(dir_ / "lab2", IdxArray{{2}, {0, 1}});
  EXPECT_THROW_MESSAGE(load_labeled_images(dir_ / "img", dir_ / "lab2"), "lab2: 2 labels, but");
  write_idx(dir_ / "lab10", IdxArray{{3}, {0, 10, 1}});
  EXPECT_THROW_MESSAGE(load_labeled_images(dir_ / "img", dir_ / "lab10"),
                       "lab10: label 10 of item 1 is not below the 10 classes");
  EXPECT_THROW_MESSAGE(load_labeled_images(dir_ / "lab", dir_ / "lab"),
                       "lab: expected images (count, rows, cols), got 1 dimensions");
}

}  // namespace
}  // namespace bnlstm
