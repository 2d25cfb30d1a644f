#include "bnlstm/experiments/gate_preactivations.hpp"

#include <fmt/core.h>

#include <array>
#include <cmath>

#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/layer_norm.hpp"
#include "bnlstm/plot/histogram_panels.hpp"

namespace bnlstm {

namespace {

// The Lstm's mode comes back however the recomputation ends.
template <typename T>
struct RestoreMode {
  Lstm<T>& lstm;
  bool was_training;
  ~RestoreMode() { lstm.train(was_training); }
};

// z: (N, C) -> y: (N, C), normalized as the LSTM normalizes it in eval mode: batch with the
// running statistics of step t (the last step's beyond the training length), layer per row.
template <typename T>
Matrix<T> normalize(const Lstm<T>& lstm, const RecurrentBatchNorm<T>* bn, const Matrix<T>& z,
                    const Matrix<T>& gamma, const T* beta, Index t) {
  const Index N = z.rows(), C = z.cols();
  Matrix<T> y(N, C);
  if (lstm.norm() == LstmNorm::batch) {
    bn->forward_eval(y.data(), z.data(), gamma.data(), beta, t, N);
  } else {
    Vector<T> mean(N), rstd(N);
    layer_norm_forward(y.data(), mean.data(), rstd.data(), z.data(), gamma.data(), beta, N, C,
                       static_cast<T>(lstm.options().eps));
  }
  return y;
}

template <typename T>
T sigmoid(T a) {
  return T(1) / (T(1) + std::exp(-a));
}

}  // namespace

// x: (L*N, I) -> pre-activations of step t, (N, 4H) each
template <typename T>
GatePreactivations gate_preactivations(Lstm<T>& lstm,
                                       const Eigen::Ref<const Matrix<std::type_identity_t<T>>>& x,
                                       Index seq_len, Index step) {
  const Index I = lstm.input_size(), H = lstm.hidden_size();
  if (seq_len < 1 || x.rows() % seq_len != 0 || x.rows() == 0 || x.cols() != I)
    throw Error(fmt::format(
        "gate pre-activations: x of shape ({}, {}) does not hold whole sequences of {} steps of "
        "{} values",
        x.rows(), x.cols(), seq_len, I));
  if (step < 0 || step >= seq_len)
    throw Error(fmt::format("gate pre-activations: step {} is outside the sequence's steps 0..{}",
                            step, seq_len - 1));
  const Index N = x.rows() / seq_len;
  RestoreMode<T> restore{lstm, lstm.training()};
  lstm.eval();

  // the state before step t: the LSTM's own forward over steps 0..t-1
  Matrix<T> h_prev = Matrix<T>::Zero(N, H), c_prev = Matrix<T>::Zero(N, H);
  if (step > 0) {
    lstm.forward(x.topRows(step * N), step);
    h_prev = lstm.h_n();
    c_prev = lstm.c_n();
  }
  // parameters in Lstm::parameters() order
  const ParameterList<T> p = lstm.parameters();
  const Matrix<T>& w_ih = p[0]->value;  // (4H, I)
  const Matrix<T>& w_hh = p[1]->value;  // (4H, H)
  const LstmNorm norm = lstm.norm();

  // the two terms, before
  const Matrix<T> zx = x.middleRows(step * N, N) * w_ih.transpose();  // (N, 4H)
  const Matrix<T> zh = h_prev * w_hh.transpose();                     // (N, 4H)
  // ... after, and the bias
  Matrix<T> ax = zx, ah = zh;
  RowVector<T> bias = p[2]->value.row(0);
  if (norm == LstmNorm::none) {
    bias += p[3]->value.row(0);
  } else {
    ax = normalize(lstm, lstm.norm_ih(), zx, p[3]->value, static_cast<const T*>(nullptr), step);
    ah = normalize(lstm, lstm.norm_hh(), zh, p[4]->value, static_cast<const T*>(nullptr), step);
  }
  Matrix<T> before = zx + zh, after = ax + ah;
  before.rowwise() += bias;
  after.rowwise() += bias;

  // cell and hidden state from the pre-activations after normalization
  Matrix<T> c(N, H), o(N, H);
  for (Index n = 0; n < N; ++n)
    for (Index j = 0; j < H; ++j) {
      const T i = sigmoid(after(n, j)), f = sigmoid(after(n, H + j));
      const T g = std::tanh(after(n, 2 * H + j));
      o(n, j) = sigmoid(after(n, 3 * H + j));
      c(n, j) = f * c_prev(n, j) + i * g;
    }
  const Matrix<T> chat = norm == LstmNorm::none ? c
                                                : normalize(lstm, lstm.norm_c(), c, p[5]->value,
                                                            p[6]->value.data(), step);

  GatePreactivations r;
  r.norm = norm;
  r.step = step;
  r.hidden = H;
  r.input_before = zx.template cast<double>();
  r.input_after = ax.template cast<double>();
  r.recurrent_before = zh.template cast<double>();
  r.recurrent_after = ah.template cast<double>();
  r.before = before.template cast<double>();
  r.after = after.template cast<double>();
  r.cell_before = c.template cast<double>();
  r.cell_after = chat.template cast<double>();
  r.hidden_state = (o.array() * chat.array().tanh()).matrix().template cast<double>();
  return r;
}

std::vector<GateStatistics> gate_statistics(const GatePreactivations& g) {
  const Index H = g.hidden;
  // flat: derivative below 0.1 of its maximum (σ' <= 1/4, tanh' <= 1)
  auto flat_sigmoid = [](double a) {
    const double s = 1 / (1 + std::exp(-a));
    return s * (1 - s) < 0.025;
  };
  auto flat_tanh = [](double a) {
    const double t = std::tanh(a);
    return 1 - t * t < 0.1;
  };
  auto describe = [](const auto& block, auto flat, double& mean, double& sd, double& share) {
    const double n = static_cast<double>(block.size());
    mean = block.sum() / n;
    sd = std::sqrt((block.array() - mean).square().sum() / n);
    Index k = 0;
    for (Index r = 0; r < block.rows(); ++r)
      for (Index c = 0; c < block.cols(); ++c) k += flat(block(r, c)) ? 1 : 0;
    share = static_cast<double>(k) / n;
  };
  static const std::array<const char*, 4> kGates = {"i (input)", "f (forget)", "g (candidate)",
                                                    "o (output)"};
  std::vector<GateStatistics> rows;
  for (Index k = 0; k < 4; ++k) {
    GateStatistics s;
    s.name = kGates[k];
    if (k == 2) {
      describe(g.before.middleCols(k * H, H), flat_tanh, s.mean_before, s.std_before,
               s.flat_before);
      describe(g.after.middleCols(k * H, H), flat_tanh, s.mean_after, s.std_after, s.flat_after);
    } else {
      describe(g.before.middleCols(k * H, H), flat_sigmoid, s.mean_before, s.std_before,
               s.flat_before);
      describe(g.after.middleCols(k * H, H), flat_sigmoid, s.mean_after, s.std_after, s.flat_after);
    }
    rows.push_back(s);
  }
  GateStatistics c;
  c.name = "c (cell)";
  describe(g.cell_before, flat_tanh, c.mean_before, c.std_before, c.flat_before);
  describe(g.cell_after, flat_tanh, c.mean_after, c.std_after, c.flat_after);
  rows.push_back(c);
  return rows;
}

std::string format_gate_statistics(const GatePreactivations& g) {
  std::string s = fmt::format(
      "step {} ({} sequences, norm {}): values before -> after normalization; \"flat\" = share "
      "where the activation's slope is below 0.1 of its maximum\n",
      g.step, g.before.rows(), to_string(g.norm));
  s += fmt::format("{:<14} {:>9} {:>9} {:>7}   {:>9} {:>9} {:>7}\n", "", "mean", "std", "flat",
                   "mean", "std", "flat");
  for (const GateStatistics& r : gate_statistics(g))
    s += fmt::format("{:<14} {:>9.4f} {:>9.4f} {:>6.1f}%   {:>9.4f} {:>9.4f} {:>6.1f}%\n", r.name,
                     r.mean_before, r.std_before, 100 * r.flat_before, r.mean_after, r.std_after,
                     100 * r.flat_after);
  return s;
}

std::string gate_statistics_csv(const GatePreactivations& g) {
  std::string s = "quantity,mean_before,std_before,flat_before,mean_after,std_after,flat_after\n";
  for (const GateStatistics& r : gate_statistics(g))
    s += fmt::format("{},{},{},{},{},{},{}\n", r.name.substr(0, 1), r.mean_before, r.std_before,
                     r.flat_before, r.mean_after, r.std_after, r.flat_after);
  return s;
}

void plot_gate_histograms(const GatePreactivations& g, const std::filesystem::path& path,
                          const std::string& title, ImageOptions options) {
  const Index H = g.hidden;
  const bool normalized = g.norm != LstmNorm::none;
  auto values = [](const auto& block) {
    std::vector<double> v;
    v.reserve(static_cast<size_t>(block.size()));
    for (Index r = 0; r < block.rows(); ++r)
      for (Index c = 0; c < block.cols(); ++c) v.push_back(block(r, c));
    return v;
  };
  auto panel = [&](const std::string& name, const auto& before, const auto& after) {
    HistogramChart chart;
    chart.title = name;
    chart.xlabel = "value";
    chart.ylabel = "density";
    chart.density = true;
    chart.key_inside = true;
    if (normalized)
      chart.samples = {{"before", values(before)},
                       {"after " + to_string(g.norm) + " norm", values(after)}};
    else
      chart.samples = {{"no normalization", values(after)}};
    return chart;
  };
  static const std::array<const char*, 4> kGates = {"i (input gate)", "f (forget gate)",
                                                    "g (candidate)", "o (output gate)"};
  HistogramPanels panels;
  panels.title = title;
  panels.columns = 3;
  for (Index k = 0; k < 4; ++k)
    panels.panels.push_back(panel(fmt::format("pre-activation {}", kGates[k]),
                                  g.before.middleCols(k * H, H), g.after.middleCols(k * H, H)));
  panels.panels.push_back(panel("cell state c_t", g.cell_before, g.cell_after));
  if (options.width == ImageOptions{}.width) options.width = 1440;
  if (options.height == ImageOptions{}.height) options.height = 800;
  plot_histogram_panels(path, panels, options);
}

#define BNLSTM_GATE_PREACTIVATIONS(T)                 \
  template GatePreactivations gate_preactivations<T>( \
      Lstm<T>&, const Eigen::Ref<const Matrix<std::type_identity_t<T>>>&, Index, Index);
BNLSTM_GATE_PREACTIVATIONS(float)
BNLSTM_GATE_PREACTIVATIONS(double)

}  // namespace bnlstm
