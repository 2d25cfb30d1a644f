#include "bnlstm/nn/cross_entropy.hpp"

#include <fmt/core.h>

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

void check_labels(Index rows, Index classes, std::span<const int32_t> labels, const char* who) {
  if (rows == 0) throw Error(fmt::format("{}: empty batch (0 rows)", who));
  if (static_cast<Index>(labels.size()) != rows)
    throw Error(fmt::format("{}: {} rows of logits but {} labels", who, rows, labels.size()));
  for (size_t n = 0; n < labels.size(); ++n)
    if (labels[n] < 0 || labels[n] >= classes)
      throw Error(
          fmt::format("{}: label {} of row {} is outside [0, {})", who, labels[n], n, classes));
}

}  // namespace

// logits: (N, K), labels: (N) -> probs (N, K), mean loss
template <typename T>
T cross_entropy_forward(MatrixBuffer<T>& probs, const NoDeduce<Eigen::Ref<const Matrix<T>>>& logits,
                        std::span<const int32_t> labels) {
  const Index N = logits.rows(), K = logits.cols();
  check_labels(N, K, labels, "cross_entropy");
  MatrixMap<T> p = probs.resize(N, K);
  double loss = 0;
  for (Index n = 0; n < N; ++n) {
    // log-sum-exp with the row's maximum subtracted
    const T max = logits.row(n).maxCoeff();
    p.row(n).array() = (logits.row(n).array() - max).exp();
    const T sum = p.row(n).sum();
    p.row(n) /= sum;
    const T log_p = logits(n, labels[static_cast<size_t>(n)]) - max - std::log(sum);
    loss -= static_cast<double>(log_p);
  }
  return static_cast<T>(loss / static_cast<double>(N));
}

// probs: (N, K), labels: (N) -> dlogits (N, K)
template <typename T>
void cross_entropy_backward(MatrixBuffer<T>& dlogits,
                            const NoDeduce<Eigen::Ref<const Matrix<T>>>& probs,
                            std::span<const int32_t> labels) {
  const Index N = probs.rows(), K = probs.cols();
  check_labels(N, K, labels, "cross_entropy_backward");
  MatrixMap<T> d = dlogits.resize(N, K);
  const T scale = T(1) / static_cast<T>(N);
  d = probs * scale;
  for (Index n = 0; n < N; ++n) d(n, labels[static_cast<size_t>(n)]) -= scale;
}

template <typename T>
Index argmax_row(const NoDeduce<Eigen::Ref<const Matrix<T>>>& logits, Index n) {
  Index best = 0;
  for (Index k = 1; k < logits.cols(); ++k)
    if (logits(n, k) > logits(n, best)) best = k;
  return best;
}

template <typename T>
Index count_correct(const NoDeduce<Eigen::Ref<const Matrix<T>>>& logits,
                    std::span<const int32_t> labels) {
  check_labels(logits.rows(), logits.cols(), labels, "count_correct");
  Index correct = 0;
  for (Index n = 0; n < logits.rows(); ++n)
    correct += argmax_row<T>(logits, n) == labels[static_cast<size_t>(n)];
  return correct;
}

#define BNLSTM_INSTANTIATE(T)                                                                    \
  template T cross_entropy_forward<T>(                                                           \
      MatrixBuffer<T>&, const NoDeduce<Eigen::Ref<const Matrix<T>>>&, std::span<const int32_t>); \
  template void cross_entropy_backward<T>(                                                       \
      MatrixBuffer<T>&, const NoDeduce<Eigen::Ref<const Matrix<T>>>&, std::span<const int32_t>); \
  template Index argmax_row<T>(const NoDeduce<Eigen::Ref<const Matrix<T>>>&, Index);             \
  template Index count_correct<T>(const NoDeduce<Eigen::Ref<const Matrix<T>>>&,                  \
                                  std::span<const int32_t>);
BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
