#include "bnlstm/nn/init.hpp"

#include <Eigen/QR>
#include <array>
#include <cmath>
#include <random>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

struct SchemeName {
  InitScheme scheme;
  std::string_view name;
};

constexpr std::array<SchemeName, 8> kSchemes{{{InitScheme::random, "random"},
                                              {InitScheme::xavier, "xavier"},
                                              {InitScheme::he, "he"},
                                              {InitScheme::uniform, "uniform"},
                                              {InitScheme::glorot_uniform, "glorot_uniform"},
                                              {InitScheme::orthogonal, "orthogonal"},
                                              {InitScheme::identity, "identity"},
                                              {InitScheme::torch, "torch"}}};

// w: (rows, cols); every entry scale * N(0, 1), drawn in double.
template <typename T>
void fill_normal(Matrix<T>& w, double scale, Rng& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  T* data = w.data();
  for (Index i = 0; i < w.size(); ++i) data[i] = static_cast<T>(scale * normal(rng));
}

// w: (rows, cols); every entry U(-bound, bound), drawn in double.
template <typename T>
void fill_uniform(Matrix<T>& w, double bound, Rng& rng) {
  std::uniform_real_distribution<double> uniform(-bound, bound);
  T* data = w.data();
  for (Index i = 0; i < w.size(); ++i) data[i] = static_cast<T>(uniform(rng));
}

}  // namespace

InitScheme parse_init_scheme(std::string_view name) {
  for (const auto& s : kSchemes) {
    if (s.name == name) return s.scheme;
  }
  std::string valid;
  for (const auto& s : kSchemes) valid += (valid.empty() ? "" : ", ") + std::string(s.name);
  throw Error("unknown init scheme '" + std::string(name) + "' (expected one of: " + valid + ")");
}

std::string to_string(InitScheme scheme) {
  for (const auto& s : kSchemes) {
    if (s.scheme == scheme) return std::string(s.name);
  }
  return "unknown";
}

// w: (rows, cols), N(0, 1) on entry; orthonormal columns (rows >= cols) or rows on exit.
template <typename T>
void orthogonalize(Matrix<T>& w) {
  if (w.size() == 0) return;
  // torch transposes a wide matrix so that the QR is always of a tall (m, n) one
  const bool wide = w.rows() < w.cols();
  Eigen::MatrixXd a;
  if (wide) {
    a = w.transpose().template cast<double>();
  } else {
    a = w.template cast<double>();
  }
  const Index m = a.rows(), n = a.cols();
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  // reduced Q: (m, n)
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(m, n);
  // sign correction: Q * sign(diag R) is the unique QR with a positive diagonal in R
  for (Index j = 0; j < n; ++j) {
    const double d = qr.matrixQR()(j, j);
    q.col(j) *= static_cast<double>((d > 0) - (d < 0));
  }
  if (wide) {
    w = q.transpose().template cast<T>();
  } else {
    w = q.template cast<T>();
  }
}

template <typename T>
void init_weight(Matrix<T>& w, InitScheme scheme, Rng& rng) {
  const double fan_out = static_cast<double>(w.rows());
  const double fan_in = static_cast<double>(w.cols());
  switch (scheme) {
    case InitScheme::random:
      fill_normal(w, 1.0, rng);
      return;
    case InitScheme::xavier:  // the notebook divides by sqrt(shape[0]) = sqrt(rows)
      fill_normal(w, 1.0 / std::sqrt(fan_out), rng);
      return;
    case InitScheme::he:  // the notebook's sqrt(2 / shape[0])
      fill_normal(w, std::sqrt(2.0 / fan_out), rng);
      return;
    case InitScheme::uniform:
      fill_uniform(w, 1.0, rng);
      return;
    case InitScheme::glorot_uniform:
      fill_uniform(w, std::sqrt(6.0 / (fan_in + fan_out)), rng);
      return;
    case InitScheme::orthogonal:
      fill_normal(w, 1.0, rng);
      orthogonalize(w);
      return;
    case InitScheme::identity:  // draws nothing
      w.setIdentity();
      return;
    case InitScheme::torch:  // nn.Linear: kaiming_uniform_(a = sqrt(5)) = U(+-1/sqrt(fan_in))
      fill_uniform(w, 1.0 / std::sqrt(fan_in), rng);
      return;
  }
  throw Error("init_weight: invalid InitScheme value " + std::to_string(static_cast<int>(scheme)));
}

template void init_weight<float>(Matrix<float>&, InitScheme, Rng&);
template void init_weight<double>(Matrix<double>&, InitScheme, Rng&);
template void orthogonalize<float>(Matrix<float>&);
template void orthogonalize<double>(Matrix<double>&);

}  // namespace bnlstm
