#pragma once
// The IDX format of (Fashion-)MNIST, read as untrusted input. An IDX file is
//   2 zero bytes, a type byte, a byte n (number of dimensions),
//   n big-endian uint32 sizes, then the values in row-major order.
// Only type 0x08 (unsigned byte), the one (Fashion-)MNIST uses, is read. Files compressed with
// gzip (Debian ships them as *-ubyte.gz) are decompressed transparently.
// Every problem is one bnlstm::Error naming the file: not an IDX file (the magic), an
// unsupported type, a truncated file or trailing bytes, sizes that overflow, corrupt gzip data,
// and, for a pair of files, image and label counts that disagree or labels beyond the classes.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm {

struct IdxArray {
  std::vector<int64_t> dims;  // sizes, outermost first: (count, rows, cols) or (count)
  std::vector<uint8_t> data;  // product of dims values, row-major
};

// Reads an unsigned-byte IDX file (plain or gzip-compressed).
IdxArray read_idx(const std::filesystem::path& path);
// The same from bytes already in memory; `source` names them in messages.
IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& source);
// Writes an unsigned-byte IDX file, uncompressed, atomically (tests and committed slices).
void write_idx(const std::filesystem::path& path, const IdxArray& array);

// Grey-scale images with one label each: the pair of files of an (Fashion-)MNIST split.
struct LabeledImages {
  Index rows = 0, cols = 0;     // pixels per image: rows x cols
  std::vector<uint8_t> pixels;  // count * rows * cols, image-major, row-major inside
  std::vector<int32_t> labels;  // count, each in [0, classes)
  Index count() const { return static_cast<Index>(labels.size()); }
  // Pixels of image i: rows * cols bytes.
  const uint8_t* image(Index i) const { return pixels.data() + i * rows * cols; }
};

// images: a (count, rows, cols) IDX file; labels: a (count) IDX file with values < classes.
// Throws bnlstm::Error naming the file that is wrong (the labels file for a count mismatch).
LabeledImages load_labeled_images(const std::filesystem::path& images,
                                  const std::filesystem::path& labels, int classes = 10);

}  // namespace bnlstm
