#include "bnlstm/io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

#include "bnlstm/core/checked.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"

static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes little endian");

namespace bnlstm {

namespace {

int64_t dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16") return 2;
  if (dtype == "U8" || dtype == "I8" || dtype == "BOOL") return 1;
  return -1;
}

template <typename T>
const char* dtype_of();
template <>
const char* dtype_of<float>() {
  return "F32";
}
template <>
const char* dtype_of<double>() {
  return "F64";
}
template <>
const char* dtype_of<int64_t>() {
  return "I64";
}

// One stored value as T, without undefined behaviour: a double beyond float's range becomes
// +-inf (callers reject non-finite weights), a float that is not a whole number in int64_t's
// range cannot become an integer.
template <typename T, typename S>
T convert_value(S v) {
  if constexpr (std::is_floating_point_v<S> && std::is_integral_v<T>) {
    if (!(v >= -9.2e18 && v <= 9.2e18) || v != std::trunc(v))
      throw Error("a stored value " + std::to_string(v) + " is not an integer");
  } else if constexpr (std::is_same_v<S, double> && std::is_same_v<T, float>) {
    if (v > std::numeric_limits<float>::max()) return std::numeric_limits<float>::infinity();
    if (v < -std::numeric_limits<float>::max()) return -std::numeric_limits<float>::infinity();
  }
  return static_cast<T>(v);
}

template <typename S, typename T>
void convert(const unsigned char* src, int64_t n, std::vector<T>& out) {
  out.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    S v;
    std::memcpy(&v, src + i * static_cast<int64_t>(sizeof(S)), sizeof(S));
    out[static_cast<size_t>(i)] = convert_value<T>(v);
  }
}

// A JSON number that is a whole number in [0, max] (nlohmann would convert 8.7 or 1e20 into an
// integer silently, the latter with undefined behaviour).
bool json_count(const nlohmann::json& j, uint64_t max, uint64_t& out) {
  if (j.is_number_unsigned()) {
    out = j.get<uint64_t>();
  } else if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v < 0) return false;
    out = static_cast<uint64_t>(v);
  } else {
    return false;
  }
  return out <= max;
}

}  // namespace

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    if (!checked_mul(n, d, n)) throw Error("tensor shape too large");
  return n;
}

template <typename T>
std::vector<T> StoredTensor::values() const {
  std::vector<T> out;
  const int64_t n = numel();
  if (dtype == "F32")
    convert<float>(bytes.data(), n, out);
  else if (dtype == "F64")
    convert<double>(bytes.data(), n, out);
  else if (dtype == "I64")
    convert<int64_t>(bytes.data(), n, out);
  else
    throw Error("tensor of dtype " + dtype +
                " cannot be read as numbers (expected F32, F64 or I64)");
  return out;
}

template std::vector<float> StoredTensor::values<float>() const;
template std::vector<double> StoredTensor::values<double>() const;
template std::vector<int64_t> StoredTensor::values<int64_t>() const;

TensorFile TensorFile::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open file (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path.string());
}

TensorFile TensorFile::parse(const std::string& bytes, const std::string& source) {
  auto bad = [&](const std::string& what) {
    return Error(source + ": not a valid safetensors file: " + what);
  };
  if (bytes.size() < 8) throw bad("shorter than its 8-byte header length");
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  if (header_len > bytes.size() - 8)
    throw bad("header length " + std::to_string(header_len) + " exceeds file size");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8,
                                   bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len));
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("header is not JSON: ") + e.what());
  }
  if (!header.is_object()) throw bad("header is not a JSON object");
  const size_t data_start = 8 + header_len;
  const size_t data_len = bytes.size() - data_start;

  TensorFile file;
  file.source = source;
  std::vector<std::pair<uint64_t, uint64_t>> extents;  // [begin, end) of every tensor's bytes
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) throw bad("__metadata__ is not an object");
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string()) throw bad("__metadata__ value '" + m.key() + "' is not a string");
        file.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    const auto& info = *it;
    const std::string name = "tensor '" + it.key() + "'";
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") ||
        !info.contains("data_offsets"))
      throw bad(name + " lacks dtype, shape or data_offsets");
    const auto& dtype = info["dtype"];
    const auto& shape = info["shape"];
    const auto& offsets = info["data_offsets"];
    if (!dtype.is_string()) throw bad(name + " has a dtype that is not a string");
    StoredTensor t;
    t.dtype = dtype.get<std::string>();
    const int64_t size = dtype_size(t.dtype);
    if (size < 0) throw bad(name + " has unknown dtype " + t.dtype);
    // shape: whole numbers >= 0 whose product, times the dtype's size, fits in int64_t
    if (!shape.is_array()) throw bad(name + " has a shape that is not a list");
    int64_t byte_count = size;
    for (const auto& d : shape) {
      uint64_t dim = 0;
      if (!json_count(d, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), dim))
        throw bad(name + " has a dimension that is not a whole number >= 0: " + d.dump());
      t.shape.push_back(static_cast<int64_t>(dim));
      if (!checked_mul(byte_count, static_cast<int64_t>(dim), byte_count))
        throw bad(name + " has a shape too large to address");
    }
    // offsets: two whole numbers inside the data
    uint64_t begin = 0, end = 0;
    if (!offsets.is_array() || offsets.size() != 2 || !json_count(offsets[0], data_len, begin) ||
        !json_count(offsets[1], data_len, end) || begin > end)
      throw bad(name + " has data_offsets outside the data");
    if (static_cast<uint64_t>(byte_count) != end - begin)
      throw bad(name + " byte count does not match its shape and dtype");
    if (end > begin) extents.emplace_back(begin, end);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + data_start);
    t.bytes.assign(p + begin, p + end);
    file.tensors.emplace(it.key(), std::move(t));
  }
  // no two tensors share bytes
  std::sort(extents.begin(), extents.end());
  for (size_t i = 1; i < extents.size(); ++i)
    if (extents[i].first < extents[i - 1].second) throw bad("two tensors' data_offsets overlap");
  return file;
}

std::string TensorFile::serialize() const {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", t.dtype},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // keep the data 8-byte aligned
  std::string out(8, '\0');
  const uint64_t len = json.size();
  std::memcpy(out.data(), &len, 8);
  out += json;
  out.reserve(out.size() + offset);
  for (const auto& [name, t] : tensors)
    out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
  return out;
}

void TensorFile::save(const std::filesystem::path& path) const {
  write_file_atomically(path, serialize());
}

template <typename T>
void TensorFile::put(const std::string& name, const T* data, std::vector<int64_t> shape) {
  StoredTensor t;
  t.dtype = dtype_of<T>();
  t.shape = std::move(shape);
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  t.bytes.assign(p, p + t.numel() * static_cast<int64_t>(sizeof(T)));
  tensors[name] = std::move(t);
}

template void TensorFile::put<float>(const std::string&, const float*, std::vector<int64_t>);
template void TensorFile::put<double>(const std::string&, const double*, std::vector<int64_t>);
template void TensorFile::put<int64_t>(const std::string&, const int64_t*, std::vector<int64_t>);

const StoredTensor& TensorFile::get(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw Error(source + ": no tensor named '" + name + "'");
  return it->second;
}

template <typename T>
Matrix<T> TensorFile::matrix(const std::string& name) const {
  const StoredTensor& t = get(name);
  const std::vector<T> v = t.values<T>();
  Index rows = 1, cols = 1;
  if (t.shape.size() == 1)
    cols = t.shape[0];
  else if (t.shape.size() >= 2) {
    rows = t.shape[0];
    cols = rows == 0 ? 0 : static_cast<Index>(v.size()) / rows;
  }
  return ConstMatrixMap<T>(v.data(), rows, cols);
}

template <typename T>
Vector<T> TensorFile::vector(const std::string& name) const {
  const std::vector<T> v = get(name).values<T>();
  return Eigen::Map<const Vector<T>>(v.data(), static_cast<Index>(v.size()));
}

template <typename T>
T TensorFile::scalar(const std::string& name) const {
  const std::vector<T> v = get(name).values<T>();
  if (v.size() != 1) throw Error(source + ": tensor '" + name + "' is not a scalar");
  return v[0];
}

template Matrix<float> TensorFile::matrix<float>(const std::string&) const;
template Matrix<double> TensorFile::matrix<double>(const std::string&) const;
template Vector<float> TensorFile::vector<float>(const std::string&) const;
template Vector<double> TensorFile::vector<double>(const std::string&) const;
template float TensorFile::scalar<float>(const std::string&) const;
template double TensorFile::scalar<double>(const std::string&) const;
template int64_t TensorFile::scalar<int64_t>(const std::string&) const;

}  // namespace bnlstm
