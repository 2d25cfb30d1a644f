#pragma once
// numpy at the binding's edge. Every array that comes in is checked before the library sees it:
// a numpy.ndarray (TypeError otherwise), of the layer's dtype exactly (TypeError: no silent
// conversion), with the expected number of dimensions and shape, C-contiguous and aligned (no
// silent copy that the caller might take for the array itself), finite (naming the first bad
// element), and writable when it is an output. Value problems throw bnlstm::Error, which Python
// sees as bnlstm.Error, a subclass of ValueError.
// Every array that goes out either owns its memory (a copy, or a matrix moved into the array) or
// is a documented live view of a parameter, which keeps the layer alive and never moves.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm::python {

namespace py = pybind11;
using Shape = std::vector<py::ssize_t>;

enum class DType { f32, f64 };

// "float32" / "float64", numpy.float32 / numpy.float64, numpy.dtype(...) or Python's float
// (float64). Throws TypeError naming what was given.
DType parse_dtype(const py::object& dtype);
const char* dtype_name(DType dtype);
py::dtype numpy_dtype(DType dtype);
template <typename T>
constexpr DType dtype_of() {
  return sizeof(T) == 4 ? DType::f32 : DType::f64;
}

// "(3, 4, 5)"
std::string shape_str(const Shape& shape);

// A checked input array of scalar type T. `array` keeps the caller's array alive for the call.
template <typename T>
struct InArray {
  py::array array;
  const T* data = nullptr;
  Shape shape;

  Index size() const;
  Index dim(size_t k) const { return static_cast<Index>(shape[k]); }
  // The data as a row-major (rows, cols) matrix, no copy; rows * cols == size().
  ConstMatrixMap<T> matrix(Index rows, Index cols) const { return {data, rows, cols}; }
};

// Checks `obj` as described at the top. `what` starts every message, e.g.
// "BatchNorm1d.forward: x". ndims: the accepted numbers of dimensions.
// finite = false leaves the search for NaN/inf to the caller (check_finite, possibly later
// and without the GIL).
template <typename T>
InArray<T> input_array(const py::handle& obj, const std::string& what,
                       std::initializer_list<int> ndims, bool finite = true);

// An output array given by the caller (out=): same checks as input_array, plus writable and
// exactly `shape`. Returns its data pointer.
template <typename T>
T* output_array(const py::handle& obj, const std::string& what, const Shape& shape);

// Throws ValueError "<what> has a non-finite value (nan) at index (i, j, ...)" when any of the
// n values is NaN or infinite. Vectorized: x * 0 is 0 for finite x and NaN otherwise.
template <typename T>
void check_finite(const T* data, Index n, const std::string& what, const Shape& shape);
// True when none of the n values is NaN or infinite (the same vectorized test).
template <typename T>
bool all_finite(const T* data, Index n);

// A new array of `shape` owning a copy of `data` (n = product of shape values).
template <typename T>
py::array copy_array(const T* data, const Shape& shape);
// A new uninitialised array of `shape` (filled by the caller, possibly without the GIL).
template <typename T>
py::array new_array(const Shape& shape);
// A new array viewing `m`'s storage, which it takes over (no copy); m is left empty.
template <typename T>
py::array adopt_matrix(Matrix<T>&& m, const Shape& shape);
// A live, writable view of `data` (shape `shape`) that keeps `owner` alive. Only for storage that
// never moves while `owner` lives (layer parameters and their gradients).
template <typename T>
py::array live_view(T* data, const Shape& shape, py::handle owner);

// One object's calls, serialized: each call holds the object's Guard (a mutex) for its whole
// duration, so two threads never race on a layer's buffers; a thread that has to wait does so
// with the GIL released (a running call may need the GIL, e.g. for a Python callback). A call
// made from inside a running call on the same object and thread (a callback re-entering it)
// raises RuntimeError instead of deadlocking.
struct Guard {
  std::mutex mutex;
  std::atomic<std::thread::id> owner{};
};

class Busy {
 public:
  Busy(Guard& guard, const char* what);
  ~Busy();
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  Guard& guard_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace bnlstm::python
