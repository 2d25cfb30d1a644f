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
const Matrix<T>& ForecastNetwork<T>::forward(const Matrix<T>& x, Index look_back) {
  const Matrix<T>& out = lstm_.forward(x, look_back);
  steps_ = look_back;
  batch_ = out.rows() / look_back;
  // head on the last hidden state
  head_.forward(lstm_.h_n(), y_);
  return y_;
}

// dy: (N, H)
template <typename T>
void ForecastNetwork<T>::backward(const Matrix<T>& dy) {
  if (dy.rows() != batch_ || dy.cols() != config_.horizon)
    throw Error(fmt::format("ForecastNetwork::backward: dy has shape ({}, {}), expected ({}, {})",
                            dy.rows(), dy.cols(), batch_, config_.horizon));
  // head backward
  head_.backward(dy, dlast_h_);
  // only the final hidden state feeds the head: it enters BPTT as dL/dh_n
  dout_.setZero(steps_ * batch_, config_.hidden_size);
  lstm_.backward(dout_, &dlast_h_, nullptr);
}

// x: (L*N, I)
template <typename T>
void ForecastNetwork<T>::recalibrate_batch_norm(const Matrix<T>& x, Index look_back) {
  if (config_.norm != LstmNorm::batch) return;
  const bool was_training = lstm_.training();
  lstm_.train();
  // every step needs running statistics before they can be zeroed
  if (lstm_.norm_ih()->steps_seen() < look_back) lstm_.forward(x, look_back);
  // zero the running statistics (and counters) of every step seen so far
  TensorFile before, zero;
  lstm_.save_state(before);
  for (const auto& [name, t] : before.tensors) {
    StoredTensor z = t;
    std::fill(z.bytes.begin(), z.bytes.end(), static_cast<unsigned char>(0));
    zero.tensors[name] = std::move(z);
  }
  lstm_.load_state(zero);
  // one pass: running = (1 - f) * 0 + f * batch, f = momentum (or 1 for the cumulative average)
  lstm_.forward(x, look_back);
  TensorFile after;
  lstm_.save_state(after);
  const double f = lstm_.options().momentum.value_or(1.0);
  for (auto& [name, t] : after.tensors) {
    if (t.dtype == "I64") {
      const auto old = before.tensors.find(name);  // keep the counters
      if (old != before.tensors.end() && old->second.shape == t.shape) t = old->second;
      continue;
    }
    Matrix<T> m = after.matrix<T>(name);
    m /= static_cast<T>(f);
    after.put<T>(name, m.data(), t.shape);
  }
  lstm_.load_state(after);
  lstm_.train(was_training);
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
    values.push_back(std::move(m));
  }
  lstm_.load_state(file);
  for (size_t i = 0; i < params.size(); ++i) params[i]->value = values[i];
}

template class ForecastNetwork<float>;
template class ForecastNetwork<double>;

}  // namespace bnlstm
