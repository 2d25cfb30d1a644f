#pragma once
// The notebook's BatchNorm experiment: 1000 samples x 50 features drawn from a mixture of two
// Gaussians (half with mean -2, half with mean +2, sigma 1) go through BatchNorm1d in training
// mode. Before: every feature is bimodal with mean ~0 and std ~sqrt(1 + 2²) = sqrt(5). After:
// every feature has mean 0 and (biased) std sqrt(var / (var + eps)) ~ 1 - 1e-6, and an
// activation such as tanh sees its inputs in its responsive range instead of its flat tails.
//
//   Rng rng = make_rng(42);
//   BnDemoResult r = run_bn_demo({}, rng);
//   fmt::print("{}", format_bn_demo_table(r));
//   write_bn_demo_stats(r, "out/bn-demo");                    // stats.csv
//   plot_bn_demo(r, "out/bn-demo", ImageFormat::png);         // histogram + activations
//
// The same experiment runs on a user's own columns (run_bn_demo_on: N rows x C columns, e.g.
// prices and volumes read from a CSV file). Columns on different scales are then normalized
// each by its own statistics, so the pictures give every column its own panels.
#include <filesystem>
#include <string>
#include <vector>

#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/nn/activation.hpp"
#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm {

struct BnDemoConfig {
  Index samples = 1000;  // N; the first half comes from the Gaussian at -shift, the rest at +shift
  Index features = 50;   // C
  double shift = 2.0;    // the two means are -shift and +shift
  double sigma = 1.0;    // standard deviation of each Gaussian
  Activation activation = Activation::tanh;
};

// Per-feature statistics of x: (N, C). mean, std: (C); std is biased (divides by N), the
// statistic BatchNorm normalizes with.
struct FeatureStats {
  VectorD mean;
  VectorD std;
};
FeatureStats feature_stats(const MatrixD& x);

struct BnDemoResult {
  BnDemoConfig config;
  double eps = 0;              // BatchNorm1d's eps (torch's default, 1e-5)
  MatrixD before;              // (N, C) the samples
  MatrixD after;               // (N, C) BatchNorm1d(before), training mode, gamma 1, beta 0
  MatrixD activated_before;    // (N, C) f(before)
  MatrixD activated_after;     // (N, C) f(after)
  FeatureStats stats_before;   // of `before`
  FeatureStats stats_after;    // of `after`
  double low_gradient_before;  // share of f(before) where f' < 0.1 * max f' (saturated / dead)
  double low_gradient_after;   // the same for f(after)
  // run_bn_demo_on: where the values came from and the columns' names (C); both empty for the
  // built-in mixture
  std::string source;
  std::vector<std::string> feature_names;
  bool own_data() const { return !feature_names.empty(); }
};

// Draws the samples from rng (std::normal_distribution, row by row) and runs the experiment.
// Throws Error when samples < 2 or features < 1.
BnDemoResult run_bn_demo(const BnDemoConfig& config, Rng& rng);

// The experiment on given values: values (N, C), one column per feature, finite; names (C) their
// names; source says where they came from (a file name). config.samples and features are set
// from the shape. Throws Error for fewer than 2 rows ("<source>: 1 row; BatchNorm1d needs at
// least 2"), no column, names that do not match the columns, or a value that is not finite.
BnDemoResult run_bn_demo_on(const MatrixD& values, std::vector<std::string> names,
                            std::string source, Activation activation = Activation::tanh);

// The printed summary: min/mean/max over the features of the per-feature mean and std before
// and after, a few features in detail, and the activation's output before and after. For own
// data (run_bn_demo_on): every column's mean and std before and after, by name.
std::string format_bn_demo_table(const BnDemoResult& result, int features_shown = 4);

// Creates out_dir (Error naming it when that fails) and writes out_dir/stats.csv atomically:
// feature,mean_before,std_before,mean_after,std_after (feature: the index, or the column's name
// for own data). Returns the file's path.
std::filesystem::path write_bn_demo_stats(const BnDemoResult& result,
                                          const std::filesystem::path& out_dir);

// Draws out_dir/histogram.<ext> (values before vs after) and out_dir/activations-<f>.<ext>
// (f's outputs before vs after); returns their paths. For own data, one row of panels per column
// (its values before | after, each on its own axis) and one panel per column of f's outputs. Throws
// GnuplotNotFound when gnuplot is missing. options.format is replaced by `format`.
std::vector<std::filesystem::path> plot_bn_demo(const BnDemoResult& result,
                                                const std::filesystem::path& out_dir,
                                                ImageFormat format, ImageOptions options = {});

}  // namespace bnlstm
