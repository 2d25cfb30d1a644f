// The notebook's BatchNorm experiment: the numbers it reports, its files and pictures.
#include "bnlstm/experiments/bn_demo.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "plot/plot_testing.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const BnDemoResult& seed42() {
  static const BnDemoResult result = [] {
    Rng rng = make_rng(42);
    return run_bn_demo({}, rng);
  }();
  return result;
}

TEST(FeatureStats, MeanAndBiasedStdPerColumn) {
  MatrixD x(4, 2);
  x << 1, 10, 2, 10, 3, 10, 6, 14;
  const FeatureStats s = feature_stats(x);
  EXPECT_DOUBLE_EQ(s.mean(0), 3.0);
  EXPECT_DOUBLE_EQ(s.mean(1), 11.0);
  EXPECT_DOUBLE_EQ(s.std(0), std::sqrt((4 + 1 + 0 + 9) / 4.0));  // divides by N, not N-1
  EXPECT_DOUBLE_EQ(s.std(1), std::sqrt((1 + 1 + 1 + 9) / 4.0));
}

TEST(BnDemo, BeforeIsABimodalMixtureWithStdSqrt5) {
  const BnDemoResult& r = seed42();
  ASSERT_EQ(r.before.rows(), 1000);
  ASSERT_EQ(r.before.cols(), 50);
  // per-feature means near 0: each is the mean of 1000 values of std sqrt(5) (s.e. ~ 0.07)
  EXPECT_LT(r.stats_before.mean.cwiseAbs().maxCoeff(), 0.3);
  EXPECT_LT(std::abs(r.stats_before.mean.mean()), 0.05);
  // per-feature std ~ sqrt(sigma² + shift²) = sqrt(5) ~ 2.236
  EXPECT_NEAR(r.stats_before.std.mean(), std::sqrt(5.0), 0.03);
  EXPECT_GT(r.stats_before.std.minCoeff(), 2.1);
  EXPECT_LT(r.stats_before.std.maxCoeff(), 2.4);
  // bimodal: the first half sits around -2, the second around +2, few values near 0
  EXPECT_NEAR(r.before.topRows(500).mean(), -2.0, 0.02);
  EXPECT_NEAR(r.before.bottomRows(500).mean(), 2.0, 0.02);
  const double near_zero = static_cast<double>((r.before.array().abs() < 0.25).count()) / 50000.0;
  const double near_two =
      static_cast<double>(((r.before.array().abs() - 2.0).abs() < 0.25).count()) / 50000.0;
  EXPECT_LT(near_zero, 0.04);  // 2 * P(1.75 < Z < 2.25) ~ 0.028
  EXPECT_GT(near_two, 0.18);   // P(|Z| < 0.25) + tiny ~ 0.197
}

TEST(BnDemo, AfterHasMeanZeroAndStdOneUpToEps) {
  const BnDemoResult& r = seed42();
  EXPECT_EQ(r.eps, 1e-5);
  EXPECT_LT(r.stats_after.mean.cwiseAbs().maxCoeff(), 1e-12);
  // biased std after = sqrt(var / (var + eps)): 1 - ~1e-6, exactly predictable from the input
  for (Index j = 0; j < 50; ++j) {
    const double var = r.stats_before.std(j) * r.stats_before.std(j);
    EXPECT_NEAR(r.stats_after.std(j), std::sqrt(var / (var + r.eps)), 1e-12) << "feature " << j;
    EXPECT_NEAR(r.stats_after.std(j), 1.0, 1.5e-6) << "feature " << j;
  }
  // and the values themselves are (x - mean) / sqrt(var + eps)
  const double var0 = r.stats_before.std(0) * r.stats_before.std(0);
  EXPECT_NEAR(r.after(17, 0), (r.before(17, 0) - r.stats_before.mean(0)) / std::sqrt(var0 + r.eps),
              1e-12);
}

TEST(BnDemo, ActivationSeesItsResponsiveRangeAfterNormalization) {
  const BnDemoResult& r = seed42();
  EXPECT_EQ(r.activated_before(3, 4), std::tanh(r.before(3, 4)));
  EXPECT_EQ(r.activated_after(3, 4), std::tanh(r.after(3, 4)));
  // tanh' < 0.1 where |x| > 1.82: before that is most values (~57%), after few (~2%)
  EXPECT_GT(r.low_gradient_before, 0.5);
  EXPECT_LT(r.low_gradient_after, 0.05);
}

TEST(BnDemo, SameSeedSameNumbersOtherSeedOtherNumbers) {
  Rng a = make_rng(42), b = make_rng(43);
  const BnDemoResult again = run_bn_demo({}, a), other = run_bn_demo({}, b);
  EXPECT_EQ(again.before, seed42().before);
  EXPECT_NE(other.before(0, 0), seed42().before(0, 0));
}

TEST(BnDemo, ChosenActivationAndSizes) {
  BnDemoConfig c;
  c.samples = 10;
  c.features = 3;
  c.activation = Activation::relu;
  Rng rng = make_rng(1);
  const BnDemoResult r = run_bn_demo(c, rng);
  EXPECT_EQ(r.after.rows(), 10);
  EXPECT_EQ(r.after.cols(), 3);
  EXPECT_EQ(r.activated_after, r.after.cwiseMax(0.0));
  c.samples = 1;
  EXPECT_THROW(run_bn_demo(c, rng), Error);
}

TEST(BnDemo, TableSummarizesBeforeAndAfter) {
  const std::string t = format_bn_demo_table(seed42());
  const BnDemoResult& r = seed42();
  EXPECT_NE(t.find("1000 samples x 50 features"), std::string::npos) << t;
  EXPECT_NE(t.find("mean before"), std::string::npos) << t;
  EXPECT_NE(t.find("std after (biased)"), std::string::npos) << t;
  EXPECT_NE(t.find(fmt::format("{:.6f}", r.stats_before.std.mean())), std::string::npos) << t;
  EXPECT_NE(t.find(fmt::format("{:.9f}", r.stats_after.std.maxCoeff())), std::string::npos) << t;
  // rows for features 0 and 49 with their own numbers
  EXPECT_NE(t.find(fmt::format("{:>7} {:>13.6f}", 49, r.stats_before.mean(49))), std::string::npos)
      << t;
  EXPECT_NE(t.find(fmt::format("{:>7} {:>13.6f}", 0, r.stats_before.mean(0))), std::string::npos)
      << t;
  EXPECT_NE(t.find("tanh outputs"), std::string::npos) << t;
}

TEST(BnDemo, StatsCsvHasOneRowPerFeature) {
  ScratchDir dir("bn-demo-stats");
  const fs::path path = write_bn_demo_stats(seed42(), dir.path / "out");
  EXPECT_EQ(path, dir.path / "out" / "stats.csv");
  const std::string csv = testing::read_bytes(path);
  EXPECT_EQ(csv.rfind("feature,mean_before,std_before,mean_after,std_after\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 51);
  const BnDemoResult& r = seed42();
  EXPECT_NE(csv.find(fmt::format("\n49,{},{},", r.stats_before.mean(49), r.stats_before.std(49))),
            std::string::npos);
}

TEST(BnDemo, UnusableOutputFolderIsAnErrorNamingIt) {
  ScratchDir dir("bn-demo-badout");
  { std::ofstream(dir.path / "file") << "x"; }
  try {
    write_bn_demo_stats(seed42(), dir.path / "file" / "out");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path / "file" / "out").string()), std::string::npos)
        << e.what();
  }
}

TEST(BnDemo, DrawsBothPictures) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("bn-demo-plots");
  const auto paths = plot_bn_demo(seed42(), dir.path, ImageFormat::png);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], dir.path / "histogram.png");
  EXPECT_EQ(paths[1], dir.path / "activations-tanh.png");
  for (const auto& p : paths) {
    const std::string bytes = testing::read_bytes(p);
    EXPECT_GT(bytes.size(), 5000u) << p;
    EXPECT_EQ(bytes.substr(0, 8), testing::kPngSignature) << p;
  }
  const auto svg = plot_bn_demo(seed42(), dir.path, ImageFormat::svg);
  EXPECT_EQ(svg[0], dir.path / "histogram.svg");
  EXPECT_NE(testing::read_bytes(svg[0]).find("<svg"), std::string::npos);
}

TEST(BnDemo, MissingGnuplotThrowsTheInstallHint) {
  ScratchDir dir("bn-demo-nognuplot");
  ImageOptions o;
  o.gnuplot = "/nonexistent/gnuplot";
  try {
    plot_bn_demo(seed42(), dir.path, ImageFormat::png, o);
    FAIL() << "no exception";
  } catch (const GnuplotNotFound& e) {
    EXPECT_NE(std::string(e.what()).find("gnuplot-nox"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir.path));
}

}  // namespace
}  // namespace bnlstm
