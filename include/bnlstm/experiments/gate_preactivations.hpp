#pragma once
// The notebook's "histograms before vs after" question asked inside a trained LSTM: at one time
// step t, what do the gate pre-activations look like before the normalization and after it?
//
// In eval mode (the trained model as it is used: batch norm with step t's running statistics,
// layer norm with each row's own), for a batch of sequences:
//   input term      W_ih x_t                  before, and normalized with γ_x (none: the same)
//   recurrent term  W_hh h_{t-1}              before, and normalized with γ_h (none: the same)
//   pre-activations before = the two terms before + b, after = the two terms after + b: what
//                   σ(i), σ(f), tanh(g), σ(o) see (none: both biases, and before = after)
//   cell state      c_t, and normalized with γ_c, β_c (none: the same)
//   hidden state    h_t = σ(o) ⊙ tanh(ĉ_t), recomputed from the above; it equals the LSTM's own
//                   output at step t (the tests check this, which checks every value above)
// h_0 = c_0 = 0, as the classifier evaluates.
//
//   GatePreactivations g = gate_preactivations(net.lstm(), x, L, 14);
//   fmt::print("{}", format_gate_statistics(g));
//   plot_gate_histograms(g, "gates-step14.png");
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/nn/lstm.hpp"
#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm {

struct GatePreactivations {
  LstmNorm norm = LstmNorm::none;
  Index step = 0;    // t
  Index hidden = 0;  // H; the 4H columns below are i [0,H), f [H,2H), g [2H,3H), o [3H,4H)
  MatrixD input_before, input_after;          // (N, 4H)
  MatrixD recurrent_before, recurrent_after;  // (N, 4H)
  MatrixD before, after;                      // (N, 4H) pre-activations
  MatrixD cell_before, cell_after;            // (N, H)
  MatrixD hidden_state;                       // (N, H) h_t
};

// x: (L*N, I) time-major, as Lstm::forward takes it; step in [0, L). Runs lstm's forward over
// the first `step` steps in eval mode (the mode is restored afterwards). Throws bnlstm::Error for
// a step outside [0, L) or shapes that do not fit the LSTM.
template <typename T>
GatePreactivations gate_preactivations(Lstm<T>& lstm,
                                       const Eigen::Ref<const Matrix<std::type_identity_t<T>>>& x,
                                       Index seq_len, Index step);

// One row per gate (i, f, g, o) and for the cell state: mean and (biased) standard deviation of
// all N*H values before and after, and the share of values where the activation is flat
// (derivative below 0.1 of its maximum: |a| > 3.63 for σ, |a| > 1.82 for tanh; for the cell
// the activation is tanh of the normalized state).
struct GateStatistics {
  std::string name;  // "i (input)", "f (forget)", "g (candidate)", "o (output)", "c (cell)"
  double mean_before = 0, std_before = 0, flat_before = 0;
  double mean_after = 0, std_after = 0, flat_after = 0;
};
std::vector<GateStatistics> gate_statistics(const GatePreactivations& g);

// The statistics as a fixed-width table, and as CSV
// (quantity,mean_before,std_before,flat_before,mean_after,std_after,flat_after).
std::string format_gate_statistics(const GatePreactivations& g);
std::string gate_statistics_csv(const GatePreactivations& g);

// One picture, a panel per gate and one for the cell state, each with the histograms before and
// after normalization overlaid (none: one histogram per panel). Throws GnuplotNotFound when
// gnuplot is missing.
void plot_gate_histograms(const GatePreactivations& g, const std::filesystem::path& path,
                          const std::string& title, ImageOptions options = {});

}  // namespace bnlstm
