// Parameter gradients summed across MPI ranks (include/bnlstm/dist/gradients.hpp).
#include "bnlstm/dist/gradients.hpp"

#include <algorithm>

namespace bnlstm::dist {

template <typename T>
GradientSum<T>::GradientSum(Communicator& comm, ParameterList<T> params)
    : comm_(comm), params_(std::move(params)) {
  size_t total = 0;
  for (const auto* p : params_) total += static_cast<size_t>(p->value.size());
  flat_.resize(total);
}

template <typename T>
void GradientSum<T>::sum() {
  if (comm_.size() == 1) return;
  // pack, one all-reduce, unpack
  T* at = flat_.data();
  for (const auto* p : params_) at = std::copy_n(p->grad.data(), p->grad.size(), at);
  comm_.sum(flat_.data(), static_cast<Index>(flat_.size()));
  const T* from = flat_.data();
  for (auto* p : params_) {
    std::copy_n(from, p->grad.size(), p->grad.data());
    from += p->grad.size();
  }
}

template <typename T>
void GradientSum<T>::broadcast_values(int from) {
  if (comm_.size() == 1) return;
  T* at = flat_.data();
  for (const auto* p : params_) at = std::copy_n(p->value.data(), p->value.size(), at);
  comm_.broadcast(flat_.data(), static_cast<Index>(flat_.size()), from);
  const T* v = flat_.data();
  for (auto* p : params_) {
    std::copy_n(v, p->value.size(), p->value.data());
    v += p->value.size();
  }
}

template <typename T>
bool GradientSum<T>::values_identical() {
  if (comm_.size() == 1) return true;
  T* at = flat_.data();
  for (const auto* p : params_) at = std::copy_n(p->value.data(), p->value.size(), at);
  root_ = flat_;
  comm_.broadcast(root_.data(), static_cast<Index>(root_.size()), 0);
  // bit for bit (a NaN is not identical to itself here, which is what a check wants)
  return comm_.all(std::equal(flat_.begin(), flat_.end(), root_.begin()));
}

template class GradientSum<float>;
template class GradientSum<double>;

}  // namespace bnlstm::dist
