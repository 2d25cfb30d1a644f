#include "bnlstm/io/safetensors.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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
const char* dtype_of<float>() { return "F32"; }
template <>
const char* dtype_of<double>() { return "F64"; }
template <>
const char* dtype_of<int64_t>() { return "I64"; }

template <typename S, typename T>
void convert(const unsigned char* src, int64_t n, std::vector<T>& out) {
  out.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    S v;
    std::memcpy(&v, src + i * static_cast<int64_t>(sizeof(S)), sizeof(S));
    out[static_cast<size_t>(i)] = static_cast<T>(v);
  }
}

}  // namespace

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

template <typename T>
std::vector<T> StoredTensor::values() const {
  std::vector<T> out;
  const int64_t n = numel();
  if (dtype == "F32") convert<float>(bytes.data(), n, out);
  else if (dtype == "F64") convert<double>(bytes.data(), n, out);
  else if (dtype == "I64") convert<int64_t>(bytes.data(), n, out);
  else throw Error("tensor of dtype " + dtype + " cannot be read as numbers (expected F32, F64 or I64)");
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
  auto bad = [&](const std::string& what) { return Error(source + ": not a valid safetensors file: " + what); };
  if (bytes.size() < 8) throw bad("shorter than its 8-byte header length");
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  if (header_len > bytes.size() - 8) throw bad("header length " + std::to_string(header_len) + " exceeds file size");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len));
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("header is not JSON: ") + e.what());
  }
  if (!header.is_object()) throw bad("header is not a JSON object");
  const size_t data_start = 8 + header_len;
  const size_t data_len = bytes.size() - data_start;

  TensorFile file;
  file.source = source;
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
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
      throw bad("tensor '" + it.key() + "' lacks dtype, shape or data_offsets");
    StoredTensor t;
    try {
      t.dtype = info["dtype"].get<std::string>();
      t.shape = info["shape"].get<std::vector<int64_t>>();
      const auto offsets = info["data_offsets"].get<std::vector<uint64_t>>();
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_len)
        throw bad("tensor '" + it.key() + "' has data_offsets outside the data");
      const int64_t size = dtype_size(t.dtype);
      if (size < 0) throw bad("tensor '" + it.key() + "' has unknown dtype " + t.dtype);
      for (int64_t d : t.shape)
        if (d < 0) throw bad("tensor '" + it.key() + "' has a negative dimension");
      if (static_cast<uint64_t>(t.numel() * size) != offsets[1] - offsets[0])
        throw bad("tensor '" + it.key() + "' byte count does not match its shape and dtype");
      const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + data_start);
      t.bytes.assign(p + offsets[0], p + offsets[1]);
    } catch (const nlohmann::json::exception& e) {
      throw bad("tensor '" + it.key() + "': " + e.what());
    }
    file.tensors.emplace(it.key(), std::move(t));
  }
  return file;
}

std::string TensorFile::serialize() const {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // keep the data 8-byte aligned
  std::string out(8, '\0');
  const uint64_t len = json.size();
  std::memcpy(out.data(), &len, 8);
  out += json;
  out.reserve(out.size() + offset);
  for (const auto& [name, t] : tensors) out.append(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size());
  return out;
}

void TensorFile::save(const std::filesystem::path& path) const { write_file_atomically(path, serialize()); }

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
  if (t.shape.size() == 1) cols = t.shape[0];
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
