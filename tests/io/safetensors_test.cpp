#include "bnlstm/io/safetensors.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

TEST(SafeTensors, RoundTripsValuesShapesAndMetadata) {
  TensorFile f;
  Matrix<float> a(2, 3);
  a << 1.5f, -2, 3, 4, 5e-8f, 6;
  Vector<double> b(4);
  b << 0.1, 0.2, -0.3, 1e300;
  f.put_matrix("a", a);
  f.put<double>("b", b.data(), {4});
  f.metadata["config"] = "{\"hidden\":8}";
  const auto path = std::filesystem::temp_directory_path() / "bnlstm_safetensors_test.safetensors";
  f.save(path);

  const TensorFile g = TensorFile::load(path);
  EXPECT_EQ(g.metadata.at("config"), "{\"hidden\":8}");
  EXPECT_EQ(g.get("a").dtype, "F32");
  EXPECT_EQ(g.get("a").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(g.matrix<float>("a"), a);
  EXPECT_EQ(g.get("b").dtype, "F64");
  EXPECT_EQ(g.vector<double>("b"), b);
  // The data section starts 8-byte aligned, as the format recommends.
  uint64_t header_len = 0;
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(&header_len), 8);
  EXPECT_EQ(header_len % 8, 0u);
  std::filesystem::remove(path);
}

TEST(SafeTensors, RejectsTruncatedFileWithItsName) {
  TensorFile f;
  Matrix<float> a = Matrix<float>::Ones(4, 4);
  f.put_matrix("w", a);
  std::string bytes = f.serialize();
  bytes.resize(bytes.size() - 4);
  try {
    TensorFile::parse(bytes, "model.safetensors");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "model.safetensors: not a valid safetensors file: tensor 'w' has data_offsets outside the data");
  }
}

TEST(SafeTensors, MissingTensorIsNamed) {
  TensorFile f;
  f.source = "golden.safetensors";
  EXPECT_THROW(
      {
        try {
          f.get("gamma");
        } catch (const Error& e) {
          EXPECT_EQ(std::string(e.what()), "golden.safetensors: no tensor named 'gamma'");
          throw;
        }
      },
      Error);
}

}  // namespace
}  // namespace bnlstm
