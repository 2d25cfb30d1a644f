// Layer normalization kernels and the LayerNorm layer (include/bnlstm/nn/layer_norm.hpp).
//
// Every row is contiguous: its statistics are two passes over the cache-resident row in double
// (mean, then squared deviations), in a fixed order so results do not change from run to run.
// The backward pass needs two row reductions (sum g and sum g * xhat, g = dy * weight) and one
// element-wise pass; dweight/dbias are column sums, taken per block of rows while the block is
// still in cache, accumulated in T per block and added (+=) once per block.
#include "bnlstm/nn/layer_norm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "bnlstm/core/error.hpp"
#include "norm_internal.hpp"

namespace bnlstm {
namespace {

constexpr Index kBlockRows = 32;  // rows per block of the dweight/dbias column sums
constexpr Index kMaxTile = 256;   // columns per tile of those sums (stack scratch)

}  // namespace

template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* weight, const T* bias, Index M,
                        Index D, T eps) {
  if (D < 1)
    throw Error("layer_norm_forward: rows must have at least one value, got D = " +
                std::to_string(D));
  for (Index m = 0; m < M; ++m) {
    const T* __restrict r = x + m * D;
    T* __restrict o = y + m * D;
    // mean and biased variance
    const double mu = detail::fixed_order_sum(D, [r](Index d) { return double(r[d]); }) / double(D);
    const double var = detail::fixed_order_sum(D,
                                               [r, mu](Index d) {
                                                 const double t = double(r[d]) - mu;
                                                 return t * t;
                                               }) /
                       double(D);
    const T mt = T(mu), rt = T(1.0 / std::sqrt(var + double(eps)));
    mean[m] = mt;
    rstd[m] = rt;
    // normalize, scale and shift
    if (weight) {
      for (Index d = 0; d < D; ++d) o[d] = (r[d] - mt) * rt * weight[d];
    } else {
      for (Index d = 0; d < D; ++d) o[d] = (r[d] - mt) * rt;
    }
    if (bias) {
      for (Index d = 0; d < D; ++d) o[d] += bias[d];
    }
  }
}

template <typename T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* weight, Index M, Index D) {
  const double inv_d = 1.0 / double(D);
  T aw[kMaxTile], ab[kMaxTile];
  for (Index m0 = 0; m0 < M; m0 += kBlockRows) {
    const Index m1 = std::min(M, m0 + kBlockRows);
    for (Index m = m0; m < m1; ++m) {
      const T* __restrict g = dy + m * D;
      const T* __restrict r = x + m * D;
      T* __restrict o = dx + m * D;
      const T mt = mean[m], rt = rstd[m];
      // sum g and sum g * (x - mean), g = dy * weight
      double sg, sgx;
      if (weight) {
        sg = detail::fixed_order_sum(
            D, [g, weight](Index d) { return double(g[d]) * double(weight[d]); });
        sgx = detail::fixed_order_sum(D, [g, r, weight, mt](Index d) {
          return double(g[d]) * double(weight[d]) * double(r[d] - mt);
        });
      } else {
        sg = detail::fixed_order_sum(D, [g](Index d) { return double(g[d]); });
        sgx = detail::fixed_order_sum(
            D, [g, r, mt](Index d) { return double(g[d]) * double(r[d] - mt); });
      }
      // dx = rstd * (g - mean(g) - xhat * mean(g * xhat))
      const T a = T(sg * inv_d), b = T(sgx * double(rt) * inv_d);
      if (weight) {
        for (Index d = 0; d < D; ++d) o[d] = rt * (g[d] * weight[d] - a - (r[d] - mt) * rt * b);
      } else {
        for (Index d = 0; d < D; ++d) o[d] = rt * (g[d] - a - (r[d] - mt) * rt * b);
      }
    }
    // dweight += sum dy * xhat, dbias += sum dy over the block's rows
    if (!dweight && !dbias) continue;
    for (Index d0 = 0; d0 < D; d0 += kMaxTile) {
      const Index dw = std::min(kMaxTile, D - d0);
      std::fill_n(aw, dw, T(0));
      std::fill_n(ab, dw, T(0));
      for (Index m = m0; m < m1; ++m) {
        const T* __restrict g = dy + m * D + d0;
        const T* __restrict r = x + m * D + d0;
        const T mt = mean[m], rt = rstd[m];
        for (Index d = 0; d < dw; ++d) {
          aw[d] += g[d] * ((r[d] - mt) * rt);
          ab[d] += g[d];
        }
      }
      if (dweight) {
        for (Index d = 0; d < dw; ++d) dweight[d0 + d] += aw[d];
      }
      if (dbias) {
        for (Index d = 0; d < dw; ++d) dbias[d0 + d] += ab[d];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LayerNorm

template <typename T>
LayerNorm<T>::LayerNorm(Index normalized_size, LayerNormOptions options)
    : size_(normalized_size), options_(options) {
  if (normalized_size < 1) {
    throw Error(fmt::format("LayerNorm: normalized size must be >= 1, got {}", normalized_size));
  }
  if (!(options.eps > 0))
    throw Error(fmt::format("LayerNorm: eps must be > 0, got {}", options.eps));
  if (options.elementwise_affine) {
    weight_ = Parameter<T>("weight", 1, normalized_size);
    bias_ = Parameter<T>("bias", 1, normalized_size);
    weight_.value.setOnes();
  }
}

template <typename T>
void LayerNorm<T>::forward(const Eigen::Ref<const Matrix<T>>& x, Matrix<T>& y) {
  if (x.cols() != size_) {
    throw Error(fmt::format("LayerNorm({}): input has shape ({}, {}), expected (M, {})", size_,
                            x.rows(), x.cols(), size_));
  }
  check_parameter_shapes(false);
  const bool affine = options_.elementwise_affine;
  // the copy backward needs, made first: the kernel then reads contiguous rows in any case
  x_ = x;
  y.resize(x.rows(), x.cols());
  mean_.resize(x.rows());
  rstd_.resize(x.rows());
  layer_norm_forward(y.data(), mean_.data(), rstd_.data(), x_.data(),
                     affine ? weight_.value.data() : nullptr, affine ? bias_.value.data() : nullptr,
                     x.rows(), size_, T(options_.eps));
  cached_ = true;
}

template <typename T>
void LayerNorm<T>::backward(const Eigen::Ref<const Matrix<T>>& dy, Matrix<T>& dx) {
  if (!cached_) throw Error("LayerNorm: backward() called before forward()");
  if (dy.rows() != x_.rows() || dy.cols() != x_.cols()) {
    throw Error(fmt::format(
        "LayerNorm({}): gradient has shape ({}, {}), expected ({}, {}) as the last forward's input",
        size_, dy.rows(), dy.cols(), x_.rows(), x_.cols()));
  }
  check_parameter_shapes(true);
  const bool affine = options_.elementwise_affine;
  const T* dyp = detail::contiguous_rows(dy, gathered_dy_);
  dx.resize(dy.rows(), dy.cols());
  layer_norm_backward(dx.data(), affine ? weight_.grad.data() : nullptr,
                      affine ? bias_.grad.data() : nullptr, dyp, x_.data(), mean_.data(),
                      rstd_.data(), affine ? weight_.value.data() : nullptr, x_.rows(), size_);
}

template <typename T>
ParameterList<T> LayerNorm<T>::parameters() {
  if (!options_.elementwise_affine) return {};
  return {&weight_, &bias_};
}

template <typename T>
void LayerNorm<T>::zero_grad() {
  weight_.zero_grad();
  bias_.zero_grad();
}

template <typename T>
void LayerNorm<T>::check_parameter_shapes(bool grads) const {
  if (!options_.elementwise_affine) return;
  check_shape(weight_, 1, size_, "LayerNorm", grads);
  check_shape(bias_, 1, size_, "LayerNorm", grads);
}

template <typename T>
void LayerNorm<T>::save_state(TensorFile& file, const std::string& prefix) const {
  if (!options_.elementwise_affine) return;
  check_parameter_shapes(false);
  file.put<T>(prefix + "weight", weight_.value.data(), {int64_t(size_)});
  file.put<T>(prefix + "bias", bias_.value.data(), {int64_t(size_)});
}

template <typename T>
void LayerNorm<T>::load_state(const TensorFile& file, const std::string& prefix) {
  if (!options_.elementwise_affine) return;
  // Read both first, so that a bad file leaves the layer unchanged.
  const std::vector<T> w =
      detail::checked_tensor(file, prefix + "weight", size_, false).values<T>();
  const std::vector<T> b = detail::checked_tensor(file, prefix + "bias", size_, false).values<T>();
  // assigned, not copied into: value may have been given another shape
  weight_.value = ConstMatrixMap<T>(w.data(), 1, size_);
  bias_.value = ConstMatrixMap<T>(b.data(), 1, size_);
}

#define BNLSTM_INSTANTIATE(T)                                                                     \
  template void layer_norm_forward<T>(T*, T*, T*, const T*, const T*, const T*, Index, Index, T); \
  template void layer_norm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,        \
                                       const T*, Index, Index);                                   \
  template class LayerNorm<T>;

BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
