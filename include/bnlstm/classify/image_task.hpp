#pragma once
// A classification task on images: the training and test files, the view and (permuted task)
// permutation, and the three index sets:
//   validation  the last val_size images of the training files (held out from training)
//   train       the training images before them (the first train_limit of them when limited)
//   test        the test images (the first test_limit when limited), used once at the end
// Fashion-MNIST's training file is already in random class order, so its last images are a
// fair validation sample.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bnlstm/data/idx.hpp"
#include "bnlstm/data/image_sequences.hpp"

namespace bnlstm {

// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct ImageTaskOptions {
  std::filesystem::path dir =
      kFashionMnistDir;  // holds {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
  SequenceView view = SequenceView::rows;
  bool permuted = false;
  uint64_t permutation_seed = 1;  // the permuted task's one fixed permutation
  Index val_size = 5000;
  Index train_limit = 0;  // 0: every training image not held out
  Index test_limit = 0;   // 0: every test image
};

struct ImageTask {
  std::unique_ptr<LabeledImages> train_images, test_images;
  std::unique_ptr<ImageSequences> train_data, test_data;  // views of the two files
  std::vector<Index> train, validation, test;             // indices (train/validation: train_data)
  Index classes = 10;
};

// Loads the four files (plain or .gz) from options.dir. Throws bnlstm::Error naming the file or
// option that is wrong; a missing folder names the Debian package.
ImageTask load_image_task(const ImageTaskOptions& options);

// The same from images in memory (tests; the permutation, if any, drawn as load_image_task does).
ImageTask make_image_task(LabeledImages train, LabeledImages test, const ImageTaskOptions& options);

// The IDX file `name` in dir: name + ".gz" if present, else name.
std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& name);

}  // namespace bnlstm
