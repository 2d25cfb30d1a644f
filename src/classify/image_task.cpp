#include "bnlstm/classify/image_task.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <numeric>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& name) {
  std::error_code ec;
  const std::filesystem::path gz = dir / (name + ".gz");
  if (std::filesystem::exists(gz, ec)) return gz;
  return dir / name;
}

ImageTask make_image_task(LabeledImages train, LabeledImages test, const ImageTaskOptions& o) {
  if (o.val_size < 1) throw Error(fmt::format("--val-size must be at least 1, got {}", o.val_size));
  if (o.train_limit < 0 || o.test_limit < 0)
    throw Error("--train-limit and --test-limit must be >= 0 (0 = all)");
  if (train.rows != test.rows || train.cols != test.cols)
    throw Error(fmt::format("training images are {} x {}, test images {} x {}", train.rows,
                            train.cols, test.rows, test.cols));
  const Index n = train.count();
  if (o.val_size >= n)
    throw Error(
        fmt::format("--val-size {} leaves no training image (the file has {})", o.val_size, n));
  ImageTask t;
  t.train_images = std::make_unique<LabeledImages>(std::move(train));
  t.test_images = std::make_unique<LabeledImages>(std::move(test));
  std::vector<int32_t> permutation;
  if (o.permuted) {
    Rng rng = make_rng(o.permutation_seed);
    permutation = make_permutation(
        sequence_shape(o.view, t.train_images->rows, t.train_images->cols).steps, rng);
  }
  t.train_data = std::make_unique<ImageSequences>(*t.train_images, o.view, permutation);
  t.test_data = std::make_unique<ImageSequences>(*t.test_images, o.view, permutation);
  const Index n_train =
      o.train_limit > 0 ? std::min(o.train_limit, n - o.val_size) : n - o.val_size;
  t.train.resize(static_cast<size_t>(n_train));
  std::iota(t.train.begin(), t.train.end(), 0);
  t.validation.resize(static_cast<size_t>(o.val_size));
  std::iota(t.validation.begin(), t.validation.end(), n - o.val_size);
  const Index m = t.test_images->count(), n_test = o.test_limit > 0 ? std::min(o.test_limit, m) : m;
  t.test.resize(static_cast<size_t>(n_test));
  std::iota(t.test.begin(), t.test.end(), 0);
  int32_t top = 0;
  for (int32_t l : t.train_images->labels) top = std::max(top, l);
  for (int32_t l : t.test_images->labels) top = std::max(top, l);
  t.classes = std::max<Index>(2, top + 1);
  return t;
}

ImageTask load_image_task(const ImageTaskOptions& o) {
  std::error_code ec;
  if (!std::filesystem::is_directory(o.dir, ec))
    throw Error(
        fmt::format("--data-dir {}: no such folder (Fashion-MNIST comes with Debian's "
                    "dataset-fashion-mnist package: scripts/install-deps.sh --study)",
                    o.dir.string()));
  LabeledImages train = load_labeled_images(find_idx_file(o.dir, "train-images-idx3-ubyte"),
                                            find_idx_file(o.dir, "train-labels-idx1-ubyte"));
  LabeledImages test = load_labeled_images(find_idx_file(o.dir, "t10k-images-idx3-ubyte"),
                                           find_idx_file(o.dir, "t10k-labels-idx1-ubyte"));
  return make_image_task(std::move(train), std::move(test), o);
}

}  // namespace bnlstm
