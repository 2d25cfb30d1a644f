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
};

// Draws the samples from rng (std::normal_distribution, row by row) and runs the experiment.
// Throws Error when samples < 2 or features < 1.
BnDemoResult run_bn_demo(const BnDemoConfig& config, Rng& rng);

// The printed summary: min/mean/max over the features of the per-feature mean and std before
// and after, a few features in detail, and the activation's output before and after.
std::string format_bn_demo_table(const BnDemoResult& result, int features_shown = 4);

// Creates out_dir (Error naming it when that fails) and writes out_dir/stats.csv atomically:
// feature,mean_before,std_before,mean_after,std_after. Returns the file's path.
std::filesystem::path write_bn_demo_stats(const BnDemoResult& result,
                                          const std::filesystem::path& out_dir);

// Draws out_dir/histogram.<ext> (values before vs after) and out_dir/activations-<f>.<ext>
// (f's outputs before vs after); returns their paths. Throws GnuplotNotFound when gnuplot is
// missing. options.format is replaced by `format`.
std::vector<std::filesystem::path> plot_bn_demo(const BnDemoResult& result,
                                                const std::filesystem::path& out_dir,
                                                ImageFormat format, ImageOptions options = {});

}  // namespace bnlstm
