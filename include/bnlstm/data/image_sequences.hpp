#pragma once
// Images read as sequences, the sequential-MNIST tasks of Cooijmans et al. (2016):
//   rows      one step per image row:    L = rows steps of I = cols values (28 x 28)
//   pixels    one step per pixel:        L = rows*cols steps of I = 1 value (784)
//   pixels14  pixels of the image downsampled by 2x2 means: L = (rows/2)*(cols/2), I = 1 (196),
//             the same task at a quarter of the cost
// Optionally under a fixed permutation of the steps (the paper's "permuted" task): step t reads
// position permutation[t]. The permutation is drawn from a seed (make_permutation) and saved
// with the model, so evaluation later reads the images the same way.
// Values are pixel / 255 in [0, 1]. Batches come out time-major, as the Lstm takes them:
// x (L*N, I), row t*N + n = step t of image n.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/core/random.hpp"
#include "bnlstm/core/tensor.hpp"
#include "bnlstm/data/idx.hpp"

namespace bnlstm {

enum class SequenceView { rows, pixels, pixels14 };

// "rows", "pixels", "pixels14"; throws bnlstm::Error listing them otherwise.
SequenceView parse_sequence_view(std::string_view name);
std::string to_string(SequenceView view);

// Steps and values per step of a view of rows x cols images; throws bnlstm::Error for pixels14
// of an odd size.
struct SequenceShape {
  Index steps = 0;   // L
  Index inputs = 0;  // I
};
SequenceShape sequence_shape(SequenceView view, Index rows, Index cols);

// A uniformly random permutation of [0, steps) (Fisher-Yates on the Rng's raw stream, the same
// with every standard library).
std::vector<int32_t> make_permutation(Index steps, Rng& rng);

class ImageSequences {
 public:
  // images must outlive this object. permutation: empty for the natural order, otherwise a
  // permutation of [0, steps) (throws bnlstm::Error naming the first bad or repeated entry).
  ImageSequences(const LabeledImages& images, SequenceView view,
                 std::vector<int32_t> permutation = {});

  SequenceView view() const { return view_; }
  Index steps() const { return shape_.steps; }
  Index inputs() const { return shape_.inputs; }
  Index count() const { return images_.count(); }
  const std::vector<int32_t>& permutation() const { return permutation_; }  // empty: natural
  const LabeledImages& images() const { return images_; }

  // The sequences and labels of images idx (each in [0, count)): x (L*N, I), labels (N).
  template <typename T>
  void gather(MatrixBuffer<T>& x, std::vector<int32_t>& labels, std::span<const Index> idx) const;

 private:
  // the I values of step t (a position after permutation) of image i into out
  template <typename T>
  void read_step(Index i, Index position, T* out) const;

  const LabeledImages& images_;
  SequenceView view_;
  SequenceShape shape_;
  std::vector<int32_t> permutation_;
};

}  // namespace bnlstm
