#include "bnlstm/train/network.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

LstmOptions lstm_options(const NetworkConfig& c) {
  if (c.horizon < 1) throw Error(fmt::format("--horizon must be at least 1, got {}", c.horizon));
  LstmOptions o;
  o.input_size = c.input_size;
  o.hidden_size = c.hidden_size;
  o.norm = c.norm;
  o.weight_ih_init = c.init;
  o.weight_hh_init = c.init;
  o.name = "lstm";
  return o;
}

}  // namespace

template <typename T>
ForecastNetwork<T>::ForecastNetwork(const NetworkConfig& config, Rng& rng)
    : config_(config),
      lstm_(lstm_options(config), rng),
      head_(config.hidden_size, config.horizon, "head.") {
  // the head is drawn after the LSTM from the same generator, so one seed fixes everything
  head_.init(config.init, rng);
}

// x: (L*N, I) -> y: (N, H)
template <typename T>
ConstMatrixMap<T> ForecastNetwork<T>::forward(const Eigen::Ref<const Matrix<T>>& x,
                                              Index look_back) {
  const ConstMatrixMap<T> out = lstm_.forward(x, look_back);
  steps_ = look_back;
  batch_ = out.rows() / look_back;
  // head on the last hidden state
  head_.forward(lstm_.h_n(), y_.resize(batch_, config_.horizon));
  return y_.const_view();
}

// dy: (N, H)
template <typename T>
void ForecastNetwork<T>::backward(const Eigen::Ref<const Matrix<T>>& dy) {
  if (dy.rows() != batch_ || dy.cols() != config_.horizon)
    throw Error(fmt::format("ForecastNetwork::backward: dy has shape ({}, {}), expected ({}, {})",
                            dy.rows(), dy.cols(), batch_, config_.horizon));
  // only the final hidden state feeds the head: its gradient is the last step's rows of
  // dL/d(output), the rest is zero
  const Index rows = steps_ * batch_;
  MatrixMap<T> dout = dout_.resize(rows, config_.hidden_size);
  dout.topRows(rows - batch_).setZero();
  // head backward
  head_.backward(dy, dout.bottomRows(batch_));
  lstm_.backward(dout);
}

// x: (L*N, I)
template <typename T>
void ForecastNetwork<T>::recalibrate_batch_norm(const Eigen::Ref<const Matrix<T>>& x,
                                                Index look_back) {
  lstm_.recalibrate_batch_norm(x, look_back);
}

template <typename T>
ParameterList<T> ForecastNetwork<T>::parameters() {
  ParameterList<T> list = lstm_.parameters();
  for (auto* p : head_.parameters()) list.push_back(p);
  return list;
}

template <typename T>
void ForecastNetwork<T>::save_state(TensorFile& file) const {
  // parameters() hands out mutable pointers; nothing is changed here
  for (const auto* p : const_cast<ForecastNetwork*>(this)->parameters())
    file.put_matrix(p->name, p->value);
  lstm_.save_state(file);
}

template <typename T>
void ForecastNetwork<T>::copy_state(State& to) const {
  size_t k = 0;
  auto copy = [&](const Parameter<T>& p) {
    if (k == to.parameters.size()) to.parameters.emplace_back();
    to.parameters[k++] = p.value;
  };
  lstm_.for_each_parameter(copy);
  copy(head_.weight());
  copy(head_.bias());
  to.parameters.resize(k);
  lstm_.copy_running_state(to.running);
}

template <typename T>
void ForecastNetwork<T>::set_state(const State& from) {
  // check every parameter before touching any
  size_t k = 0;
  bool fits = true;
  auto check = [&](const Parameter<T>& p) {
    fits = fits && k < from.parameters.size() && from.parameters[k].rows() == p.value.rows() &&
           from.parameters[k].cols() == p.value.cols();
    ++k;
  };
  lstm_.for_each_parameter(check);
  check(head_.weight());
  check(head_.bias());
  if (!fits || k != from.parameters.size())
    throw Error(
        "ForecastNetwork::set_state: the state was not copied from a network of this shape");
  k = 0;
  auto set = [&](Parameter<T>& p) { p.value = from.parameters[k++]; };
  lstm_.for_each_parameter(set);
  set(head_.weight());
  set(head_.bias());
  lstm_.set_running_state(from.running);
}

template <typename T>
void ForecastNetwork<T>::load_state(const TensorFile& file) {
  // check every parameter before touching any
  const ParameterList<T> params = parameters();
  std::vector<Matrix<T>> values;
  for (const auto* p : params) {
    Matrix<T> m = file.matrix<T>(p->name);
    if (m.rows() != p->value.rows() || m.cols() != p->value.cols())
      throw Error(
          fmt::format("{}: tensor '{}' has shape ({}, {}), expected ({}, {}) for this model",
                      file.source, p->name, m.rows(), m.cols(), p->value.rows(), p->value.cols()));
    if (!m.allFinite())
      throw Error(
          fmt::format("{}: tensor '{}' holds NaN or infinite values", file.source, p->name));
    values.push_back(std::move(m));
  }
  lstm_.load_state(file);
  for (size_t i = 0; i < params.size(); ++i) params[i]->value = values[i];
}

template class ForecastNetwork<float>;
template class ForecastNetwork<double>;

}  // namespace bnlstm
