#pragma once
// Internal helpers shared by the normalization layers (batch_norm.cpp, layer_norm.cpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/io/safetensors.hpp"

namespace bnlstm::detail {

// Sum of f(i) for 0 <= i < n, accumulated in double in 8 interleaved partial sums. The order is
// fixed by the source, so the compiler vectorizes it without reassociating: the result is the
// same on every run, whatever the alignment (an `omp simd reduction` may peel differently).
template <typename F>
inline double fixed_order_sum(Index n, F f) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  Index i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += f(i + j);
  }
  for (int j = 0; i < n; ++i, ++j) acc[j] += f(i);
  return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

// m's values as one contiguous row-major block for the kernels: m's own storage when its rows
// follow each other (any Matrix or Map: no copy), else gathered into scratch (e.g. a block of
// some columns of a wider matrix).
template <typename T>
const T* contiguous_rows(const Eigen::Ref<const Matrix<T>>& m, MatrixBuffer<T>& scratch) {
  if (m.rows() <= 1 || m.outerStride() == m.cols()) return m.data();
  MatrixMap<T> gathered = scratch.resize(m.rows(), m.cols());
  gathered = m;
  return gathered.data();
}

// "(N, C)" for L = 1, else "(N, C, L)": a shape as the user thinks of it, for messages.
inline std::string shape_string(Index N, Index C, Index L) {
  std::string s = "(" + std::to_string(N) + ", " + std::to_string(C);
  if (L != 1) s += ", " + std::to_string(L);
  return s + ")";
}

// The tensor `name` of a layer's saved state, checked to be 1-D with `numel` values, or a
// scalar (shape [] or [1], as torch stores num_batches_tracked). Throws bnlstm::Error naming
// the file and the tensor when it is absent or has another shape.
inline const StoredTensor& checked_tensor(const TensorFile& file, const std::string& name,
                                          Index numel, bool scalar) {
  const std::string where = file.source.empty() ? std::string("state") : file.source;
  if (!file.contains(name)) throw Error(fmt::format("{}: missing tensor '{}'", where, name));
  const StoredTensor& t = file.get(name);
  const bool ok = scalar ? t.numel() == 1 && t.shape.size() <= 1
                         : t.shape.size() == 1 && t.shape[0] == int64_t(numel);
  if (!ok) {
    throw Error(fmt::format("{}: tensor '{}' has shape [{}], expected [{}]", where, name,
                            fmt::join(t.shape, ", "),
                            scalar ? std::string() : std::to_string(numel)));
  }
  return t;
}

}  // namespace bnlstm::detail
