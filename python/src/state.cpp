#include "state.hpp"

#include <pybind11/numpy.h>

#include <algorithm>
#include <cstring>

#include "arrays.hpp"
#include "bnlstm/core/error.hpp"

namespace bnlstm::python {

namespace {

template <typename T>
void put(TensorFile& file, const std::string& name, const py::array& a, const std::string& what) {
  // a contiguous copy of the values (the layer copies them again: nothing stays a view)
  const auto c = py::array_t<T, py::array::c_style>::ensure(a);
  const std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
  const Shape pshape(a.shape(), a.shape() + a.ndim());
  if constexpr (std::is_floating_point_v<T>) {
    check_finite(c.data(), static_cast<Index>(c.size()), what + ": '" + name + "'", pshape);
  }
  file.put<T>(name, c.data(), shape);
}

}  // namespace

TensorFile tensors_from_dict(const py::handle& state, const std::string& what,
                             const std::vector<std::string>& expected, bool strict) {
  if (!py::isinstance<py::dict>(state))
    throw py::type_error(what + ": expected a dict of numpy arrays, got " +
                         py::str(py::type::handle_of(state).attr("__name__")).cast<std::string>());
  TensorFile file;
  file.source = what;
  std::vector<std::string> unexpected;
  for (auto [key, value] : py::reinterpret_borrow<py::dict>(state)) {
    if (!py::isinstance<py::str>(key))
      throw py::type_error(what + ": keys must be strings, got " +
                           py::repr(key).cast<std::string>());
    const std::string name = key.cast<std::string>();
    if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
      unexpected.push_back(name);
      continue;
    }
    if (!py::isinstance<py::array>(value))
      throw py::type_error(
          what + ": '" + name + "' must be a numpy.ndarray, got " +
          py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>());
    const auto a = py::reinterpret_borrow<py::array>(value);
    if (py::isinstance<py::array_t<float>>(a)) {
      put<float>(file, name, a, what);
    } else if (py::isinstance<py::array_t<double>>(a)) {
      put<double>(file, name, a, what);
    } else if (py::isinstance<py::array_t<int64_t>>(a)) {
      put<int64_t>(file, name, a, what);
    } else {
      throw py::type_error(what + ": '" + name + "' has dtype " +
                           py::str(a.dtype()).cast<std::string>() +
                           ", expected float32, float64 or int64");
    }
  }
  if (strict && !unexpected.empty()) {
    std::string list;
    for (const auto& k : unexpected) list += (list.empty() ? "'" : ", '") + k + "'";
    throw Error(what + ": unexpected key(s) " + list + " (pass strict=False to ignore them)");
  }
  return file;
}

py::dict dict_from_tensors(const TensorFile& file, const std::vector<std::string>& names) {
  py::dict d;
  for (const auto& name : names) {
    const StoredTensor& t = file.get(name);
    const Shape shape(t.shape.begin(), t.shape.end());
    py::array a = t.dtype == "F32"   ? py::array(py::array_t<float>(shape))
                  : t.dtype == "F64" ? py::array(py::array_t<double>(shape))
                                     : py::array(py::array_t<int64_t>(shape));
    if (!t.bytes.empty()) std::memcpy(a.mutable_data(), t.bytes.data(), t.bytes.size());
    d[py::str(name)] = a;
  }
  return d;
}

}  // namespace bnlstm::python
