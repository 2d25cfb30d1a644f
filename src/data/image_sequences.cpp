#include "bnlstm/data/image_sequences.hpp"

#include <fmt/core.h>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

SequenceView parse_sequence_view(std::string_view name) {
  if (name == "rows") return SequenceView::rows;
  if (name == "pixels") return SequenceView::pixels;
  if (name == "pixels14") return SequenceView::pixels14;
  throw Error(fmt::format("unknown view '{}' (expected one of: rows, pixels, pixels14)", name));
}

std::string to_string(SequenceView view) {
  switch (view) {
    case SequenceView::rows:
      return "rows";
    case SequenceView::pixels:
      return "pixels";
    case SequenceView::pixels14:
      return "pixels14";
  }
  return "?";
}

SequenceShape sequence_shape(SequenceView view, Index rows, Index cols) {
  switch (view) {
    case SequenceView::rows:
      return {rows, cols};
    case SequenceView::pixels:
      return {rows * cols, 1};
    case SequenceView::pixels14:
      if (rows % 2 != 0 || cols % 2 != 0)
        throw Error(fmt::format(
            "view pixels14 halves the image, which needs even sizes, got {} x {}", rows, cols));
      return {(rows / 2) * (cols / 2), 1};
  }
  throw Error("sequence_shape: invalid SequenceView");
}

std::vector<int32_t> make_permutation(Index steps, Rng& rng) {
  std::vector<int32_t> p(static_cast<size_t>(steps));
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<int32_t>(i);
  for (size_t i = p.size(); i > 1; --i) std::swap(p[i - 1], p[static_cast<size_t>(rng() % i)]);
  return p;
}

ImageSequences::ImageSequences(const LabeledImages& images, SequenceView view,
                               std::vector<int32_t> permutation)
    : images_(images),
      view_(view),
      shape_(sequence_shape(view, images.rows, images.cols)),
      permutation_(std::move(permutation)) {
  if (permutation_.empty()) return;
  if (static_cast<Index>(permutation_.size()) != shape_.steps)
    throw Error(fmt::format("permutation has {} entries, the view '{}' has {} steps",
                            permutation_.size(), to_string(view), shape_.steps));
  std::vector<bool> seen(permutation_.size(), false);
  for (size_t t = 0; t < permutation_.size(); ++t) {
    const int32_t p = permutation_[t];
    if (p < 0 || p >= shape_.steps || seen[static_cast<size_t>(p)])
      throw Error(fmt::format("permutation entry {} ({}) is {}", t, p,
                              p < 0 || p >= shape_.steps ? "outside the steps" : "a repeat"));
    seen[static_cast<size_t>(p)] = true;
  }
}

template <typename T>
void ImageSequences::read_step(Index i, Index position, T* out) const {
  constexpr double kScale = 1.0 / 255.0;
  const uint8_t* img = images_.image(i);
  const Index cols = images_.cols;
  switch (view_) {
    case SequenceView::rows:
      for (Index j = 0; j < cols; ++j) out[j] = static_cast<T>(img[position * cols + j] * kScale);
      return;
    case SequenceView::pixels:
      out[0] = static_cast<T>(img[position] * kScale);
      return;
    case SequenceView::pixels14: {
      // 2x2 block mean of the half-size image's pixel (r, c)
      const Index half = cols / 2, r = position / half, c = position % half;
      const uint8_t* p = img + 2 * r * cols + 2 * c;
      out[0] = static_cast<T>((p[0] + p[1] + p[cols] + p[cols + 1]) * (kScale / 4));
      return;
    }
  }
}

// idx: (N) image indices -> x (L*N, I), labels (N)
template <typename T>
void ImageSequences::gather(MatrixBuffer<T>& x, std::vector<int32_t>& labels,
                            std::span<const Index> idx) const {
  const Index N = static_cast<Index>(idx.size()), L = shape_.steps, I = shape_.inputs;
  MatrixMap<T> out = x.resize(L * N, I);
  labels.resize(idx.size());
  for (Index n = 0; n < N; ++n) {
    const Index i = idx[static_cast<size_t>(n)];
    if (i < 0 || i >= count())
      throw Error(fmt::format("image index {} outside [0, {})", i, count()));
    labels[static_cast<size_t>(n)] = images_.labels[static_cast<size_t>(i)];
    for (Index t = 0; t < L; ++t) {
      const Index position = permutation_.empty() ? t : permutation_[static_cast<size_t>(t)];
      read_step(i, position, &out(t * N + n, 0));
    }
  }
}

template void ImageSequences::gather<float>(MatrixBuffer<float>&, std::vector<int32_t>&,
                                            std::span<const Index>) const;
template void ImageSequences::gather<double>(MatrixBuffer<double>&, std::vector<int32_t>&,
                                             std::span<const Index>) const;

}  // namespace bnlstm
