#include "bnlstm/data/idx.hpp"

#include <fmt/core.h>
#include <zlib.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"

namespace bnlstm {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr int64_t kMaxElements = int64_t{1} << 34;  // 16 GiB: larger is certainly corrupt

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the file", path.string()));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(fmt::format("{}: read error", path.string()));
  return bytes;
}

// gzip stream (any number of members) -> bytes
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& source) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    throw Error(fmt::format("{}: cannot start gzip decompression", source));
  std::vector<uint8_t> out(in.size() * 4 + 1024);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int status = Z_OK;
  while (true) {
    if (z.total_out == out.size()) out.resize(out.size() * 2);
    z.next_out = out.data() + z.total_out;
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    status = inflate(&z, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);  // another gzip member follows
      continue;
    }
    if (status == Z_BUF_ERROR && z.avail_in == 0) break;  // input ends inside the stream
    if (status != Z_OK && status != Z_BUF_ERROR) break;
  }
  const size_t produced = z.total_out;
  inflateEnd(&z);
  if (status != Z_STREAM_END)
    throw Error(fmt::format(
        "{}: corrupt or truncated gzip data ({})", source,
        status == Z_BUF_ERROR ? "the compressed stream ends early" : "invalid compressed data"));
  out.resize(produced);
  return out;
}

}  // namespace

IdxArray parse_idx(const std::vector<uint8_t>& b, const std::string& source) {
  if (b.size() < 4)
    throw Error(
        fmt::format("{}: truncated: {} bytes, an IDX header needs at least 4", source, b.size()));
  if (b[0] != 0 || b[1] != 0)
    throw Error(fmt::format(
        "{}: not an IDX file (magic {:02x}{:02x}{:02x}{:02x}, expected 0000 then type and rank)",
        source, b[0], b[1], b[2], b[3]));
  if (b[2] != kUnsignedByte)
    throw Error(fmt::format("{}: IDX type 0x{:02x} is not supported (expected 0x08, unsigned byte)",
                            source, b[2]));
  const size_t rank = b[3];
  if (rank == 0) throw Error(fmt::format("{}: IDX file with 0 dimensions", source));
  const size_t header = 4 + 4 * rank;
  if (b.size() < header)
    throw Error(
        fmt::format("{}: truncated: the header of {} dimensions needs {} bytes, the file "
                    "has {}",
                    source, rank, header, b.size()));
  IdxArray a;
  int64_t total = 1;
  for (size_t d = 0; d < rank; ++d) {
    const uint8_t* p = b.data() + 4 + 4 * d;
    const int64_t size =
        (int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | p[3];
    a.dims.push_back(size);
    // checked before multiplying: three sizes of 2^32 would overflow int64
    if (size > 0 && total > kMaxElements / size)
      throw Error(
          fmt::format("{}: IDX sizes too large (more than {} values)", source, kMaxElements));
    total *= size;
  }
  const size_t expected = header + static_cast<size_t>(total);
  if (b.size() < expected)
    throw Error(fmt::format("{}: truncated: the header promises {} values, the file holds {}",
                            source, total, b.size() - header));
  if (b.size() > expected)
    throw Error(fmt::format("{}: {} bytes after the {} values the header promises", source,
                            b.size() - expected, total));
  a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(header), b.end());
  return a;
}

IdxArray read_idx(const std::filesystem::path& path) {
  std::vector<uint8_t> bytes = read_bytes(path);
  const bool gzip = bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
  if (gzip) bytes = gunzip(bytes, path.string());
  return parse_idx(bytes, path.string());
}

void write_idx(const std::filesystem::path& path, const IdxArray& a) {
  int64_t total = 1;
  for (int64_t d : a.dims) total *= d;
  if (a.dims.empty() || a.dims.size() > 255 || total != static_cast<int64_t>(a.data.size()))
    throw Error(fmt::format("write_idx {}: {} dimensions for {} values", path.string(),
                            a.dims.size(), a.data.size()));
  std::string out = {0, 0, static_cast<char>(kUnsignedByte), static_cast<char>(a.dims.size())};
  for (int64_t d : a.dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((d >> shift) & 0xff));
  out.append(a.data.begin(), a.data.end());
  write_file_atomically(path, out);
}

LabeledImages load_labeled_images(const std::filesystem::path& images,
                                  const std::filesystem::path& labels, int classes) {
  IdxArray img = read_idx(images);
  IdxArray lab = read_idx(labels);
  if (img.dims.size() != 3)
    throw Error(fmt::format("{}: expected images (count, rows, cols), got {} dimensions",
                            images.string(), img.dims.size()));
  if (lab.dims.size() != 1)
    throw Error(fmt::format("{}: expected labels (count), got {} dimensions", labels.string(),
                            lab.dims.size()));
  if (img.dims[0] != lab.dims[0])
    throw Error(fmt::format("{}: {} labels, but {} has {} images", labels.string(), lab.dims[0],
                            images.string(), img.dims[0]));
  if (img.dims[0] == 0 || img.dims[1] == 0 || img.dims[2] == 0)
    throw Error(fmt::format("{}: no pixels ({} x {} x {})", images.string(), img.dims[0],
                            img.dims[1], img.dims[2]));
  LabeledImages out;
  out.rows = img.dims[1];
  out.cols = img.dims[2];
  out.pixels = std::move(img.data);
  out.labels.reserve(lab.data.size());
  for (size_t i = 0; i < lab.data.size(); ++i) {
    if (lab.data[i] >= classes)
      throw Error(fmt::format("{}: label {} of item {} is not below the {} classes",
                              labels.string(), lab.data[i], i, classes));
    out.labels.push_back(lab.data[i]);
  }
  return out;
}

}  // namespace bnlstm
