// Binning as numpy.histogram does it: equal widths over [min, max], last bin closed.
#include "bnlstm/plot/histogram.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

TEST(Histogram, CountsLikeNumpy) {
  // numpy.histogram([0, 1, 1, 2, 3, 4], bins=4) -> counts [1, 2, 1, 2], edges [0, 1, 2, 3, 4]
  const std::vector<double> v = {0, 1, 1, 2, 3, 4};
  const Histogram h = compute_histogram(v, 4);
  EXPECT_EQ(h.edges, (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(h.counts, (std::vector<double>{1, 2, 1, 2}));
}

TEST(Histogram, GivenRangeDropsOutsideValues) {
  const std::vector<double> v = {-5, 0.1, 0.5, 0.9, 1.0, 7};
  const Histogram h = compute_histogram(v, 2, 0.0, 1.0);
  EXPECT_EQ(h.counts, (std::vector<double>{1, 3}));  // 0.5 opens the second bin, 1.0 closes it
}

TEST(Histogram, EveryValueCountedOnceOnAwkwardEdges) {
  // values exactly on edges that are not representable (0.1 steps) land in exactly one bin
  std::vector<double> v;
  for (int i = 0; i <= 30; ++i) v.push_back(-1.3 + 0.1 * i);
  const Histogram h = compute_histogram(v, 30);
  EXPECT_EQ(std::accumulate(h.counts.begin(), h.counts.end(), 0.0), 31.0);
  // each bin holds exactly the values between its own edges (brute force)
  for (size_t i = 0; i < h.counts.size(); ++i) {
    double expected = 0;
    for (double x : v) {
      const bool last = i + 1 == h.counts.size();
      expected += h.edges[i] <= x && (x < h.edges[i + 1] || (last && x == h.edges[i + 1]));
    }
    EXPECT_EQ(h.counts[i], expected) << "bin " << i;
  }
}

TEST(Histogram, ConstantValuesGetAUnitRange) {
  const std::vector<double> v = {3, 3, 3};
  const Histogram h = compute_histogram(v, 2);
  EXPECT_EQ(h.edges, (std::vector<double>{2.5, 3, 3.5}));
  EXPECT_EQ(h.counts, (std::vector<double>{0, 3}));
}

TEST(Histogram, DensityHasUnitArea) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> v(5000);
  for (double& x : v) x = g(rng);
  Histogram h = compute_histogram(v, 30);
  normalize_density(h);
  double area = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) area += h.counts[i] * (h.edges[i + 1] - h.edges[i]);
  EXPECT_NEAR(area, 1.0, 1e-12);
  // the peak of a standard normal density is 1/sqrt(2 pi) ~ 0.399
  EXPECT_NEAR(*std::max_element(h.counts.begin(), h.counts.end()), 0.399, 0.05);
}

TEST(Histogram, BadInput) {
  const std::vector<double> v = {1, 2}, nan = {1, std::nan("")}, none;
  EXPECT_THROW(compute_histogram(v, 0), Error);
  EXPECT_THROW(compute_histogram(v, 3, 1.0, 1.0), Error);
  EXPECT_THROW(compute_histogram(nan, 3), Error);
  EXPECT_THROW(compute_histogram(none, 3), Error);
}

}  // namespace
}  // namespace bnlstm
