// Lstm: finite-difference gradient checks for each variant, initialization, state round trip,
// buffer reuse and bad input. The PyTorch comparisons are in lstm_golden_test.cpp.
// GCC 12 with AVX-512 reports a false -Wmaybe-uninitialized inside Eigen's vectorized
// reductions and gemm packing (fixed in GCC 13); it is not about this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/nn/lstm.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>

#include "bnlstm/core/error.hpp"
#include "testing/compare.hpp"
#include "testing/gradcheck.hpp"

namespace bnlstm {
namespace {

using testing::numeric_gradient;

Matrix<double> randn(Index rows, Index cols, Rng& rng, double scale = 1.0) {
  std::normal_distribution<double> d(0.0, scale);
  Matrix<double> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = d(rng);
  return m;
}

LstmOptions small_options(LstmNorm norm) {
  LstmOptions o;
  o.input_size = 2;
  o.hidden_size = 3;
  o.norm = norm;
  return o;
}

struct GradCase {
  LstmNorm norm;
  bool zero_state;
  bool eval = false;  // batch: differentiate an eval-mode forward (running statistics)
};

class LstmGradCheck : public ::testing::TestWithParam<GradCase> {};

// Every analytical gradient (parameters, x, h0, c0) against central differences, in double.
TEST_P(LstmGradCheck, BackwardMatchesFiniteDifferences) {
  const auto [norm, zero_state, eval] = GetParam();
  const Index L = 3, N = 3, I = 2, H = 3;
  Rng rng(42);
  Lstm<double> lstm(small_options(norm), rng);
  for (Parameter<double>* p : lstm.parameters()) p->value = randn(p->value.rows(), p->value.cols(), rng, 0.6);
  if (norm != LstmNorm::none) {
    for (Parameter<double>* p : lstm.parameters())
      if (p->name.find("norm_") != std::string::npos && p->name.find(".weight") != std::string::npos)
        p->value.array() += 1.0;  // γ around 1
  }
  Matrix<double> x = randn(L * N, I, rng);
  Matrix<double> h0 = zero_state ? Matrix<double>::Zero(N, H) : randn(N, H, rng, 0.5);
  Matrix<double> c0 = zero_state ? Matrix<double>::Zero(N, H) : randn(N, H, rng, 0.5);
  const Matrix<double> p_out = randn(L * N, H, rng), p_h = randn(N, H, rng), p_c = randn(N, H, rng);
  if (eval) {
    // non-trivial per-step running statistics for steps 0, 1 (step 2 reuses step 1's); a random
    // h0 makes step 0's running mean of W_hh h_0 non-zero
    for (int k = 0; k < 3; ++k) {
      const Matrix<double> h0_k = randn(4, H, rng);
      lstm.forward(randn(2 * 4, I, rng, 1.0 + k), 2, &h0_k);
    }
    lstm.eval();
  }

  auto loss = [&]() {
    const ConstMatrixMap<double> out = lstm.forward(x, L, &h0, &c0);
    return (p_out.array() * out.array()).sum() + (p_h.array() * lstm.h_n().array()).sum() +
           (p_c.array() * lstm.c_n().array()).sum();
  };
  zero_grad(lstm.parameters());
  loss();
  const Matrix<double> dx = lstm.backward(p_out, &p_h, &p_c);
  const Matrix<double> dh0 = lstm.grad_h0(), dc0 = lstm.grad_c0();
  if (zero_state) {
    // the default state (nullptr) skips step 0's recurrent products: same parameter gradients
    std::vector<Matrix<double>> grads;
    for (Parameter<double>* p : lstm.parameters()) grads.push_back(p->grad);
    zero_grad(lstm.parameters());
    lstm.forward(x, L);
    lstm.backward(p_out, &p_h, &p_c);
    for (size_t k = 0; k < grads.size(); ++k)
      EXPECT_TENSOR_NEAR("default state " + lstm.parameters()[k]->name, lstm.parameters()[k]->grad, grads[k], 1e-13);
    EXPECT_EQ(lstm.grad_h0().rows(), 0);
  }

  auto numeric = [&](Matrix<double>& m) {
    const Vector<double> g = numeric_gradient(loss, m.data(), m.size());
    return Matrix<double>(ConstMatrixMap<double>(g.data(), m.rows(), m.cols()));
  };
  EXPECT_TENSOR_NEAR("dx", dx, numeric(x), 1e-6);
  EXPECT_TENSOR_NEAR("dh0", dh0, numeric(h0), 1e-6);
  EXPECT_TENSOR_NEAR("dc0", dc0, numeric(c0), 1e-6);
  for (Parameter<double>* p : lstm.parameters()) EXPECT_TENSOR_NEAR(p->name, p->grad, numeric(p->value), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Variants, LstmGradCheck,
                         ::testing::Values(GradCase{LstmNorm::none, false}, GradCase{LstmNorm::batch, false},
                                           GradCase{LstmNorm::batch, true}, GradCase{LstmNorm::batch, false, true},
                                           GradCase{LstmNorm::batch, true, true}, GradCase{LstmNorm::layer, false},
                                           GradCase{LstmNorm::layer, true}),
                         [](const auto& info) {
                           return to_string(info.param.norm) + (info.param.eval ? "_eval" : "") +
                                  (info.param.zero_state ? "_zero_state" : "_given_state");
                         });

TEST(Lstm, ParameterNamesShapesAndInitialValues) {
  Rng rng(1);
  LstmOptions o = small_options(LstmNorm::none);
  o.forget_bias = 1.0;
  Lstm<float> plain(o, rng);
  const ParameterList<float> p = plain.parameters();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0]->name, "lstm.weight_ih_l0");
  EXPECT_EQ(p[1]->name, "lstm.weight_hh_l0");
  EXPECT_EQ(p[2]->name, "lstm.bias_ih_l0");
  EXPECT_EQ(p[3]->name, "lstm.bias_hh_l0");
  EXPECT_EQ(p[0]->value.rows(), 12);
  EXPECT_EQ(p[0]->value.cols(), 2);
  EXPECT_EQ(p[1]->value.cols(), 3);
  // forget gate block [H, 2H) of the input bias carries forget_bias, everything else 0
  EXPECT_EQ(p[2]->value, (Matrix<float>(1, 12) << 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0).finished());
  EXPECT_TRUE(p[3]->value.isZero());
  EXPECT_GT(p[0]->value.norm(), 0.0f);

  o.norm = LstmNorm::batch;
  o.name = "enc";
  Lstm<float> bn(o, rng);
  const ParameterList<float> q = bn.parameters();
  ASSERT_EQ(q.size(), 7u);
  const char* names[7] = {"enc.weight_ih_l0", "enc.weight_hh_l0", "enc.bias_l0", "enc.norm_ih.weight",
                          "enc.norm_hh.weight", "enc.norm_c.weight", "enc.norm_c.bias"};
  for (int k = 0; k < 7; ++k) EXPECT_EQ(q[k]->name, names[k]);
  EXPECT_TRUE((q[3]->value.array() == 0.1f).all());  // γ = 0.1 (Cooijmans et al.)
  EXPECT_TRUE((q[5]->value.array() == 0.1f).all());
  EXPECT_EQ(q[5]->value.cols(), 3);
  EXPECT_TRUE(q[6]->value.isZero());

  o.norm = LstmNorm::layer;
  Lstm<float> ln(o, rng);
  EXPECT_TRUE((ln.parameters()[4]->value.array() == 1.0f).all());  // γ = 1 (Ba et al.)
}

TEST(Lstm, OrthogonalRecurrentInitIsOrthogonalPerGate) {
  Rng rng(5);
  LstmOptions o = small_options(LstmNorm::batch);
  o.hidden_size = 6;
  o.weight_hh_init = InitScheme::orthogonal;
  Lstm<double> lstm(o, rng);
  const Matrix<double>& w = lstm.weight_hh().value;
  for (Index g = 0; g < 4; ++g) {
    const Matrix<double> block = w.middleRows(g * 6, 6);
    EXPECT_TRUE((block * block.transpose()).isIdentity(1e-12)) << "gate " << g;
  }
}

TEST(Lstm, SameSeedSameWeightsAndFloatMatchesDouble) {
  Rng a(9), b(9);
  const LstmOptions o = small_options(LstmNorm::none);
  Lstm<float> f(o, a);
  Lstm<double> d(o, b);
  EXPECT_TRUE(f.weight_hh().value.cast<double>().isApprox(d.weight_hh().value, 1e-6));
}

// The batch variant's per-step running statistics survive save_state / load_state.
TEST(Lstm, BatchRunningStatisticsRoundTrip) {
  Rng rng(2);
  const LstmOptions o = small_options(LstmNorm::batch);
  Lstm<double> a(o, rng);
  for (Index len : {2, 5, 3}) a.forward(randn(len * 4, 2, rng), len);
  TensorFile file;
  a.save_state(file, "model.");
  for (Parameter<double>* p : a.parameters()) file.put_matrix(p->name, p->value);
  EXPECT_TRUE(file.contains("model.lstm.norm_hh.running_var"));
  const TensorFile back = TensorFile::parse(file.serialize(), "memory");

  Rng other(3);
  Lstm<double> b(o, other);
  b.load_state(back, "model.");
  for (Parameter<double>* p : b.parameters()) p->value = back.matrix<double>(p->name);
  EXPECT_EQ(b.norm_c()->steps_seen(), 5);
  EXPECT_EQ(b.norm_c()->num_batches_tracked(), a.norm_c()->num_batches_tracked());
  a.eval();
  b.eval();
  const Matrix<double> x = randn(8 * 2, 2, rng);
  const Matrix<double> ya = a.forward(x, 8);
  EXPECT_EQ(b.forward(x, 8), ya);
}

// Buffers keep their largest storage: a smaller batch after a larger one reuses it (the same
// data pointer) and gives exactly what a fresh layer gives for that batch, in every variant,
// with and without a given initial state (the views of h_n, c_n, grad_h0, grad_c0 follow the
// shape).
TEST(Lstm, BuffersFollowTheBatchSizeAndKeepTheirStorage) {
  for (LstmNorm norm : {LstmNorm::none, LstmNorm::batch, LstmNorm::layer}) {
    for (bool given : {false, true}) {
      Rng rng_used(4), rng_fresh(4), data(9);
      Lstm<double> used(small_options(norm), rng_used), fresh(small_options(norm), rng_fresh);
      const Index L = 3, N = 4;
      used.forward(randn(L * 6, 2, data), L);  // the larger batch first
      const double* out_storage = used.output().data();
      const double* dx_storage = used.backward(randn(L * 6, 3, data)).data();
      zero_grad(used.parameters());
      const Matrix<double> x = randn(L * N, 2, data), dy = randn(L * N, 3, data);
      const Matrix<double> h0 = randn(N, 3, data), c0 = randn(N, 3, data);
      const Matrix<double> dh_n = randn(N, 3, data), dc_n = randn(N, 3, data);
      const std::string what = to_string(norm) + (given ? " with h0, c0" : "");
      const Matrix<double> out = used.forward(x, L, given ? &h0 : nullptr, given ? &c0 : nullptr);
      EXPECT_EQ(out, fresh.forward(x, L, given ? &h0 : nullptr, given ? &c0 : nullptr)) << what;
      EXPECT_EQ(used.output().data(), out_storage) << what;
      EXPECT_EQ(Matrix<double>(used.h_n()), fresh.h_n()) << what;
      EXPECT_EQ(Matrix<double>(used.c_n()), fresh.c_n()) << what;
      EXPECT_EQ(Matrix<double>(used.h_n()), out.bottomRows(N)) << what;
      const ConstMatrixMap<double> dx = used.backward(dy, &dh_n, &dc_n);
      EXPECT_EQ(Matrix<double>(dx), fresh.backward(dy, &dh_n, &dc_n)) << what;
      EXPECT_EQ(dx.data(), dx_storage) << what;
      EXPECT_EQ(Matrix<double>(used.grad_h0()), fresh.grad_h0()) << what;
      EXPECT_EQ(used.grad_h0().rows(), given ? N : 0) << what;
      EXPECT_EQ(Matrix<double>(used.grad_c0()), fresh.grad_c0()) << what;
      for (size_t k = 0; k < used.parameters().size(); ++k)
        EXPECT_EQ(used.parameters()[k]->grad, fresh.parameters()[k]->grad)
            << what << " " << used.parameters()[k]->name;
    }
  }
}

// Parameter gradients accumulate (+=) across backward calls; a separate zero_grad clears them.
TEST(Lstm, BackwardAccumulatesParameterGradients) {
  for (LstmNorm norm : {LstmNorm::none, LstmNorm::batch, LstmNorm::layer}) {
    Rng rng(11);
    Lstm<double> lstm(small_options(norm), rng);
    const Matrix<double> x = randn(3 * 4, 2, rng), dy = randn(3 * 4, 3, rng);
    zero_grad(lstm.parameters());
    lstm.forward(x, 3);
    lstm.backward(dy);
    std::vector<Matrix<double>> once;
    for (Parameter<double>* p : lstm.parameters()) once.push_back(p->grad);
    lstm.backward(dy);
    for (size_t k = 0; k < once.size(); ++k)
      EXPECT_TRUE(lstm.parameters()[k]->grad.isApprox(2 * once[k], 1e-14)) << lstm.parameters()[k]->name;
  }
}

// Eval mode differs from training mode only for batch, and is deterministic.
TEST(Lstm, EvalUsesRunningStatisticsNotBatchStatistics) {
  Rng rng(6);
  Lstm<double> lstm(small_options(LstmNorm::batch), rng);
  const Matrix<double> x = randn(2 * 4, 2, rng);
  const Matrix<double> train_out = lstm.forward(x, 2);
  lstm.eval();
  const Matrix<double> eval_out = lstm.forward(x, 2);
  EXPECT_GT((train_out - eval_out).norm(), 1e-3);
  // one sample alone gives the same result as within its batch: no batch statistics in eval
  Matrix<double> x0(2, 2);
  x0.row(0) = x.row(0);
  x0.row(1) = x.row(4);
  const Matrix<double> single = lstm.forward(x0, 2);
  EXPECT_TRUE(single.row(0).isApprox(eval_out.row(0), 1e-14));
  EXPECT_TRUE(single.row(1).isApprox(eval_out.row(4), 1e-14));
}

TEST(Lstm, RejectsBadShapesAndModes) {
  Rng rng(7);
  Lstm<float> lstm(small_options(LstmNorm::batch), rng);
  EXPECT_THROW(lstm.backward(Matrix<float>::Zero(4, 3)), Error);                 // no forward yet
  EXPECT_THROW(lstm.forward(Matrix<float>::Zero(6, 3), 2), Error);               // I = 3, expected 2
  EXPECT_THROW(lstm.forward(Matrix<float>::Zero(7, 2), 2), Error);               // 7 rows, L = 2
  EXPECT_THROW(lstm.forward(Matrix<float>::Zero(2, 2), 2), Error);               // N = 1 in training
  const Matrix<float> h0 = Matrix<float>::Zero(3, 3);
  EXPECT_THROW(lstm.forward(Matrix<float>::Zero(4, 2), 2, &h0), Error);          // h0 (3, 3), N = 2
  lstm.forward(Matrix<float>::Zero(4, 2), 2);
  EXPECT_THROW(lstm.backward(Matrix<float>::Zero(4, 2)), Error);                 // dy (4, 2), H = 3
  lstm.eval();
  lstm.forward(Matrix<float>::Zero(2, 2), 2);                                     // N = 1 is fine in eval
  EXPECT_NO_THROW(lstm.backward(Matrix<float>::Zero(2, 3)));                     // eval backward
  try {
    lstm.forward(Matrix<float>::Zero(6, 3), 2);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(6, 3)"), std::string::npos) << e.what();
  }
  Matrix<float> nan_x = Matrix<float>::Zero(4, 2);
  nan_x(3, 1) = std::numeric_limits<float>::quiet_NaN();
  try {
    lstm.forward(nan_x, 2);
    ADD_FAILURE() << "expected bnlstm::Error for a NaN input";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 3, column 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_lstm_norm("batchnorm"), Error);
  EXPECT_EQ(parse_lstm_norm("layer"), LstmNorm::layer);
  LstmOptions bad = small_options(LstmNorm::none);
  bad.hidden_size = 0;
  EXPECT_THROW(Lstm<float>(bad, rng), Error);
}

TEST(Lstm, LoadTorchChecksShapesAndVariant) {
  Rng rng(8);
  Lstm<float> lstm(small_options(LstmNorm::none), rng);
  const Matrix<float> before = lstm.weight_ih().value;
  TensorFile f;
  f.source = "model.safetensors";
  f.put_matrix("weight_ih_l0", Matrix<float>::Ones(12, 2));
  f.put_matrix("weight_hh_l0", Matrix<float>::Ones(12, 4));  // H = 3 expected
  const Vector<float> b = Vector<float>::Ones(12);
  f.put<float>("bias_ih_l0", b.data(), {12});
  f.put<float>("bias_hh_l0", b.data(), {12});
  try {
    lstm.load_torch(f);
    FAIL() << "expected bnlstm::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("model.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("weight_hh_l0"), std::string::npos) << msg;
  }
  EXPECT_EQ(lstm.weight_ih().value, before);  // unchanged on error
  f.put_matrix("weight_hh_l0", Matrix<float>::Ones(12, 3));
  lstm.load_torch(f);
  EXPECT_TRUE(lstm.weight_hh().value.isOnes());
  Lstm<float> bn(small_options(LstmNorm::batch), rng);
  EXPECT_THROW(bn.load_torch(f), Error);
}

}  // namespace
}  // namespace bnlstm
