#include "bnlstm/classify/sequence_classifier.hpp"

#include <fmt/core.h>

#include <cmath>

#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/init.hpp"

namespace bnlstm {
namespace {

LstmOptions lstm_options(const ClassifierConfig& c) {
  if (c.input_size < 1 || c.hidden_size < 1 || c.classes < 2)
    throw Error(
        fmt::format("classifier: need inputs >= 1, hidden >= 1 and classes >= 2, got {}, "
                    "{} and {}",
                    c.input_size, c.hidden_size, c.classes));
  if (!(c.h0_noise >= 0) || !std::isfinite(c.h0_noise))
    throw Error(
        fmt::format("classifier: --h0-noise must be a finite number >= 0, got {}", c.h0_noise));
  LstmOptions o;
  o.input_size = c.input_size;
  o.hidden_size = c.hidden_size;
  o.norm = c.norm;
  o.weight_ih_init = c.input_init;
  o.weight_hh_init = c.recurrent_init;
  o.forget_bias = c.forget_bias;
  o.gamma_init = c.gamma_init;
  o.name = "lstm";
  return o;
}

}  // namespace

template <typename T>
SequenceClassifier<T>::SequenceClassifier(const ClassifierConfig& config, Rng& rng)
    : config_(config),
      lstm_(lstm_options(config), rng),
      head_(config.hidden_size, config.classes, "head.") {
  // drawn after the LSTM from the same generator: one seed fixes every weight
  head_.init(config.input_init, rng);
}

// x: (L*N, I) -> logits (N, K)
template <typename T>
ConstMatrixMap<T> SequenceClassifier<T>::forward(const Eigen::Ref<const Matrix<T>>& x,
                                                 Index seq_len, Rng* noise_rng, Index first_row,
                                                 Index batch_rows) {
  if (seq_len < 1 || x.rows() % seq_len != 0)
    throw Error(fmt::format("classifier: {} rows do not hold whole sequences of {} steps", x.rows(),
                            seq_len));
  const Index N = x.rows() / seq_len, H = config_.hidden_size;
  const bool noisy = lstm_.training() && config_.h0_noise > 0;
  if (noisy) {
    if (noise_rng == nullptr)
      throw Error("classifier: h0 noise in training needs a random generator");
    // h_0 ~ N(0, σ²)
    if (batch_rows > 0) {
      // the whole batch's draws (row-major, as one process makes them), this share's rows
      if (first_row < 0 || first_row + N > batch_rows)
        throw Error(fmt::format("classifier: rows [{}, {}) outside a batch of {}", first_row,
                                first_row + N, batch_rows));
      batch_noise_.resize(batch_rows, H);
      init_weight(batch_noise_, InitScheme::random, *noise_rng);
      h0_ = batch_noise_.middleRows(first_row, N);
    } else {
      h0_.resize(N, H);
      init_weight(h0_, InitScheme::random, *noise_rng);
    }
    h0_ *= static_cast<T>(config_.h0_noise);
  }
  lstm_.forward(x, seq_len, noisy ? &h0_ : nullptr);
  steps_ = seq_len;
  batch_ = N;
  // head on the last hidden state
  head_.forward(lstm_.h_n(), logits_.resize(N, config_.classes));
  return logits_.const_view();
}

template <typename T>
void SequenceClassifier<T>::skip_noise(Index batch_rows, Rng& noise_rng) {
  if (!lstm_.training() || config_.h0_noise <= 0) return;
  batch_noise_.resize(batch_rows, config_.hidden_size);
  init_weight(batch_noise_, InitScheme::random, noise_rng);
}

// dlogits: (N, K)
template <typename T>
void SequenceClassifier<T>::backward(const Eigen::Ref<const Matrix<T>>& dlogits) {
  if (dlogits.rows() != batch_ || dlogits.cols() != config_.classes)
    throw Error(fmt::format("classifier backward: dlogits has shape ({}, {}), expected ({}, {})",
                            dlogits.rows(), dlogits.cols(), batch_, config_.classes));
  // only h_n feeds the head: the other steps' rows of dL/d(output) are zero
  const Index rows = steps_ * batch_;
  MatrixMap<T> dout = dout_.resize(rows, config_.hidden_size);
  dout.topRows(rows - batch_).setZero();
  head_.backward(dlogits, dout.bottomRows(batch_));
  lstm_.backward(dout);
}

template <typename T>
ParameterList<T> SequenceClassifier<T>::parameters() {
  ParameterList<T> list = lstm_.parameters();
  for (auto* p : head_.parameters()) list.push_back(p);
  return list;
}

template <typename T>
void SequenceClassifier<T>::save_state(TensorFile& file) const {
  auto put = [&](const Parameter<T>& p) { file.put_matrix(p.name, p.value); };
  lstm_.for_each_parameter(put);
  put(head_.weight());
  put(head_.bias());
  lstm_.save_state(file);
}

template <typename T>
void SequenceClassifier<T>::load_state(const TensorFile& file) {
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
          fmt::format("{}: tensor '{}' holds a NaN or infinite value", file.source, p->name));
    values.push_back(std::move(m));
  }
  lstm_.load_state(file);
  for (size_t i = 0; i < params.size(); ++i) params[i]->value = values[i];
}

template <typename T>
void SequenceClassifier<T>::copy_state(State& to) const {
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
void SequenceClassifier<T>::set_state(const State& from) {
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
        "SequenceClassifier::set_state: the state was not copied from a network of this "
        "shape");
  k = 0;
  auto set = [&](Parameter<T>& p) { p.value = from.parameters[k++]; };
  lstm_.for_each_parameter(set);
  set(head_.weight());
  set(head_.bias());
  lstm_.set_running_state(from.running);
}

template class SequenceClassifier<float>;
template class SequenceClassifier<double>;

}  // namespace bnlstm
