#pragma once
// Editing a safetensors file's bytes for tests of damaged checkpoints: the JSON header (tensor
// entries, "__metadata__" entries that are themselves JSON) and single stored values.
#include <cstdint>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace bnlstm::testing {

using OrderedJson = nlohmann::ordered_json;

inline OrderedJson safetensors_header(const std::string& bytes) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return OrderedJson::parse(bytes.substr(8, n));
}

// The same data bytes under another header.
inline std::string with_safetensors_header(const std::string& bytes, const OrderedJson& header) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const std::string json = header.dump();
  std::string out(8, '\0');
  const uint64_t len = json.size();
  std::memcpy(out.data(), &len, 8);
  return out + json + bytes.substr(8 + n);
}

// One "__metadata__" entry (JSON text) edited.
inline std::string with_metadata(const std::string& bytes, const std::string& key,
                                 const std::function<void(OrderedJson&)>& edit) {
  OrderedJson h = safetensors_header(bytes);
  OrderedJson m = OrderedJson::parse(h["__metadata__"][key].get<std::string>());
  edit(m);
  h["__metadata__"][key] = m.dump();
  return with_safetensors_header(bytes, h);
}

// One tensor's header entry edited.
inline std::string with_tensor_entry(const std::string& bytes, const std::string& tensor,
                                     const std::function<void(OrderedJson&)>& edit) {
  OrderedJson h = safetensors_header(bytes);
  edit(h[tensor]);
  return with_safetensors_header(bytes, h);
}

// The first stored float of an F32 tensor replaced.
inline std::string with_first_float(const std::string& bytes, const std::string& tensor,
                                    float value) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const OrderedJson h = safetensors_header(bytes);
  const uint64_t begin = h.at(tensor).at("data_offsets").at(0).get<uint64_t>();
  std::string out = bytes;
  std::memcpy(out.data() + 8 + n + begin, &value, sizeof value);
  return out;
}

}  // namespace bnlstm::testing
