#pragma once
// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON
// header mapping each tensor name to {dtype, shape, data_offsets} plus an optional
// "__metadata__" object of string values, then the raw little-endian tensor bytes.
// Used for checkpoints and for the PyTorch-generated golden files under tests/golden/.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

// One stored tensor: its dtype name ("F32", "F64", "I64"), shape and raw bytes.
struct StoredTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;

  int64_t numel() const;
  // The values converted to T (F32, F64 or I64 storage); throws on other dtypes.
  template <typename T>
  std::vector<T> values() const;
};

class TensorFile {
 public:
  std::map<std::string, StoredTensor> tensors;
  std::map<std::string, std::string> metadata;  // "__metadata__"
  std::string source;                           // where it was loaded from, for messages

  // Throws bnlstm::Error naming the file and what is wrong with it.
  static TensorFile load(const std::filesystem::path& path);
  // Written atomically (temporary file + rename).
  void save(const std::filesystem::path& path) const;
  std::string serialize() const;
  static TensorFile parse(const std::string& bytes, const std::string& source);

  // Stores values as F32 (float), F64 (double) or I64 (int64_t).
  template <typename T>
  void put(const std::string& name, const T* data, std::vector<int64_t> shape);
  template <typename Derived>
  void put_matrix(const std::string& name, const Eigen::DenseBase<Derived>& m) {
    using T = typename Derived::Scalar;
    const Matrix<T> copy = m;  // row-major, contiguous
    put<T>(name, copy.data(), {static_cast<int64_t>(copy.rows()), static_cast<int64_t>(copy.cols())});
  }

  bool contains(const std::string& name) const { return tensors.count(name) != 0; }
  // Throws bnlstm::Error naming the file and the tensor when it is absent.
  const StoredTensor& get(const std::string& name) const;
  // The tensor as a row-major (rows, cols) matrix: 2-D as is, 1-D as one row, N-D as
  // (shape[0], product of the rest), a scalar as 1x1.
  template <typename T>
  Matrix<T> matrix(const std::string& name) const;
  // The tensor's values flattened in storage order.
  template <typename T>
  Vector<T> vector(const std::string& name) const;
  template <typename T>
  T scalar(const std::string& name) const;
};

}  // namespace bnlstm
