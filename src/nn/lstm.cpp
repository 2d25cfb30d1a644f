// Lstm: construction, initialization, parameters and state I/O. The forward and backward passes
// are in lstm_bptt.cpp.
#include "bnlstm/nn/lstm.hpp"

#include <cmath>

#include "bnlstm/core/checked.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/parameter_io.hpp"

namespace bnlstm {

LstmNorm parse_lstm_norm(std::string_view name) {
  if (name == "none") return LstmNorm::none;
  if (name == "batch") return LstmNorm::batch;
  if (name == "layer") return LstmNorm::layer;
  throw Error("unknown LSTM normalization '" + std::string(name) +
              "' (expected none, batch or layer)");
}

std::string to_string(LstmNorm norm) {
  switch (norm) {
    case LstmNorm::none:
      return "none";
    case LstmNorm::batch:
      return "batch";
    case LstmNorm::layer:
      return "layer";
  }
  return "?";
}

namespace {

// Fills w (4H, K) gate block by gate block, so that each gate's (H, K) block gets the scheme's
// fan-in/fan-out (and orthogonal blocks are orthogonal per gate). torch: nn.LSTM's
// U(+-1/sqrt(H)) for every block, drawn as the transposed (K, H) block of the Linear rule.
template <typename T>
void init_gate_blocks(Matrix<T>& w, Index H, InitScheme scheme, Rng& rng) {
  Matrix<T> block(H, w.cols()), transposed(w.cols(), H);
  for (Index g = 0; g < 4; ++g) {
    if (scheme == InitScheme::torch) {
      init_weight(transposed, scheme, rng);
      block = transposed.transpose();
    } else {
      init_weight(block, scheme, rng);
    }
    w.middleRows(g * H, H) = block;
  }
}

}  // namespace

template <typename T>
Lstm<T>::Lstm(const LstmOptions& options, Rng& rng) : options_(options) {
  const Index I = options.input_size, H = options.hidden_size;
  if (I < 1 || H < 1)
    throw Error("Lstm: input_size and hidden_size must be >= 1, got " + std::to_string(I) + " and " +
                std::to_string(H));
  Index G = 0;  // 4H gate rows; H may come from a file
  if (!checked_mul(4, H, G)) throw Error("Lstm: hidden_size " + std::to_string(H) + " is too large");
  if (!(options.eps > 0)) throw Error("Lstm: eps must be > 0, got " + std::to_string(options.eps));
  if (options.momentum && !(*options.momentum >= 0 && *options.momentum <= 1))
    throw Error("Lstm: momentum must be in [0, 1], got " + std::to_string(*options.momentum));

  weight_ih_ = Parameter<T>(full_name("weight_ih_l0"), G, I);
  weight_hh_ = Parameter<T>(full_name("weight_hh_l0"), G, H);
  init_gate_blocks(weight_ih_.value, H, options.weight_ih_init, rng);
  init_gate_blocks(weight_hh_.value, H, options.weight_hh_init, rng);
  const T forget_bias = static_cast<T>(options.forget_bias);
  if (options.norm == LstmNorm::none) {
    bias_ih_ = Parameter<T>(full_name("bias_ih_l0"), 1, G);
    bias_hh_ = Parameter<T>(full_name("bias_hh_l0"), 1, G);
  } else {
    bias_ih_ = Parameter<T>(full_name("bias_l0"), 1, G);
    const T gamma =
        static_cast<T>(options.gamma_init.value_or(options.norm == LstmNorm::batch ? 0.1 : 1.0));
    gamma_x_ = Parameter<T>(full_name("norm_ih.weight"), 1, G);
    gamma_h_ = Parameter<T>(full_name("norm_hh.weight"), 1, G);
    gamma_c_ = Parameter<T>(full_name("norm_c.weight"), 1, H);
    beta_c_ = Parameter<T>(full_name("norm_c.bias"), 1, H);
    gamma_x_.value.setConstant(gamma);
    gamma_h_.value.setConstant(gamma);
    gamma_c_.value.setConstant(gamma);
  }
  bias_ih_.value.middleCols(H, H).setConstant(forget_bias);
  if (options.norm == LstmNorm::batch) {
    bn_x_.emplace(G, options.eps, options.momentum);
    bn_h_.emplace(G, options.eps, options.momentum);
    bn_c_.emplace(H, options.eps, options.momentum);
  }
}

template <typename T>
std::string Lstm<T>::full_name(const std::string& tensor) const {
  return options_.name.empty() ? tensor : options_.name + "." + tensor;
}

// Every parameter (and with grads, its gradient) has the shape the layer was built with.
template <typename T>
void Lstm<T>::check_parameter_shapes(bool grads) const {
  const Index I = input_size(), H = hidden_size(), G = 4 * H;
  check_shape(weight_ih_, G, I, "Lstm", grads);
  check_shape(weight_hh_, G, H, "Lstm", grads);
  check_shape(bias_ih_, 1, G, "Lstm", grads);
  if (norm() == LstmNorm::none) {
    check_shape(bias_hh_, 1, G, "Lstm", grads);
    return;
  }
  check_shape(gamma_x_, 1, G, "Lstm", grads);
  check_shape(gamma_h_, 1, G, "Lstm", grads);
  check_shape(gamma_c_, 1, H, "Lstm", grads);
  check_shape(beta_c_, 1, H, "Lstm", grads);
}

template <typename T>
void Lstm<T>::save_parameters(TensorFile& file, const std::string& prefix) const {
  check_parameter_shapes(false);
  for_each_parameter([&](const Parameter<T>& p) { file.put_matrix(prefix + p.name, p.value); });
}

template <typename T>
void Lstm<T>::load_parameters(const TensorFile& file, const std::string& prefix) {
  check_parameter_shapes(false);  // the expected shapes are the parameters' own
  bnlstm::load_parameters(file, parameters(), prefix);
}

template <typename T>
ParameterList<T> Lstm<T>::parameters() {
  ParameterList<T> list;
  for_each_parameter([&](Parameter<T>& p) { list.push_back(&p); });
  return list;
}

// x: (L*N, I)
template <typename T>
void Lstm<T>::recalibrate_batch_norm(const Eigen::Ref<const Matrix<T>>& x, Index seq_len) {
  if (norm() != LstmNorm::batch) return;
  // the mode and the flag come back however forward() ends
  struct Restore {
    Lstm& lstm;
    bool was_training;
    ~Restore() {
      lstm.training_ = was_training;
      lstm.recalibrating_ = false;
    }
  } restore{*this, training_};
  training_ = true;
  recalibrating_ = true;
  forward(x, seq_len);
}

template <typename T>
void Lstm<T>::set_stats_reducer(BatchStatsReducer* reducer) {
  if (norm() != LstmNorm::batch) return;
  bn_x_->set_stats_reducer(reducer);
  bn_h_->set_stats_reducer(reducer);
  bn_c_->set_stats_reducer(reducer);
}

template <typename T>
void Lstm<T>::save_state(TensorFile& file, const std::string& prefix) const {
  if (options_.norm != LstmNorm::batch) return;
  bn_x_->save_state(file, prefix + full_name("norm_ih."));
  bn_h_->save_state(file, prefix + full_name("norm_hh."));
  bn_c_->save_state(file, prefix + full_name("norm_c."));
}

template <typename T>
void Lstm<T>::copy_running_state(RunningState& to) const {
  if (options_.norm != LstmNorm::batch) return;
  bn_x_->copy_running_state(to[0]);
  bn_h_->copy_running_state(to[1]);
  bn_c_->copy_running_state(to[2]);
}

template <typename T>
void Lstm<T>::set_running_state(const RunningState& from) {
  if (options_.norm != LstmNorm::batch) return;
  bn_x_->set_running_state(from[0]);
  bn_h_->set_running_state(from[1]);
  bn_c_->set_running_state(from[2]);
}

template <typename T>
void Lstm<T>::load_state(const TensorFile& file, const std::string& prefix) {
  if (options_.norm != LstmNorm::batch) return;
  bn_x_->load_state(file, prefix + full_name("norm_ih."));
  bn_h_->load_state(file, prefix + full_name("norm_hh."));
  bn_c_->load_state(file, prefix + full_name("norm_c."));
}

template <typename T>
void Lstm<T>::load_torch(const TensorFile& file, const std::string& prefix) {
  if (options_.norm != LstmNorm::none)
    throw Error(
        file.source +
        ": torch.nn.LSTM weights load only into an LSTM with norm=none, this one has norm=" +
        to_string(options_.norm));
  // Read all four before assigning any, so that a bad file leaves the layer unchanged.
  Matrix<T> w[4];
  Parameter<T>* dest[4] = {&weight_ih_, &weight_hh_, &bias_ih_, &bias_hh_};
  const char* names[4] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"};
  for (int k = 0; k < 4; ++k) {
    const std::string name = prefix + names[k];
    const StoredTensor& stored = file.get(name);
    const bool is_bias = k >= 2;
    const Index rows = dest[k]->value.rows(), cols = dest[k]->value.cols();
    const std::vector<int64_t> expected =
        is_bias ? std::vector<int64_t>{cols} : std::vector<int64_t>{rows, cols};
    if (stored.shape != expected) {
      std::string shape = "(";
      for (size_t d = 0; d < stored.shape.size(); ++d)
        shape += (d ? ", " : "") + std::to_string(stored.shape[d]);
      throw Error(
          file.source + ": " + name + " has shape " + shape + "), expected (" +
          (is_bias ? std::to_string(cols) : std::to_string(rows) + ", " + std::to_string(cols)) +
          ") for input_size " + std::to_string(options_.input_size) + ", hidden_size " +
          std::to_string(options_.hidden_size));
    }
    const std::vector<T> values = stored.values<T>();
    w[k] = ConstMatrixMap<T>(values.data(), rows, cols);
  }
  for (int k = 0; k < 4; ++k) dest[k]->value = w[k];
}

template class Lstm<float>;
template class Lstm<double>;

}  // namespace bnlstm
