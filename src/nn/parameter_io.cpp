#include "bnlstm/nn/parameter_io.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <vector>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"

namespace bnlstm {

template <typename T>
void save_parameters(TensorFile& file, const ParameterList<T>& params, const std::string& prefix) {
  for (const auto* p : params) file.put_matrix(prefix + p->name, p->value);
}

template <typename T>
void load_parameters(const TensorFile& file, const ParameterList<T>& params,
                     const std::string& prefix) {
  const std::string where = file.source.empty() ? std::string("parameters") : file.source;
  // read and check every tensor before touching any parameter
  std::vector<std::vector<T>> values;
  values.reserve(params.size());
  for (const auto* p : params) {
    const std::string name = prefix + p->name;
    if (!file.contains(name)) throw Error(fmt::format("{}: missing tensor '{}'", where, name));
    const StoredTensor& stored = file.get(name);
    const int64_t rows = p->value.rows(), cols = p->value.cols();
    const bool fits = stored.shape == std::vector<int64_t>{rows, cols} ||
                      (rows == 1 && stored.shape == std::vector<int64_t>{cols});
    if (!fits) {
      throw Error(fmt::format("{}: tensor '{}' has shape [{}], expected [{}, {}]{}", where, name,
                              fmt::join(stored.shape, ", "), rows, cols,
                              rows == 1 ? fmt::format(" or [{}]", cols) : std::string()));
    }
    std::vector<T> v = stored.values<T>();
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) {
        throw Error(fmt::format("{}: tensor '{}' holds {} at row {}, column {}", where, name,
                                double(v[i]), int64_t(i) / cols, int64_t(i) % cols));
      }
    }
    values.push_back(std::move(v));
  }
  for (size_t k = 0; k < params.size(); ++k) {
    Parameter<T>& p = *params[k];
    p.value = ConstMatrixMap<T>(values[k].data(), p.value.rows(), p.value.cols());
  }
}

#define BNLSTM_INSTANTIATE(T)                                                                 \
  template void save_parameters<T>(TensorFile&, const ParameterList<T>&, const std::string&); \
  template void load_parameters<T>(const TensorFile&, const ParameterList<T>&, const std::string&);
BNLSTM_INSTANTIATE(float)
BNLSTM_INSTANTIATE(double)
#undef BNLSTM_INSTANTIATE

}  // namespace bnlstm
