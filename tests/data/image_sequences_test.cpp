#include "bnlstm/data/image_sequences.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bnlstm/core/error.hpp"

namespace bnlstm {
namespace {

// two 4 x 4 images: image k's pixel (r, c) = 16 k + 4 r + c (times 10 to make the means exact)
LabeledImages two_images() {
  LabeledImages d;
  d.rows = d.cols = 4;
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 16; ++i) d.pixels.push_back(static_cast<uint8_t>(10 * (16 * k + i) / 2));
  d.labels = {3, 7};
  return d;
}

double px(const LabeledImages& d, int k, int r, int c) {
  return d.image(k)[r * 4 + c] / 255.0;
}

TEST(ImageSequences, RowsViewIsTimeMajorOneRowPerStep) {
  const LabeledImages d = two_images();
  ImageSequences s(d, SequenceView::rows);
  ASSERT_EQ(s.steps(), 4);
  ASSERT_EQ(s.inputs(), 4);
  MatrixBuffer<double> x;
  std::vector<int32_t> labels;
  const std::vector<Index> idx = {1, 0};
  s.gather(x, labels, idx);
  EXPECT_EQ(labels, (std::vector<int32_t>{7, 3}));
  ASSERT_EQ(x.rows(), 8);
  for (int t = 0; t < 4; ++t)
    for (int j = 0; j < 4; ++j) {
      EXPECT_DOUBLE_EQ(x.view()(t * 2 + 0, j), px(d, 1, t, j));
      EXPECT_DOUBLE_EQ(x.view()(t * 2 + 1, j), px(d, 0, t, j));
    }
}

TEST(ImageSequences, PixelViewsAndTheTwoByTwoMeans) {
  const LabeledImages d = two_images();
  MatrixBuffer<double> x;
  std::vector<int32_t> labels;
  const std::vector<Index> idx = {0};
  ImageSequences pixels(d, SequenceView::pixels);
  pixels.gather(x, labels, idx);
  ASSERT_EQ(x.rows(), 16);
  EXPECT_DOUBLE_EQ(x.view()(5, 0), px(d, 0, 1, 1));
  ImageSequences small(d, SequenceView::pixels14);
  ASSERT_EQ(small.steps(), 4);
  small.gather(x, labels, idx);
  // step 3 = half-size pixel (1, 1) = mean of pixels (2..3, 2..3)
  const double mean = (px(d, 0, 2, 2) + px(d, 0, 2, 3) + px(d, 0, 3, 2) + px(d, 0, 3, 3)) / 4;
  EXPECT_NEAR(x.view()(3, 0), mean, 1e-15);
  LabeledImages odd = d;
  odd.rows = 2;
  odd.cols = 8;
  odd.cols = 7;
  EXPECT_THROW(ImageSequences(odd, SequenceView::pixels14), Error);
}

TEST(ImageSequences, PermutationReordersStepsAndComesFromTheSeed) {
  const LabeledImages d = two_images();
  Rng a(42), b(42), c(43);
  const std::vector<int32_t> p = make_permutation(16, a);
  EXPECT_EQ(p, make_permutation(16, b));
  EXPECT_NE(p, make_permutation(16, c));
  std::vector<int32_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  ImageSequences s(d, SequenceView::pixels, p);
  MatrixBuffer<double> x;
  std::vector<int32_t> labels;
  const std::vector<Index> idx = {1};
  s.gather(x, labels, idx);
  for (int t = 0; t < 16; ++t)
    EXPECT_DOUBLE_EQ(x.view()(t, 0), d.image(1)[p[static_cast<size_t>(t)]] / 255.0);
  EXPECT_THROW(ImageSequences(d, SequenceView::pixels, {0, 1}), Error);  // wrong length
  std::vector<int32_t> repeated = p;
  repeated[3] = repeated[4];
  EXPECT_THROW(ImageSequences(d, SequenceView::pixels, repeated), Error);
}

TEST(ImageSequences, ViewNames) {
  EXPECT_EQ(parse_sequence_view("pixels14"), SequenceView::pixels14);
  EXPECT_EQ(to_string(SequenceView::rows), "rows");
  EXPECT_THROW(parse_sequence_view("columns"), Error);
}

}  // namespace
}  // namespace bnlstm
