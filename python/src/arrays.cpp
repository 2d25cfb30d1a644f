#include "arrays.hpp"

#include <Eigen/Core>
#include <cmath>
#include <cstdint>

#include "bnlstm/core/error.hpp"

namespace bnlstm::python {

DType parse_dtype(const py::object& dtype) {
  py::dtype dt;
  try {
    dt = py::dtype::from_args(dtype);
  } catch (const py::error_already_set&) {
    throw py::type_error("dtype: expected float32 or float64, got " +
                         py::repr(dtype).cast<std::string>());
  }
  if (dt.kind() == 'f' && dt.itemsize() == 4) return DType::f32;
  if (dt.kind() == 'f' && dt.itemsize() == 8) return DType::f64;
  throw py::type_error("dtype: expected float32 or float64, got " +
                       py::str(dt).cast<std::string>());
}

const char* dtype_name(DType dtype) {
  return dtype == DType::f32 ? "float32" : "float64";
}

py::dtype numpy_dtype(DType dtype) {
  return dtype == DType::f32 ? py::dtype::of<float>() : py::dtype::of<double>();
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

template <typename T>
Index InArray<T>::size() const {
  Index n = 1;
  for (auto d : shape) n *= static_cast<Index>(d);
  return n;
}

namespace {

std::string ndims_str(std::initializer_list<int> ndims) {
  std::string s;
  size_t k = 0;
  for (int d : ndims) {
    s += (k == 0 ? "" : k + 1 == ndims.size() ? " or " : ", ") + std::to_string(d);
    ++k;
  }
  return s;
}

std::string type_name(const py::handle& obj) {
  return py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>();
}

// The common checks of inputs and outputs; returns the array.
template <typename T>
py::array checked(const py::handle& obj, const std::string& what) {
  if (!py::isinstance<py::array>(obj))
    throw py::type_error(what + ": expected a numpy.ndarray of " + dtype_name(dtype_of<T>()) +
                         ", got " + type_name(obj));
  py::array a = py::reinterpret_borrow<py::array>(obj);
  if (!py::isinstance<py::array_t<T>>(a)) {
    throw py::type_error(what + ": expected dtype " + dtype_name(dtype_of<T>()) + ", got " +
                         py::str(a.dtype()).cast<std::string>() +
                         " (the layer's dtype; convert with .astype(numpy." +
                         dtype_name(dtype_of<T>()) + "))");
  }
  if (!(a.flags() & py::array::c_style))
    throw Error(what + ": the array is not C-contiguous (pass numpy.ascontiguousarray(" +
                "...); bnlstm does not copy silently)");
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(T) != 0)
    throw Error(what + ": the array's data is not aligned to its dtype");
  return a;
}

}  // namespace

template <typename T>
bool all_finite(const T* data, Index n) {
  const Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> v(data, n);
  return n == 0 || !std::isnan((v * T(0)).sum());
}

template <typename T>
void check_finite(const T* data, Index n, const std::string& what, const Shape& shape) {
  if (all_finite(data, n)) return;
  Index i = 0;
  while (i < n && std::isfinite(data[i])) ++i;
  Shape index(shape.size());
  Index rest = i;
  for (size_t k = shape.size(); k-- > 0;) {
    index[k] = static_cast<py::ssize_t>(rest % shape[k]);
    rest /= shape[k];
  }
  const char* kind = std::isnan(data[i]) ? "nan" : data[i] > 0 ? "inf" : "-inf";
  throw Error(what + ": non-finite value (" + kind + ") at index " + shape_str(index));
}

template <typename T>
InArray<T> input_array(const py::handle& obj, const std::string& what,
                       std::initializer_list<int> ndims, bool finite) {
  py::array a = checked<T>(obj, what);
  bool ok = false;
  for (int d : ndims) ok = ok || a.ndim() == d;
  if (!ok) {
    throw Error(what + ": expected " + ndims_str(ndims) + " dimensions, got " +
                std::to_string(a.ndim()) + " (shape " +
                shape_str(Shape(a.shape(), a.shape() + a.ndim())) + ")");
  }
  InArray<T> in;
  in.shape.assign(a.shape(), a.shape() + a.ndim());
  in.data = static_cast<const T*>(a.data());
  in.array = std::move(a);
  if (finite) check_finite(in.data, in.size(), what, in.shape);
  return in;
}

template <typename T>
T* output_array(const py::handle& obj, const std::string& what, const Shape& shape) {
  py::array a = checked<T>(obj, what);
  const Shape got(a.shape(), a.shape() + a.ndim());
  if (got != shape)
    throw Error(what + ": expected shape " + shape_str(shape) + ", got " + shape_str(got));
  if (!a.writeable()) throw Error(what + ": the array is read-only");
  return static_cast<T*>(a.mutable_data());
}

template <typename T>
py::array copy_array(const T* data, const Shape& shape) {
  py::array_t<T> a(shape);
  if (a.size() > 0) std::memcpy(a.mutable_data(), data, sizeof(T) * static_cast<size_t>(a.size()));
  return a;
}

template <typename T>
py::array new_array(const Shape& shape) {
  return py::array_t<T>(shape);
}

template <typename T>
py::array adopt_matrix(Matrix<T>&& m, const Shape& shape) {
  auto* owned = new Matrix<T>(std::move(m));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<Matrix<T>*>(p); });
  return py::array_t<T>(shape, owned->data(), free_when_done);
}

template <typename T>
py::array live_view(T* data, const Shape& shape, py::handle owner) {
  return py::array_t<T>(shape, data, owner);
}

Busy::Busy(Guard& guard, const char* what) : guard_(guard), lock_(guard.mutex, std::try_to_lock) {
  if (!lock_.owns_lock()) {
    if (guard.owner.load() == std::this_thread::get_id())
      throw std::runtime_error(std::string(what) +
                               ": called from inside a running call on the same object (a "
                               "callback cannot use the object that called it)");
    if (PyGILState_Check()) {
      py::gil_scoped_release nogil;
      lock_.lock();
    } else {
      lock_.lock();
    }
  }
  guard.owner = std::this_thread::get_id();
}

Busy::~Busy() {
  guard_.owner = std::thread::id();
}

#define BNLSTM_PYTHON_ARRAYS(T)                                                     \
  template struct InArray<T>;                                                       \
  template InArray<T> input_array<T>(const py::handle&, const std::string&,         \
                                     std::initializer_list<int>, bool);             \
  template T* output_array<T>(const py::handle&, const std::string&, const Shape&); \
  template void check_finite<T>(const T*, Index, const std::string&, const Shape&); \
  template bool all_finite<T>(const T*, Index);                                     \
  template py::array copy_array<T>(const T*, const Shape&);                         \
  template py::array new_array<T>(const Shape&);                                    \
  template py::array adopt_matrix<T>(Matrix<T>&&, const Shape&);                    \
  template py::array live_view<T>(T*, const Shape&, py::handle);
BNLSTM_PYTHON_ARRAYS(float)
BNLSTM_PYTHON_ARRAYS(double)
template py::array copy_array<int64_t>(const int64_t*, const Shape&);

}  // namespace bnlstm::python
