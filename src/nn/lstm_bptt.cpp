// Lstm forward over a whole sequence and backpropagation through time (equations: docs/lstm.md).
//
// Per step t (rows t*N .. t*N+N-1 of every (L*N, .) buffer):
//   a_t = in_t + rec_t + b            in_t = W_x x_t, rec_t = W_h h_{t-1}, each normalized in
//                                     batch/layer (γ_x, γ_h; no β), b one bias (none: b_ih + b_hh)
//   i, f, o = σ(a_t blocks), g = tanh(a_t block)
//   c_t = f ⊙ c_{t-1} + i ⊙ g
//   h_t = o ⊙ tanh(ĉ_t)               ĉ_t = c_t (none) or its BN/LN with γ_c, β_c
// The input products of all steps are one (L*N, I) x (I, 4H) product before the time loop, and
// the weight gradients are one product each after it.
//
// Threads: the large products (input projection, recurrent products, dW_hh) are cut into panels
// of the output that the OpenMP threads share out, each panel an ordinary one-thread Eigen
// product (for_panels below). Panels are sized so that Eigen's packed operands stay within its
// 128 KB stack limit: no product allocates (Eigen's own threading always puts its packing buffer
// on the heap) and no thread waits inside a product. Panels depend on the sizes only, so the
// results do not depend on the thread count.
// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's gemm packing
// (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/layer_norm.hpp"
#include "bnlstm/nn/lstm.hpp"

#include "lstm_kernels.hpp"

namespace bnlstm {

using namespace lstm_kernels;

namespace {

std::string shape_str(Index rows, Index cols) { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }

template <typename T>
void check_state(const Matrix<T>* m, const char* what, Index N, Index H) {
  if (m && (m->rows() != N || m->cols() != H))
    throw Error(std::string("Lstm: ") + what + " has shape " + shape_str(m->rows(), m->cols()) + ", expected (N, H) = " +
                shape_str(N, H));
}

template <typename M>
void check_finite(const M& m, const char* what) {
  if (m.allFinite()) return;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c)
      if (!std::isfinite(m(r, c)))
        throw Error(std::string("Lstm::forward: ") + what + " has a non-finite value at row " + std::to_string(r) +
                    ", column " + std::to_string(c));
}

}  // namespace

// Shapes every buffer for L steps of N samples. They are MatrixBuffers: storage only grows, so
// alternating batch sizes (training batches, a shorter last batch, the validation chunks, the
// batch-norm recalibration pass) do not free and reallocate them, and fault their pages in
// again, every epoch.
template <typename T>
void Lstm<T>::resize_buffers(Index L, Index N) {
  const Index I = input_size(), H = hidden_size(), G = 4 * H, LN = L * N;
  x_.resize(LN, I);
  h0_.resize(N, H);
  c0_.resize(N, H);
  out_.resize(LN, H);
  gates_.resize(LN, G);
  c_.resize(LN, H);
  tc_.resize(LN, H);
  step_c_.resize(N, H);
  if (norm() != LstmNorm::none) {
    xw_.resize(LN, G);
    hw_.resize(LN, G);
    step_g_.resize(N, G);
  }
  if (norm() == LstmNorm::layer) {
    for (Vector<T>* v : {&ln_mean_x_, &ln_rstd_x_, &ln_mean_h_, &ln_rstd_h_, &ln_mean_c_, &ln_rstd_c_}) {
      if (v->size() < LN) v->resize(LN);
    }
  }
}

// x: (L*N, I), h0/c0: (N, H) or nullptr. Returns out_ (L*N, H).
template <typename T>
ConstMatrixMap<T> Lstm<T>::forward(const Eigen::Ref<const Matrix<T>>& x, Index seq_len, const Matrix<T>* h0,
                                   const Matrix<T>* c0) {
  const Index I = input_size(), H = hidden_size();
  if (seq_len < 1) throw Error("Lstm::forward: seq_len must be >= 1, got " + std::to_string(seq_len));
  // an empty share of a data-parallel batch still takes part in the synchronized statistics
  const bool synchronized = norm() == LstmNorm::batch && bn_x_->stats_reducer();
  if (x.cols() != I || (x.rows() == 0 && !synchronized) || x.rows() % seq_len != 0)
    throw Error("Lstm::forward: input has shape " + shape_str(x.rows(), x.cols()) + ", expected (L*N, I) with L = " +
                std::to_string(seq_len) + ", I = " + std::to_string(I));
  const Index L = seq_len, N = x.rows() / seq_len;
  check_state(h0, "h0", N, H);
  check_state(c0, "c0", N, H);
  check_parameter_shapes(false);
  check_finite(x, "input");
  if (h0) check_finite(*h0, "h0");
  if (c0) check_finite(*c0, "c0");
  const bool batch_stats = norm() == LstmNorm::batch && training_;
  // (with a stats reducer the count is the whole batch's, checked by the batch norms)
  if (batch_stats && N < 2 && !synchronized)
    throw Error("Lstm::forward: norm=batch in training needs at least 2 sequences per batch, got N = " +
                std::to_string(N));

  resize_buffers(L, N);
  L_ = L;
  N_ = N;
  forward_trained_ = training_;
  x_.view() = x;
  if (h0) h0_.view() = *h0; else h0_.view().setZero();
  // A zero initial state (the default) makes W_hh h_0 = 0: step 0 skips that product and
  // backward skips its dW_hh term. dL/dh_0 is computed only when h0 was passed.
  h0_zero_ = !h0 || h0->isZero(0);
  h0_given_ = h0 != nullptr;
  if (c0) c0_.view() = *c0; else c0_.view().setZero();
  // W_hh packed once for all the steps' products (none when no step has one)
  if (L > 1 || !h0_zero_) {
    detail::PackedWeight<T>::pack(packed_hh_t_, weight_hh_.value, true, packed_width(4 * H));
    if (packed_rhs_.size() < 4 * H * N) packed_rhs_.resize(4 * H * N);
  }
  if (batch_stats) {
    bn_x_->begin_training_sequence(L, recalibrating_);
    bn_h_->begin_training_sequence(L, recalibrating_);
    bn_c_->begin_training_sequence(L, recalibrating_);
  }
  project_inputs(L, N);
  for (Index t = 0; t < L; ++t) step_forward(t, N);
  return out_.const_view();
}

// The last forward's final state: views of the last step's rows of out_ and c_.
template <typename T>
ConstMatrixMap<T> Lstm<T>::h_n() const {
  return ConstMatrixMap<T>(out_.data() + (L_ - 1) * N_ * hidden_size(), N_, hidden_size());
}
template <typename T>
ConstMatrixMap<T> Lstm<T>::c_n() const {
  return ConstMatrixMap<T>(c_.data() + (L_ - 1) * N_ * hidden_size(), N_, hidden_size());
}

// gates_ = (normalized) x W_ih^T + bias for every step at once: (L*N, I) x (I, 4H).
template <typename T>
void Lstm<T>::project_inputs(Index L, Index N) {
  const Index G = 4 * hidden_size(), LN = L * N;
  const T eps = static_cast<T>(options_.eps);
  auto gates = gates_.view();
  switch (norm()) {
    case LstmNorm::none:
      bias_sum_ = bias_ih_.value + bias_hh_.value;
      input_product(gates, x_.view(), weight_ih_.value, bias_sum_);
      break;
    case LstmNorm::batch:
      input_product(xw_.view(), x_.view(), weight_ih_.value);
      // statistics per step over its N rows (all steps' in one call: with data-parallel
      // training they cross the workers together); b is BN's shift
      if (training_) {
        bn_x_->forward_train_steps(gates_.data(), xw_.data(), gamma_x_.value.data(), bias_ih_.value.data(), N);
        break;
      }
      for (Index t = 0; t < L; ++t) {
        const Index r = t * N * G;
        bn_x_->forward_eval(gates_.data() + r, xw_.data() + r, gamma_x_.value.data(), bias_ih_.value.data(), t, N);
      }
      break;
    case LstmNorm::layer:
      input_product(xw_.view(), x_.view(), weight_ih_.value);
      // per-row statistics: all steps in one call; b is LN's shift
      layer_norm_forward(gates_.data(), ln_mean_x_.data(), ln_rstd_x_.data(), xw_.data(), gamma_x_.value.data(),
                         bias_ih_.value.data(), LN, G, eps);
      break;
  }
}

// One time step: adds the recurrent term to gates_ rows of step t, activates them, updates c, h.
template <typename T>
void Lstm<T>::step_forward(Index t, Index N) {
  const Index H = hidden_size(), G = 4 * H, r = t * N;
  const T eps = static_cast<T>(options_.eps);
  ConstMatrixMap<T> h_prev(t == 0 ? h0_.data() : out_.data() + (r - N) * H, N, H);
  ConstMatrixMap<T> c_prev(t == 0 ? c0_.data() : c_.data() + (r - N) * H, N, H);
  MatrixMap<T> a(gates_.data() + r * G, N, G);

  MatrixMap<T> c(c_.data() + r * H, N, H);
  MatrixMap<T> tc(tc_.data() + r * H, N, H);
  auto h = out_.view().middleRows(r, N);
  // c_t = f ⊙ c_{t-1} + i ⊙ g, rows [r0, r0 + rn)
  auto cell = [&](Index r0, Index rn) {
    c.middleRows(r0, rn).array() = a.block(r0, H, rn, H).array() * c_prev.middleRows(r0, rn).array() +
                                   a.block(r0, 0, rn, H).array() * a.block(r0, 2 * H, rn, H).array();
  };
  // h_t = o ⊙ tanh(ĉ_t), rows [r0, r0 + rn), from ĉ in `chat` (c itself, or its normalization)
  auto hidden = [&](Index r0, Index rn, const auto& chat) {
    tc.middleRows(r0, rn).array() = chat.middleRows(r0, rn).array().tanh();
    h.middleRows(r0, rn).array() = a.block(r0, 3 * H, rn, H).array() * tc.middleRows(r0, rn).array();
  };

  // recurrent term
  const bool zero_state = t == 0 && h0_zero_;
  if (norm() == LstmNorm::none && !zero_state) {
    // one parallel region: the product and the gates' nonlinearity by gate-column panels, then the
    // cell and hidden state by row blocks
    const auto w = packed_view(packed_hh_t_, G, H);
    const Index rows = row_block(N, H);
    w.pack_rhs(packed_rhs_.data(), h_prev.data(), H, 0, N);
    two_phases(
        w.panels(),
        [&](Index p) {
          const Index g0 = p * w.width, gw = std::min(w.width, G - g0);
          w.multiply_add(a.data(), G, packed_rhs_.data(), N, p);
          activate_gates(a, g0, gw, H);
        },
        (N + rows - 1) / rows,
        [&](Index b) {
          const Index r0 = b * rows, rn = std::min(rows, N - r0);
          cell(r0, rn);
          hidden(r0, rn, c);
        });
    return;
  }
  if (norm() == LstmNorm::none) {
    // zero h_0: no recurrent product
  } else if (zero_state && !h0_given_ && (norm() == LstmNorm::layer || training_)) {
    // The default zero h_0: W_hh h_0 = 0, and normalizing it gives exactly 0 (x - mean = 0, no
    // shift), so nothing is added to a; backward skips this step's recurrent part, so hw_ and
    // the LN statistics of these rows are never read. Training BN must still record step 0's
    // batch statistics (mean 0, var 0) and running-statistics update, which need no pass over
    // the rows (and no communication: the state is zero on every worker).
    if (norm() == LstmNorm::batch) bn_h_->forward_train_zero(t);
  } else {
    MatrixMap<T> hw(hw_.data() + r * G, N, G);
    if (zero_state) hw.setZero();  // an explicit zero h0: backward differentiates through it
    else packed_product(hw.data(), G, h_prev.data(), H, N, packed_view(packed_hh_t_, G, H), packed_rhs_.data());
    if (norm() == LstmNorm::batch) {
      if (training_) bn_h_->forward_train(step_g_.data(), hw.data(), gamma_h_.value.data(), nullptr, t, N);
      else bn_h_->forward_eval(step_g_.data(), hw.data(), gamma_h_.value.data(), nullptr, t, N);
    } else {
      layer_norm_forward(step_g_.data(), ln_mean_h_.data() + r, ln_rstd_h_.data() + r, hw.data(),
                         gamma_h_.value.data(), static_cast<const T*>(nullptr), N, G, eps);
    }
    a += step_g_.view();
  }

  // gate nonlinearities, in place: i, f -> σ, g -> tanh, o -> σ (in column panels)
  const Index width = std::max(kMinPanel, (G / kPanels + kMinPanel - 1) / kMinPanel * kMinPanel);
  if (N * G < 16384) {
    activate_gates(a, 0, G, H);  // too small to share
  } else {
    for_panels(G, width, [&](Index g0, Index gw) { activate_gates(a, g0, gw, H); });
  }

  // cell state
  cell(0, N);

  // hidden state
  switch (norm()) {
    case LstmNorm::none:
      hidden(0, N, c);
      break;
    case LstmNorm::batch:
      if (training_) bn_c_->forward_train(step_c_.data(), c.data(), gamma_c_.value.data(), beta_c_.value.data(), t, N);
      else bn_c_->forward_eval(step_c_.data(), c.data(), gamma_c_.value.data(), beta_c_.value.data(), t, N);
      hidden(0, N, step_c_.view());
      break;
    case LstmNorm::layer:
      layer_norm_forward(step_c_.data(), ln_mean_c_.data() + r, ln_rstd_c_.data() + r, c.data(),
                         gamma_c_.value.data(), beta_c_.value.data(), N, H, eps);
      hidden(0, N, step_c_.view());
      break;
  }
}

// dy: (L*N, H); dh_n/dc_n: (N, H) or nullptr. Returns dx_ (L*N, I).
template <typename T>
ConstMatrixMap<T> Lstm<T>::backward(const Eigen::Ref<const Matrix<T>>& dy, const Matrix<T>* dh_n,
                                    const Matrix<T>* dc_n) {
  const Index L = L_, N = N_, I = input_size(), H = hidden_size(), G = 4 * H, LN = L * N;
  if (L == 0) throw Error("Lstm::backward: no forward pass to differentiate");
  if (dy.rows() != LN || dy.cols() != H)
    throw Error("Lstm::backward: dy has shape " + shape_str(dy.rows(), dy.cols()) + ", expected the output's " +
                shape_str(LN, H));
  check_state(dh_n, "dh_n", N, H);
  check_state(dc_n, "dc_n", N, H);
  check_parameter_shapes(true);

  dgates_.resize(LN, G);
  if (norm() != LstmNorm::none) {
    dhw_.resize(LN, G);
    dxw_.resize(LN, G);
  }
  dx_.resize(LN, I);
  dtmp_.resize(N, H);
  dh_.resize(N, H);
  dc_.resize(N, H);
  // W_hh packed once for all the steps' dL/dh_{t-1} products (none when no step has one)
  if (L > 1 || h0_given_) {
    detail::PackedWeight<T>::pack(packed_hh_, weight_hh_.value, false, packed_width(H));
    if (packed_rhs_.size() < G * N) packed_rhs_.resize(G * N);
  }
  if (dh_n) dh_.view() = *dh_n; else dh_.view().setZero();
  if (dc_n) dc_.view() = *dc_n; else dc_.view().setZero();

  // after the last step dh_, dc_ hold dL/dh_0, dL/dc_0 (grad_h0(), grad_c0())
  for (Index t = L - 1; t >= 0; --t) step_backward(t, N, dy);

  // input-side normalization backward, all steps
  const T* gx = norm() == LstmNorm::none ? nullptr : gamma_x_.value.data();
  if (norm() == LstmNorm::batch && forward_trained_) {
    bn_x_->backward_steps(dxw_.data(), gamma_x_.grad.data(), nullptr, dgates_.data(), xw_.data(), gx, N);
  } else if (norm() == LstmNorm::batch) {
    for (Index t = 0; t < L; ++t) {
      const Index r = t * N * G;
      bn_x_->backward_eval(dxw_.data() + r, gamma_x_.grad.data(), nullptr, dgates_.data() + r, xw_.data() + r, gx,
                           t, N);
    }
  } else if (norm() == LstmNorm::layer) {
    layer_norm_backward(dxw_.data(), gamma_x_.grad.data(), static_cast<T*>(nullptr), dgates_.data(), xw_.data(),
                        ln_mean_x_.data(), ln_rstd_x_.data(), gx, LN, G);
  }
  const ConstMatrixMap<T> d_in = (norm() == LstmNorm::none ? dgates_ : dxw_).const_view();   // dL/d(x W_ih^T)
  const ConstMatrixMap<T> d_rec = (norm() == LstmNorm::none ? dgates_ : dhw_).const_view();  // dL/d(h_{t-1} W_hh^T)

  // parameter gradients: one product (or pass) over all steps each
  add_input_grads(bias_ih_.grad, norm() == LstmNorm::none ? &bias_hh_.grad : nullptr, weight_ih_.grad,
                  dgates_.view(), d_in, x_.view());
  if (!h0_zero_) add_product_tn(weight_hh_.grad, d_rec.topRows(N), h0_.view());
  if (L > 1) add_product_tn(weight_hh_.grad, d_rec.bottomRows(LN - N), out_.view().topRows(LN - N));
  MatrixMap<T> dx = dx_.view();
  for_panels(LN, std::max<Index>(kMinPanel, (LN + kPanels - 1) / kPanels), [&](Index r0, Index rn) {
    dx.middleRows(r0, rn).noalias() = d_in.middleRows(r0, rn) * weight_ih_.value;
  });
  return dx_.const_view();
}

// Step t of BPTT: dh_, dc_ (N, H) hold dL/dh_t and dL/dc_t from later steps on entry and
// dL/dh_{t-1}, dL/dc_{t-1} on exit; writes dgates_ (and dhw_) rows of step t.
template <typename T>
void Lstm<T>::step_backward(Index t, Index N, const Eigen::Ref<const Matrix<T>>& dy) {
  const Index H = hidden_size(), G = 4 * H, r = t * N;
  MatrixMap<T> dh_carry = dh_.view(), dc_carry = dc_.view(), dchat = dtmp_.view();
  ConstMatrixMap<T> a(gates_.data() + r * G, N, G);
  ConstMatrixMap<T> c(c_.data() + r * H, N, H);
  ConstMatrixMap<T> tc(tc_.data() + r * H, N, H);
  ConstMatrixMap<T> c_prev(t == 0 ? c0_.data() : c_.data() + (r - N) * H, N, H);
  MatrixMap<T> da(dgates_.data() + r * G, N, G);
  const auto i = a.leftCols(H).array(), f = a.middleCols(H, H).array();
  const auto g = a.middleCols(2 * H, H).array(), o = a.rightCols(H).array();
  const bool skip_dh0 = t == 0 && !h0_given_;

  if (norm() == LstmNorm::none) {
    // one parallel region: the element-wise part by row blocks, then dL/dh_{t-1} by panels
    const Index rows = row_block(N, G);
    const auto w = packed_view(packed_hh_, H, G);
    const Index groups = (N + w.nr() - 1) / w.nr();  // pieces of the packed da
    three_phases(
        (N + rows - 1) / rows,
        [&](Index b) {
          const Index r0 = b * rows, rn = std::min(rows, N - r0);
          auto dh = dh_carry.middleRows(r0, rn).array();
          auto dc = dc_carry.middleRows(r0, rn).array();
          const auto ib = i.middleRows(r0, rn), fb = f.middleRows(r0, rn), gb = g.middleRows(r0, rn);
          // two declarations: the types differ, which clang rejects in one (GCC accepts it)
          const auto ob = o.middleRows(r0, rn);
          const auto tcb = tc.middleRows(r0, rn).array();
          auto da_b = da.middleRows(r0, rn);
          // h_t = o ⊙ tanh(c_t)
          dh += dy.middleRows(r + r0, rn).array();
          da_b.rightCols(H).array() = dh * tcb * ob * (1 - ob);
          dc += dh * ob * (1 - tcb.square());
          // c_t = f ⊙ c_{t-1} + i ⊙ g
          da_b.leftCols(H).array() = dc * gb * ib * (1 - ib);
          da_b.middleCols(H, H).array() = dc * c_prev.middleRows(r0, rn).array() * fb * (1 - fb);
          da_b.middleCols(2 * H, H).array() = dc * ib * (1 - gb.square());
          dc *= fb;
        },
        skip_dh0 ? 0 : groups,
        [&](Index q) {
          const Index m0 = q * w.nr();
          w.pack_rhs(packed_rhs_.data(), da.data(), G, m0, std::min(w.nr(), N - m0));
        },
        skip_dh0 ? 0 : w.panels(),
        [&](Index p) {
          const Index k0 = p * w.width, kw = std::min(w.width, H - k0);
          dh_carry.middleCols(k0, kw).setZero();
          w.multiply_add(dh_.data(), H, packed_rhs_.data(), N, p);
        });
    return;
  }

  // h_t = o ⊙ tanh(ĉ_t)
  dh_carry += dy.middleRows(r, N);
  da.rightCols(H).array() = dh_carry.array() * tc.array() * o * (1 - o);
  dchat.array() = dh_carry.array() * o * (1 - tc.array().square());  // dL/dĉ_t

  // through the cell normalization
  switch (norm()) {
    case LstmNorm::none:
      dc_carry += dchat;
      break;
    case LstmNorm::batch:
      if (forward_trained_)
        bn_c_->backward(step_c_.data(), gamma_c_.grad.data(), beta_c_.grad.data(), dtmp_.data(), c.data(),
                        gamma_c_.value.data(), t, N);
      else
        bn_c_->backward_eval(step_c_.data(), gamma_c_.grad.data(), beta_c_.grad.data(), dtmp_.data(), c.data(),
                             gamma_c_.value.data(), t, N);
      dc_carry += step_c_.view();
      break;
    case LstmNorm::layer:
      layer_norm_backward(step_c_.data(), gamma_c_.grad.data(), beta_c_.grad.data(), dtmp_.data(), c.data(),
                          ln_mean_c_.data() + r, ln_rstd_c_.data() + r, gamma_c_.value.data(), N, H);
      dc_carry += step_c_.view();
      break;
  }

  // c_t = f ⊙ c_{t-1} + i ⊙ g
  da.leftCols(H).array() = dc_carry.array() * g * i * (1 - i);
  da.middleCols(H, H).array() = dc_carry.array() * c_prev.array() * f * (1 - f);
  da.middleCols(2 * H, H).array() = dc_carry.array() * i * (1 - g.square());
  dc_carry.array() *= f;

  // through W_hh h_{t-1} and its normalization. With the default zero h_0, step 0's part
  // only feeds dL/dh_0, which is not computed then; dγ_h gets exactly 0 from step 0's x̂ = 0,
  // except in eval-mode BN, where x̂ = -running_mean * rstd.
  if (skip_dh0 && (norm() == LstmNorm::layer || forward_trained_)) return;
  MatrixMap<T> dhw(dhw_.data() + r * G, N, G);
  if (norm() == LstmNorm::batch) {
    if (forward_trained_)
      bn_h_->backward(dhw.data(), gamma_h_.grad.data(), nullptr, da.data(), hw_.data() + r * G,
                      gamma_h_.value.data(), t, N);
    else
      bn_h_->backward_eval(dhw.data(), gamma_h_.grad.data(), nullptr, da.data(), hw_.data() + r * G,
                           gamma_h_.value.data(), t, N);
  } else {
    layer_norm_backward(dhw.data(), gamma_h_.grad.data(), static_cast<T*>(nullptr), da.data(), hw_.data() + r * G,
                        ln_mean_h_.data() + r, ln_rstd_h_.data() + r, gamma_h_.value.data(), N, G);
  }
  if (!skip_dh0)
    packed_product(dh_.data(), H, dhw.data(), G, N, packed_view(packed_hh_, H, G), packed_rhs_.data());
}

#define BNLSTM_INSTANTIATE(T)                                                                                   \
  template void Lstm<T>::resize_buffers(Index, Index);                                                         \
  template ConstMatrixMap<T> Lstm<T>::forward(const Eigen::Ref<const Matrix<T>>&, Index, const Matrix<T>*,    \
                                              const Matrix<T>*);                                               \
  template ConstMatrixMap<T> Lstm<T>::h_n() const;                                                             \
  template ConstMatrixMap<T> Lstm<T>::c_n() const;                                                             \
  template void Lstm<T>::project_inputs(Index, Index);                                                         \
  template void Lstm<T>::step_forward(Index, Index);                                                           \
  template ConstMatrixMap<T> Lstm<T>::backward(const Eigen::Ref<const Matrix<T>>&, const Matrix<T>*,         \
                                               const Matrix<T>*);                                              \
  template void Lstm<T>::step_backward(Index, Index, const Eigen::Ref<const Matrix<T>>&);
BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
