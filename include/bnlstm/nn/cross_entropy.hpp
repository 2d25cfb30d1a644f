#pragma once
// Softmax cross-entropy over K classes with mean reduction, as torch.nn.CrossEntropyLoss
// (reduction='mean', no weights, no label smoothing). For logits z (N, K) and labels y (N):
//   log p[n, k] = z[n, k] - logsumexp_j z[n, j]      (max subtracted first: no overflow)
//   loss        = -(1/N) Σ_n log p[n, y_n]
//   dloss/dz    = (p - onehot(y)) / N
// The forward keeps p (N, K) for the backward, which recomputes nothing.
#include <cstdint>
#include <span>
#include <type_traits>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

// The matrix arguments take no part in template deduction: T comes from the MatrixBuffer (the
// probabilities' / gradient's buffer), and any Eigen expression of that scalar converts.
template <typename M>
using NoDeduce = std::type_identity_t<M>;

// logits: (N, K), labels: (N) in [0, K); probs: (N, K) softmax, resized. Returns the mean loss.
// Throws bnlstm::Error for N = 0, a label outside [0, K) (naming the row) or a label count that
// is not N. Non-finite logits give a non-finite loss (the caller reports divergence).
template <typename T>
T cross_entropy_forward(MatrixBuffer<T>& probs, const NoDeduce<Eigen::Ref<const Matrix<T>>>& logits,
                        std::span<const int32_t> labels);

// dlogits: (N, K) = (probs - onehot(labels)) / N, resized (written, not accumulated).
template <typename T>
void cross_entropy_backward(MatrixBuffer<T>& dlogits,
                            const NoDeduce<Eigen::Ref<const Matrix<T>>>& probs,
                            std::span<const int32_t> labels);

// Number of rows whose largest logit (T spelled out: count_correct<float>(logits, labels)) is at
// the label (the first maximum on ties, as argmax).
template <typename T>
Index count_correct(const NoDeduce<Eigen::Ref<const Matrix<T>>>& logits,
                    std::span<const int32_t> labels);

// Index of the largest entry of row n (the first on ties).
template <typename T>
Index argmax_row(const NoDeduce<Eigen::Ref<const Matrix<T>>>& logits, Index n);

}  // namespace bnlstm
