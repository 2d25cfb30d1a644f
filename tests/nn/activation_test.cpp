// Activations by name: values against the C library, derivatives against finite differences.
#include "bnlstm/nn/activation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

const std::vector<double> kInputs = {-30, -5, -2, -0.7, -1e-3, 0.3, 1, 2.5, 8, 40};

double reference(Activation a, double x) {
  switch (a) {
    case Activation::tanh:
      return std::tanh(x);
    case Activation::sigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case Activation::relu:
      return x > 0 ? x : 0.0;
  }
  return NAN;
}

TEST(Activation, NamesRoundTrip) {
  for (const std::string& name : activation_names()) {
    EXPECT_EQ(activation_name(parse_activation(name)), name);
  }
  EXPECT_EQ(activation_names(), (std::vector<std::string>{"tanh", "sigmoid", "relu"}));
  EXPECT_THROW(parse_activation("Tanh"), Error);
  EXPECT_THROW(parse_activation("gelu"), Error);
}

TEST(Activation, ForwardMatchesReferenceInDoubleAndFloat) {
  for (Activation a : {Activation::tanh, Activation::sigmoid, Activation::relu}) {
    std::vector<double> y(kInputs.size());
    activation_forward(y.data(), kInputs.data(), static_cast<Index>(y.size()), a);
    std::vector<float> xf(kInputs.begin(), kInputs.end()), yf(kInputs.size());
    activation_forward(yf.data(), xf.data(), static_cast<Index>(yf.size()), a);
    for (size_t i = 0; i < y.size(); ++i) {
      const double r = reference(a, kInputs[i]);
      EXPECT_NEAR(y[i], r, 1e-15 * std::max(1.0, std::abs(r)))
          << activation_name(a) << " x=" << kInputs[i];
      EXPECT_NEAR(yf[i], r, 1e-6 * std::max(1.0, std::abs(r)))
          << activation_name(a) << " x=" << kInputs[i];
      EXPECT_TRUE(std::isfinite(y[i]) && std::isfinite(yf[i]));
    }
  }
}

TEST(Activation, ForwardInPlace) {
  std::vector<double> v = {-1, 0.5, 2};
  activation_forward(v.data(), v.data(), 3, Activation::relu);
  EXPECT_EQ(v, (std::vector<double>{0, 0.5, 2}));
}

TEST(Activation, BackwardMatchesFiniteDifferences) {
  const double h = 1e-6;
  for (Activation a : {Activation::tanh, Activation::sigmoid, Activation::relu}) {
    const Index n = static_cast<Index>(kInputs.size());
    std::vector<double> y(kInputs.size()), dy(kInputs.size()), dx(kInputs.size());
    for (size_t i = 0; i < dy.size(); ++i) dy[i] = 0.5 + 0.1 * static_cast<double>(i);
    activation_forward(y.data(), kInputs.data(), n, a);
    activation_backward(dx.data(), dy.data(), y.data(), n, a);
    for (size_t i = 0; i < kInputs.size(); ++i) {
      const double x = kInputs[i];
      const double numeric = (reference(a, x + h) - reference(a, x - h)) / (2 * h);
      EXPECT_NEAR(dx[i], dy[i] * numeric, 1e-8) << activation_name(a) << " x=" << x;
    }
  }
}

TEST(Activation, BackwardKnownValues) {
  // tanh'(0) = 1, sigmoid'(0) = 1/4, relu'(x) = 1 for x > 0
  const std::vector<double> y_tanh = {0.0}, y_sig = {0.5}, y_relu = {3.0}, dy = {2.0};
  double dx = 0;
  activation_backward(&dx, dy.data(), y_tanh.data(), 1, Activation::tanh);
  EXPECT_EQ(dx, 2.0);
  activation_backward(&dx, dy.data(), y_sig.data(), 1, Activation::sigmoid);
  EXPECT_EQ(dx, 0.5);
  activation_backward(&dx, dy.data(), y_relu.data(), 1, Activation::relu);
  EXPECT_EQ(dx, 2.0);
}

}  // namespace
}  // namespace bnlstm
