// SequenceClassifier against PyTorch (tools/golden_classify.py: the explicit LSTM cells, a Linear
// head on h_n and nn.CrossEntropyLoss, float64 autograd) and against central differences.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "bnlstm/classify/sequence_classifier.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/cross_entropy.hpp"
#include "testing/compare.hpp"
#include "testing/gradcheck.hpp"

namespace bnlstm {
namespace {

std::string short_name(const std::string& name) {
  return name.rfind("lstm.", 0) == 0 ? name.substr(5) : name;
}

// A classifier with the golden file's sizes and parameters; h_0 is passed by the test.
template <typename T>
SequenceClassifier<T> make_classifier(const TensorFile& f) {
  ClassifierConfig c;
  c.input_size = std::stol(f.metadata.at("I"));
  c.hidden_size = std::stol(f.metadata.at("H"));
  c.classes = std::stol(f.metadata.at("K"));
  c.norm = parse_lstm_norm(f.metadata.at("norm"));
  c.h0_noise = 0;  // the golden h_0 is given explicitly below
  Rng rng(1);
  SequenceClassifier<T> net(c, rng);
  for (Parameter<T>* p : net.parameters()) p->value = f.matrix<T>(short_name(p->name));
  return net;
}

std::vector<int32_t> labels_of(const TensorFile& f) {
  std::vector<int32_t> out;
  for (int64_t v : f.get("labels").values<int64_t>()) out.push_back(static_cast<int32_t>(v));
  return out;
}

// Forward with the file's h_0 (through the Lstm directly: the classifier draws its own noise),
// the head and the loss; backward through the classifier's own backward.
template <typename T>
void check_case(const std::string& file, double rtol_out, double rtol_grad) {
  SCOPED_TRACE(file);
  const TensorFile f = TensorFile::load(std::string(BNLSTM_GOLDEN_DIR) + "/" + file);
  SequenceClassifier<T> net = make_classifier<T>(f);
  const Index L = std::stol(f.metadata.at("L"));
  const Matrix<T> x = f.matrix<T>("x"), h0 = f.matrix<T>("h0");
  const std::vector<int32_t> labels = labels_of(f);
  const bool noisy = f.metadata.at("noisy") == "1";

  Matrix<T> logits_copy;
  if (noisy) {
    // the classifier draws its own h_0; to use the file's, run its Lstm and head by hand
    net.lstm().forward(x, L, &h0);
    Matrix<T> y;
    net.head().forward(net.lstm().h_n(), y);
    logits_copy = y;
  } else {
    logits_copy = net.forward(x, L);
  }
  EXPECT_TENSOR_NEAR("logits", logits_copy, f.matrix<T>("logits"), rtol_out);
  MatrixBuffer<T> probs, dlogits;
  const T loss = cross_entropy_forward<T>(probs, logits_copy, labels);
  EXPECT_TENSOR_NEAR("loss", Matrix<T>::Constant(1, 1, loss), f.matrix<T>("loss"), rtol_out);
  cross_entropy_backward<T>(dlogits, probs.view(), labels);
  if (noisy) {
    // same backward as SequenceClassifier::backward: head, then the LSTM with only h_n's rows
    const Index N = static_cast<Index>(labels.size());
    Matrix<T> dout = Matrix<T>::Zero(L * N, h0.cols());
    Matrix<T> dh;
    net.head().backward(dlogits.view(), dh);
    dout.bottomRows(N) = dh;
    EXPECT_TENSOR_NEAR("grad.x", net.lstm().backward(dout), f.matrix<T>("grad.x"), rtol_grad);
  } else {
    net.backward(dlogits.view());
  }
  for (Parameter<T>* p : net.parameters()) {
    const std::string name = "grad." + short_name(p->name);
    EXPECT_TENSOR_NEAR(name, p->grad, f.matrix<T>(name), rtol_grad);
  }
}

class ClassifierGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ClassifierGolden, DoubleMatchesTorchLossAndEveryGradient) {
  check_case<double>(GetParam(), 1e-10, 1e-9);
}
TEST_P(ClassifierGolden, FloatMatchesTorch) {
  check_case<float>(GetParam(), 1e-5, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, ClassifierGolden,
    ::testing::Values("classify_none_zero.safetensors", "classify_none_noise.safetensors",
                      "classify_batch_zero.safetensors", "classify_batch_noise.safetensors",
                      "classify_layer_zero.safetensors", "classify_layer_noise.safetensors"),
    [](const auto& info) {
      std::string s = info.param;
      s = s.substr(9, s.find('.') - 9);  // classify_<norm>_<state>
      return s;
    });

// Central differences through the classifier's own forward (eval-free: training mode, noise
// drawn from a generator re-seeded for every evaluation, so h_0 is the same each time).
class ClassifierGradCheck : public ::testing::TestWithParam<LstmNorm> {};

TEST_P(ClassifierGradCheck, EveryParameterGradientMatchesFiniteDifferences) {
  ClassifierConfig c;
  c.input_size = 3;
  c.hidden_size = 4;
  c.classes = 3;
  c.norm = GetParam();
  c.h0_noise = 0.3;
  c.forget_bias = 0.5;
  c.recurrent_init = InitScheme::orthogonal;
  c.gamma_init = 0.7;
  Rng rng(5);
  SequenceClassifier<double> net(c, rng);
  const Index L = 4, N = 5;
  const Matrix<double> x = (Matrix<double>::Random(L * N, 3).array() + 1) / 2;
  const std::vector<int32_t> labels = {0, 2, 1, 1, 0};
  const auto loss = [&] {
    Rng noise(77);
    MatrixBuffer<double> probs;
    return cross_entropy_forward<double>(probs, net.forward(x, L, &noise), labels);
  };
  zero_grad(net.parameters());
  Rng noise(77);
  MatrixBuffer<double> probs, dlogits;
  cross_entropy_forward<double>(probs, net.forward(x, L, &noise), labels);
  cross_entropy_backward<double>(dlogits, probs.view(), labels);
  net.backward(dlogits.view());
  for (Parameter<double>* p : net.parameters()) {
    const Vector<double> g = testing::numeric_gradient(loss, p->value.data(), p->value.size());
    const Matrix<double> gm =
        Eigen::Map<const Matrix<double>>(g.data(), p->value.rows(), p->value.cols());
    EXPECT_TENSOR_NEAR(p->name, p->grad, gm, 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Norms, ClassifierGradCheck,
                         ::testing::Values(LstmNorm::none, LstmNorm::batch, LstmNorm::layer),
                         [](const auto& info) { return to_string(info.param); });

TEST(SequenceClassifier, DefaultsArePapers) {
  Rng rng(3);
  SequenceClassifier<float> net(ClassifierConfig{}, rng);
  const Index H = 100;
  // identity recurrent weights per gate, forget bias 1, γ 0.1
  const Matrix<float>& whh = net.lstm().weight_hh().value;
  for (Index g = 0; g < 4; ++g) EXPECT_TRUE(whh.middleRows(g * H, H).isIdentity()) << "gate " << g;
  for (Parameter<float>* p : net.parameters()) {
    if (p->name == "lstm.bias_l0") {
      EXPECT_FLOAT_EQ(p->value(0, H), 1.0f);
      EXPECT_FLOAT_EQ(p->value(0, 0), 0.0f);
    }
    if (p->name == "lstm.norm_ih.weight") {
      EXPECT_FLOAT_EQ(p->value(0, 0), 0.1f);
    }
  }
}

TEST(SequenceClassifier, NoiseOnlyInTrainingAndStateRoundTrip) {
  ClassifierConfig c;
  c.input_size = 2;
  c.hidden_size = 5;
  c.classes = 3;
  c.norm = LstmNorm::layer;
  Rng rng(4);
  SequenceClassifier<double> net(c, rng);
  const Matrix<double> x = Matrix<double>::Random(6 * 3, 2);
  Rng noise(1);
  const Matrix<double> a = net.forward(x, 6, &noise);
  const Matrix<double> b = net.forward(x, 6, &noise);
  EXPECT_GT((a - b).cwiseAbs().maxCoeff(), 1e-6);  // different noise each call
  EXPECT_THROW(net.forward(x, 6), Error);          // training with noise needs a generator
  net.eval();
  const Matrix<double> e1 = net.forward(x, 6);
  TensorFile file;
  net.save_state(file);
  Rng other(99);
  SequenceClassifier<double> loaded(c, other);
  loaded.load_state(TensorFile::parse(file.serialize(), "state"));
  loaded.eval();
  EXPECT_TENSOR_NEAR("eval logits after load", loaded.forward(x, 6), e1, 0);
}

}  // namespace
}  // namespace bnlstm
