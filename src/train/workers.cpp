// Parameter gradients and values across data-parallel workers (include/bnlstm/train/workers.hpp).
#include "bnlstm/train/workers.hpp"

#include <algorithm>

namespace bnlstm {

template <typename T>
ParameterSync<T>::ParameterSync(Workers& workers, ParameterList<T> params)
    : workers_(workers), params_(std::move(params)) {
  for (const auto* p : params_) values_ += p->value.size();
  flat_.resize(static_cast<size_t>(values_));
}

namespace {

// grads or values of every parameter -> flat, end to end
template <typename T, typename Get>
void pack(std::vector<T>& flat, const ParameterList<T>& params, Get get) {
  T* at = flat.data();
  for (auto* p : params) at = std::copy_n(get(*p).data(), get(*p).size(), at);
}

template <typename T, typename Get>
void unpack(const std::vector<T>& flat, const ParameterList<T>& params, Get get) {
  const T* from = flat.data();
  for (auto* p : params) {
    std::copy_n(from, get(*p).size(), get(*p).data());
    from += get(*p).size();
  }
}

template <typename T>
Matrix<T>& grad_of(Parameter<T>& p) {
  return p.grad;
}
template <typename T>
Matrix<T>& value_of(Parameter<T>& p) {
  return p.value;
}

}  // namespace

template <typename T>
void ParameterSync<T>::sum_gradients(double* extra, Index n_extra) {
  if (workers_.size() == 1) return;
  // the gradients, then the extra values, end to end
  const size_t grads = static_cast<size_t>(values_);
  flat_.resize(grads + static_cast<size_t>(n_extra));
  pack(flat_, params_, grad_of<T>);
  for (Index i = 0; i < n_extra; ++i)
    flat_[grads + static_cast<size_t>(i)] = static_cast<T>(extra[i]);
  workers_.sum(flat_.data(), static_cast<Index>(flat_.size()));
  unpack(flat_, params_, grad_of<T>);
  for (Index i = 0; i < n_extra; ++i)
    extra[i] = static_cast<double>(flat_[grads + static_cast<size_t>(i)]);
}

template <typename T>
void ParameterSync<T>::broadcast_values(int from) {
  if (workers_.size() == 1) return;
  flat_.resize(static_cast<size_t>(values_));
  pack(flat_, params_, value_of<T>);
  workers_.broadcast(flat_.data(), values_, from);
  unpack(flat_, params_, value_of<T>);
}

template <typename T>
bool ParameterSync<T>::values_identical() {
  if (workers_.size() == 1) return true;
  flat_.resize(static_cast<size_t>(values_));
  pack(flat_, params_, value_of<T>);
  other_ = flat_;
  workers_.broadcast(other_.data(), values_, 0);
  // bitwise, as memcmp would: a NaN is not identical to itself here, which a check wants
  double differs = std::equal(flat_.begin(), flat_.end(), other_.begin()) ? 0.0 : 1.0;
  workers_.sum(&differs, 1);
  return differs == 0;
}

template class ParameterSync<float>;
template class ParameterSync<double>;

}  // namespace bnlstm
