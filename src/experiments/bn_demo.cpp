#include "bnlstm/experiments/bn_demo.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/nn/batch_norm.hpp"
#include "bnlstm/plot/charts.hpp"
#include "bnlstm/plot/histogram_panels.hpp"

namespace bnlstm {

namespace fs = std::filesystem;

FeatureStats feature_stats(const MatrixD& x) {
  // x: (N, C); two passes (mean, then squared deviations) for an accurate small variance
  FeatureStats s;
  const double n = static_cast<double>(x.rows());
  s.mean = x.colwise().mean().transpose();
  s.std = ((x.rowwise() - s.mean.transpose()).array().square().colwise().sum() / n)
              .sqrt()
              .matrix()
              .transpose();
  return s;
}

namespace {

// Share of f's outputs y where f'(x) < 0.1 * max f' (tanh' max 1, sigmoid' max 1/4, relu' 1).
double low_gradient_share(const MatrixD& y, Activation activation) {
  const double max_slope = activation == Activation::sigmoid ? 0.25 : 1.0;
  const Index n = y.size();
  MatrixD ones = MatrixD::Ones(y.rows(), y.cols()), slope(y.rows(), y.cols());
  activation_backward(slope.data(), ones.data(), y.data(), n, activation);
  return static_cast<double>((slope.array() < 0.1 * max_slope).count()) / static_cast<double>(n);
}

std::vector<double> values_of(const MatrixD& m) {
  return {m.data(), m.data() + m.size()};
}

std::vector<double> column_of(const MatrixD& m, Index j) {
  std::vector<double> v(static_cast<size_t>(m.rows()));
  for (Index i = 0; i < m.rows(); ++i) v[static_cast<size_t>(i)] = m(i, j);
  return v;
}

// r.before (N, C) -> after, activations, statistics
void normalize_and_activate(BnDemoResult& r) {
  const Index N = r.before.rows(), C = r.before.cols();
  const Activation f = r.config.activation;
  // normalize: BatchNorm1d with torch's defaults, training mode (batch statistics)
  BatchNorm1d<double> bn(C);
  bn.train();
  bn.forward(r.before, r.after);
  r.eps = bn.options().eps;

  // activate
  r.activated_before.resize(N, C);
  r.activated_after.resize(N, C);
  activation_forward(r.activated_before.data(), r.before.data(), N * C, f);
  activation_forward(r.activated_after.data(), r.after.data(), N * C, f);

  r.stats_before = feature_stats(r.before);
  r.stats_after = feature_stats(r.after);
  r.low_gradient_before = low_gradient_share(r.activated_before, f);
  r.low_gradient_after = low_gradient_share(r.activated_after, f);
}

}  // namespace

BnDemoResult run_bn_demo(const BnDemoConfig& config, Rng& rng) {
  if (config.samples < 2 || config.features < 1) {
    throw Error(fmt::format("bn-demo: {} samples x {} features: need at least 2 x 1",
                            config.samples, config.features));
  }
  BnDemoResult r;
  r.config = config;
  const Index N = config.samples, C = config.features;

  // samples: first half around -shift, second half around +shift
  r.before.resize(N, C);
  std::normal_distribution<double> low(-config.shift, config.sigma),
      high(config.shift, config.sigma);
  for (Index i = 0; i < N; ++i) {
    auto& gaussian = i < N / 2 ? low : high;
    for (Index j = 0; j < C; ++j) r.before(i, j) = gaussian(rng);
  }

  normalize_and_activate(r);
  return r;
}

BnDemoResult run_bn_demo_on(const MatrixD& values, std::vector<std::string> names,
                            std::string source, Activation activation) {
  const Index N = values.rows(), C = values.cols();
  if (N < 2)
    throw Error(
        fmt::format("{}: {} row{}; BatchNorm1d needs at least 2", source, N, N == 1 ? "" : "s"));
  if (C < 1) throw Error(fmt::format("{}: no column to normalize", source));
  if (static_cast<Index>(names.size()) != C)
    throw Error(fmt::format("{}: {} column names for {} columns", source, names.size(), C));
  for (Index j = 0; j < C; ++j)
    for (Index i = 0; i < N; ++i)
      if (!std::isfinite(values(i, j)))
        throw Error(fmt::format("{}: column '{}', row {}: {} is not a finite number", source,
                                names[static_cast<size_t>(j)], i, values(i, j)));
  BnDemoResult r;
  r.config.samples = N;
  r.config.features = C;
  r.config.activation = activation;
  r.before = values;
  r.source = std::move(source);
  r.feature_names = std::move(names);
  normalize_and_activate(r);
  return r;
}

namespace {

// Own data: one line per column, by name.
std::string own_data_table(const BnDemoResult& r) {
  const BnDemoConfig& c = r.config;
  const FeatureStats &b = r.stats_before, &a = r.stats_after;
  std::string out =
      fmt::format("BatchNorm1d (training mode, eps {:g}) on {} rows x {} column{} of {}\n\n", r.eps,
                  c.samples, c.features, c.features == 1 ? "" : "s", r.source);
  size_t width = 6;
  for (const auto& name : r.feature_names) width = std::max(width, name.size());
  out += fmt::format("  {:<{}} {:>13} {:>13} {:>13} {:>13}\n", "column", width, "mean before",
                     "std before", "mean after", "std after");
  for (Index j = 0; j < c.features; ++j)
    out += fmt::format("  {:<{}} {:>13.6g} {:>13.6g} {:>13.2e} {:>13.9f}\n",
                       r.feature_names[static_cast<size_t>(j)], width, b.mean(j), b.std(j),
                       a.mean(j), a.std(j));
  out +=
      "  (std biased, as BatchNorm1d normalizes; after = sqrt(var / (var + eps)): a column "
      "whose std is\n   far below sqrt(eps) ~ 0.003 stays small)\n";
  return out;
}

// The built-in mixture: statistics summarized over the features, a few features in detail.
std::string mixture_table(const BnDemoResult& r, int features_shown) {
  const BnDemoConfig& c = r.config;
  std::string out;
  const FeatureStats &b = r.stats_before, &a = r.stats_after;
  out = fmt::format(
      "BatchNorm1d (training mode, eps {:g}) on {} samples x {} features: half N({:g}, {:g}²), "
      "half N({:g}, {:g}²)\n\n",
      r.eps, c.samples, c.features, -c.shift, c.sigma, c.shift, c.sigma);

  out += fmt::format("per-feature statistic over the {} features   {:>13} {:>13} {:>13}\n",
                     c.features, "min", "mean", "max");
  auto summary = [&](const char* name, const VectorD& v, const char* spec) {
    out += fmt::format("  {:<43}", name);
    for (double x : {v.minCoeff(), v.mean(), v.maxCoeff()}) {
      out += fmt::format(fmt::runtime(spec), x);
    }
    out += '\n';
  };
  summary("mean before", b.mean, " {:>13.6f}");
  summary("mean after", a.mean, " {:>13.2e}");
  summary("std before (biased)", b.std, " {:>13.6f}");
  summary("std after (biased)", a.std, " {:>13.9f}");
  out += fmt::format(
      "  expected: std before ~ sqrt(sigma² + shift²) = {:.6f},\n"
      "            std after = sqrt(var / (var + eps)) ~ {:.9f}\n\n",
      std::sqrt(c.sigma * c.sigma + c.shift * c.shift),
      1.0 / std::sqrt(1.0 + r.eps / (c.sigma * c.sigma + c.shift * c.shift)));

  out += fmt::format("  {:>7} {:>13} {:>13} {:>13} {:>13}\n", "feature", "mean before",
                     "std before", "mean after", "std after");
  const Index shown = std::min<Index>(std::max(features_shown, 0), c.features);
  for (Index j = 0; j < shown; ++j) {
    // spread the shown features over the range: 0, ..., C-1
    const Index f = shown == 1 ? 0 : j * (c.features - 1) / (shown - 1);
    out += fmt::format("  {:>7} {:>13.6f} {:>13.6f} {:>13.2e} {:>13.9f}\n", f, b.mean(f), b.std(f),
                       a.mean(f), a.std(f));
  }
  return out;
}

}  // namespace

std::string format_bn_demo_table(const BnDemoResult& r, int features_shown) {
  const BnDemoConfig& c = r.config;
  std::string out = r.own_data() ? own_data_table(r) : mixture_table(r, features_shown);

  const std::string_view f = activation_name(c.activation);
  const double mb = r.activated_before.mean(), ma = r.activated_after.mean();
  const double sb = std::sqrt((r.activated_before.array() - mb).square().mean());
  const double sa = std::sqrt((r.activated_after.array() - ma).square().mean());
  out += fmt::format("\n{} outputs (all values)  {:>10} {:>10} {:>26}\n", f, "mean", "std",
                     "share with f' < 0.1 max f'");
  out += fmt::format("  {:<21} {:>10.4f} {:>10.4f} {:>25.1f}%\n", "before BatchNorm", mb, sb,
                     100.0 * r.low_gradient_before);
  out += fmt::format("  {:<21} {:>10.4f} {:>10.4f} {:>25.1f}%\n", "after BatchNorm", ma, sa,
                     100.0 * r.low_gradient_after);
  return out;
}

namespace {

// A column name as a CSV field: quoted when it holds a comma, a quote or a line break.
std::string csv_name(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// Own data: a row of two panels per column (values before | after, each on its own axis) and
// a panel per column of f's outputs before and after.
std::vector<fs::path> plot_own_data(const BnDemoResult& r, const std::vector<fs::path>& paths,
                                    const ImageOptions& options) {
  const std::string f(activation_name(r.config.activation));
  const std::string rows = fmt::format("{} rows of {}", r.config.samples, r.source);
  HistogramPanels values, activations;
  values.title = fmt::format("Values before and after BatchNorm1d ({}, training mode)", rows);
  values.columns = 2;
  activations.title = fmt::format("{} outputs before and after BatchNorm1d ({})", f, rows);
  activations.columns = r.config.features == 1 ? 1 : 2;
  for (Index j = 0; j < r.config.features; ++j) {
    const std::string& name = r.feature_names[static_cast<size_t>(j)];
    HistogramChart before, after, act;
    before.title = name + " before BN";
    before.xlabel = name;
    before.samples = {{"before BN", column_of(r.before, j)}};
    after.title = name + " after BN";
    after.xlabel = "normalized " + name;
    after.samples = {{"after BN", column_of(r.after, j)}};
    before.key_inside = after.key_inside = act.key_inside = true;
    act.title = name;
    act.xlabel = f + "(value)";
    act.samples = {{f + "(before)", column_of(r.activated_before, j)},
                   {f + "(after)", column_of(r.activated_after, j)}};
    values.panels.push_back(std::move(before));
    values.panels.push_back(std::move(after));
    activations.panels.push_back(std::move(act));
  }
  // taller pictures for more columns: about 300 pixels per row of panels
  ImageOptions tall = options;
  const int value_rows = static_cast<int>(r.config.features);
  tall.height = std::max(options.height, 300 * value_rows);
  plot_histogram_panels(paths[0], values, tall);
  const int act_rows = static_cast<int>((r.config.features + 1) / 2);
  tall.height = std::max(options.height, 300 * act_rows);
  plot_histogram_panels(paths[1], activations, tall);
  return paths;
}

}  // namespace

fs::path write_bn_demo_stats(const BnDemoResult& r, const fs::path& out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    throw Error(fmt::format("--out {}: cannot create output folder: {}", out_dir.string(),
                            ec ? ec.message() : "not a folder"));
  }
  std::string csv = "feature,mean_before,std_before,mean_after,std_after\n";
  for (Index j = 0; j < r.config.features; ++j) {
    const std::string feature =
        r.own_data() ? csv_name(r.feature_names[static_cast<size_t>(j)]) : std::to_string(j);
    csv += fmt::format("{},{},{},{},{}\n", feature, r.stats_before.mean(j), r.stats_before.std(j),
                       r.stats_after.mean(j), r.stats_after.std(j));
  }
  const fs::path path = out_dir / "stats.csv";
  write_file_atomically(path, csv);
  return path;
}

std::vector<fs::path> plot_bn_demo(const BnDemoResult& r, const fs::path& out_dir,
                                   ImageFormat format, ImageOptions options) {
  options.format = format;
  const std::string ext(image_format_name(format));
  const std::string f(activation_name(r.config.activation));
  const std::string shape =
      fmt::format("{} samples x {} features", r.config.samples, r.config.features);

  HistogramChart values;
  values.title = fmt::format("Values before and after BatchNorm1d ({}, training mode)", shape);
  values.xlabel = "value";
  values.ylabel = "count (30 bins each)";
  values.samples = {{"before BN", values_of(r.before)}, {"after BN", values_of(r.after)}};

  HistogramChart activations;
  activations.title = fmt::format("{} outputs before and after BatchNorm1d ({})", f, shape);
  activations.xlabel = f + "(value)";
  activations.ylabel = "count (30 bins each)";
  activations.samples = {{f + "(before)", values_of(r.activated_before)},
                         {f + "(after)", values_of(r.activated_after)}};

  const std::vector<fs::path> paths = {out_dir / ("histogram." + ext),
                                       out_dir / ("activations-" + f + "." + ext)};
  if (r.own_data()) return plot_own_data(r, paths, options);
  plot_histograms(paths[0], values, options);
  plot_histograms(paths[1], activations, options);
  return paths;
}

}  // namespace bnlstm
