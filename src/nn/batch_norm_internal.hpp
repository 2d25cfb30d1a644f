#pragma once
// Shared by the batch-norm kernels (batch_norm_kernels.cpp) and the BatchNorm1d layer
// (batch_norm.cpp); not part of the public headers.
#include <algorithm>
#include <cmath>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm::detail {

// Running statistics that a training forward updates as it goes (mean, var: (C); nullptr: none),
// as batch_norm_update_running_stats(mean, var, ..., factor) would after it.
template <typename T>
struct RunningStats {
  T* mean = nullptr;
  T* var = nullptr;
  double factor = 0;
};

// batch_norm_forward_train that also (1) copies x into x_copy ((N, C, L), or nullptr) in its
// normalize pass, so that the layer keeps its input without a pass of its own, and (2) updates
// `running` tile by tile, on the thread that computed the tile's statistics (a separate pass
// afterwards would move them between cores: at N = 32 that cost as much as the forward).
template <typename T>
void batch_norm_forward_train_fused(T* y, T* x_copy, T* mean, T* var, T* rstd, const T* x,
                                    const T* gamma, const T* beta, Index N, Index C, Index L, T eps,
                                    RunningStats<T> running);

// Throws bnlstm::Error unless a training batch has at least 2 values per channel and is
// non-empty. (N, C, L): the input's shape.
void batch_norm_check_train_batch(Index N, Index C, Index L);

// 1 / sqrt(var + eps), computed in double and rounded once.
template <typename T>
T batch_norm_inverse_std(double var, T eps) {
  return T(1.0 / std::sqrt(std::max(var, 0.0) + double(eps)));
}

}  // namespace bnlstm::detail
