// bnlstm.LayerNorm: torch.nn.LayerNorm's interface (last dimension only) over
// bnlstm::LayerNorm<float|double>.
#include "bnlstm/nn/layer_norm.hpp"

#include <pybind11/stl.h>

#include <cstring>
#include <mutex>
#include <tuple>
#include <variant>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bnlstm/core/error.hpp"
#include "state.hpp"

namespace bnlstm::python {

namespace {

// torch's normalized_shape: an int D or a sequence (D,); only the last dimension is supported.
Index normalized_size(const py::handle& shape) {
  if (py::isinstance<py::int_>(shape)) return shape.cast<Index>();
  if (py::isinstance<py::sequence>(shape) && !py::isinstance<py::str>(shape)) {
    const auto seq = py::reinterpret_borrow<py::sequence>(shape);
    if (seq.size() == 1 && py::isinstance<py::int_>(seq[0])) return seq[0].cast<Index>();
    throw Error("LayerNorm: normalized_shape " + py::repr(shape).cast<std::string>() +
                " is not supported: only the last dimension, an int D or (D,)");
  }
  throw py::type_error("LayerNorm: normalized_shape must be an int or a sequence (D,), got " +
                       py::repr(shape).cast<std::string>());
}

class PyLayerNorm {
 private:
  // The buffer `out` is filled from, reused from call to call (one per dtype; the layer uses one).
  template <typename T>
  Matrix<T>& scratch_out() {
    return std::get<Matrix<T>>(scratch_out_);
  }

 public:
  PyLayerNorm(const py::handle& shape, double eps, bool elementwise_affine, const py::object& dtype)
      : layer_(make(normalized_size(shape), {.eps = eps, .elementwise_affine = elementwise_affine},
                    parse_dtype(dtype))) {}

  template <typename F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), layer_);
  }
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), layer_);
  }

  // x: (..., D). Returns y of x's shape: a new array, or `out` filled.
  py::object forward(const py::handle& x_obj, const py::handle& out_obj) {
    return visit([&](auto& ln) -> py::object {
      using T = typename std::decay_t<decltype(ln.weight().value)>::Scalar;
      const InArray<T> x = input_array<T>(x_obj, "LayerNorm.forward: x", {1, 2, 3, 4});
      const Index D = ln.normalized_size();
      if (x.shape.back() != D)
        throw Error("LayerNorm(" + std::to_string(D) + ").forward: x has shape " +
                    shape_str(x.shape) + ", expected (..., " + std::to_string(D) + ")");
      T* out =
          out_obj.is_none() ? nullptr : output_array<T>(out_obj, "LayerNorm.forward: out", x.shape);
      const Index M = x.size() / D;
      Matrix<T> y;
      {
        py::gil_scoped_release nogil;
        Busy busy(guard_, "LayerNorm.forward");
        Matrix<T>& result = out ? scratch_out<T>() : y;
        ln.forward(x.matrix(M, D), result);  // x read in place; the layer keeps its own copy
        if (out) std::memcpy(out, result.data(), sizeof(T) * static_cast<size_t>(result.size()));
        last_shape_ = x.shape;
      }
      if (out) return py::reinterpret_borrow<py::object>(out_obj);
      return adopt_matrix(std::move(y), x.shape);
    });
  }

  py::object backward(const py::handle& dy_obj, const py::handle& out_obj) {
    return visit([&](auto& ln) -> py::object {
      using T = typename std::decay_t<decltype(ln.weight().value)>::Scalar;
      const InArray<T> dy = input_array<T>(dy_obj, "LayerNorm.backward: dy", {1, 2, 3, 4});
      if (last_shape_.empty()) throw Error("LayerNorm.backward: no forward pass to differentiate");
      if (dy.shape != last_shape_)
        throw Error("LayerNorm.backward: dy has shape " + shape_str(dy.shape) + ", expected " +
                    shape_str(last_shape_) + " as the last forward's x");
      T* out = out_obj.is_none() ? nullptr
                                 : output_array<T>(out_obj, "LayerNorm.backward: out", dy.shape);
      const Index D = ln.normalized_size(), M = dy.size() / D;
      Matrix<T> dx;
      {
        py::gil_scoped_release nogil;
        Busy busy(guard_, "LayerNorm.backward");
        Matrix<T>& result = out ? scratch_out<T>() : dx;
        ln.backward(dy.matrix(M, D), result);  // dy read in place
        if (out) std::memcpy(out, result.data(), sizeof(T) * static_cast<size_t>(result.size()));
      }
      if (out) return py::reinterpret_borrow<py::object>(out_obj);
      return adopt_matrix(std::move(dx), dy.shape);
    });
  }

  void set_training(bool on) {
    Busy busy(guard_, "LayerNorm.train");
    visit([&](auto& ln) { ln.train(on); });
  }
  bool training() const {
    return visit([](const auto& ln) { return ln.training(); });
  }
  void zero_grad() {
    Busy busy(guard_, "LayerNorm.zero_grad");
    visit([](auto& ln) { ln.zero_grad(); });
  }
  py::object parameter(py::handle self, bool bias, bool grad) {
    return visit([&](auto& ln) -> py::object {
      if (!ln.options().elementwise_affine) return py::none();
      auto& p = bias ? ln.bias() : ln.weight();
      return live_view(grad ? p.grad.data() : p.value.data(), Shape{p.value.size()}, self);
    });
  }
  const LayerNormOptions& options() const {
    return visit([](const auto& ln) -> const LayerNormOptions& { return ln.options(); });
  }
  Index size() const {
    return visit([](const auto& ln) { return ln.normalized_size(); });
  }
  DType dtype() const { return layer_.index() == 0 ? DType::f32 : DType::f64; }

  std::vector<std::string> state_names() const {
    if (!options().elementwise_affine) return {};
    return {"weight", "bias"};
  }
  py::dict state_dict() {
    Busy busy(guard_, "LayerNorm.state_dict");
    TensorFile file;
    visit([&](const auto& ln) { ln.save_state(file, ""); });
    return dict_from_tensors(file, state_names());
  }
  void load_state_dict(const py::handle& state, bool strict) {
    const TensorFile file =
        tensors_from_dict(state, "LayerNorm.load_state_dict", state_names(), strict);
    Busy busy(guard_, "LayerNorm.load_state_dict");
    visit([&](auto& ln) { ln.load_state(file, ""); });
  }

  std::string repr() const {
    return "LayerNorm((" + std::to_string(size()) +
           ",), eps=" + py::repr(py::float_(options().eps)).cast<std::string>() +
           ", elementwise_affine=" + (options().elementwise_affine ? "True" : "False") +
           ", dtype=" + dtype_name(dtype()) + ")";
  }

 private:
  using Variant = std::variant<LayerNorm<float>, LayerNorm<double>>;
  static Variant make(Index D, const LayerNormOptions& o, DType dtype) {
    if (dtype == DType::f32) return Variant(std::in_place_index<0>, D, o);
    return Variant(std::in_place_index<1>, D, o);
  }
  Variant layer_;
  Guard guard_;
  Shape last_shape_;
  std::tuple<Matrix<float>, Matrix<double>> scratch_out_;
};

const char* kClassDoc =
    R"doc(LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True, dtype="float32")

Layer normalization over the last dimension, with the semantics, defaults and state_dict names
of torch.nn.LayerNorm (Keras: LayerNormalization(axis=-1)):

    y = (x - mean) / sqrt(var + eps) * weight + bias     (mean, biased var over the last D values)

normalized_shape: D or (D,) (only the last dimension). The same computation in training and eval
mode (train()/eval() exist so that every layer answers them). dtype: "float32" or "float64";
arrays passed in must have that dtype, be C-contiguous and hold finite values.

backward(dy) returns dx and accumulates (+=) weight_grad and bias_grad (zero_grad() clears them).
Arrays returned by forward, backward and state_dict are new arrays; weight, bias, weight_grad
and bias_grad are live views of the layer's parameters (writing into them changes the layer).

    ln = bnlstm.LayerNorm(64)
    y = ln(x)                 # x: (..., 64)
    dx = ln.backward(dy)
)doc";

}  // namespace

void bind_layer_norm(py::module_& m) {
  py::class_<PyLayerNorm>(m, "LayerNorm", kClassDoc)
      .def(py::init<py::handle, double, bool, py::object>(), py::arg("normalized_shape"),
           py::arg("eps") = 1e-5, py::arg("elementwise_affine") = true,
           py::arg("dtype") = "float32",
           "Raises bnlstm.Error for D < 1, eps <= 0 or a normalized_shape of more than one "
           "dimension, TypeError for a dtype other than float32/float64.")
      .def("forward", &PyLayerNorm::forward, py::arg("x"), py::arg("out") = py::none(),
           R"doc(forward(x, out=None) -> y

x: (..., D) array (1 to 4 dimensions) of the layer's dtype. Returns y, x's shape: a new array,
or `out` (writable, C-contiguous, x's shape and dtype) filled with it. The GIL is released while
the layer computes.)doc")
      .def("__call__", &PyLayerNorm::forward, py::arg("x"), py::arg("out") = py::none(),
           "Same as forward(x, out=None).")
      .def("backward", &PyLayerNorm::backward, py::arg("dy"), py::arg("out") = py::none(),
           R"doc(backward(dy, out=None) -> dx

dy: dL/dy, the last forward's shape. Returns dL/dx (a new array, or `out` filled) and adds
dL/dweight, dL/dbias to weight_grad and bias_grad (+=).)doc")
      .def(
          "train",
          [](py::object self, bool mode) {
            self.cast<PyLayerNorm&>().set_training(mode);
            return self;
          },
          py::arg("mode") = true, "Sets the training flag (no effect on the result). Returns self.")
      .def(
          "eval",
          [](py::object self) {
            self.cast<PyLayerNorm&>().set_training(false);
            return self;
          },
          "train(False). Returns self.")
      .def_property("training", &PyLayerNorm::training, &PyLayerNorm::set_training,
                    "The training flag (no effect on LayerNorm's result).")
      .def("zero_grad", &PyLayerNorm::zero_grad, "Sets weight_grad and bias_grad to zero.")
      .def_property_readonly(
          "weight",
          [](py::object self) { return self.cast<PyLayerNorm&>().parameter(self, false, false); },
          "(D,) live view of the scale (starts at 1); None without elementwise_affine.")
      .def_property_readonly(
          "bias",
          [](py::object self) { return self.cast<PyLayerNorm&>().parameter(self, true, false); },
          "(D,) live view of the shift (starts at 0); None without elementwise_affine.")
      .def_property_readonly(
          "weight_grad",
          [](py::object self) { return self.cast<PyLayerNorm&>().parameter(self, false, true); },
          "(D,) live view of dL/dweight (torch: weight.grad).")
      .def_property_readonly(
          "bias_grad",
          [](py::object self) { return self.cast<PyLayerNorm&>().parameter(self, true, true); },
          "(D,) live view of dL/dbias (torch: bias.grad).")
      .def(
          "named_parameters",
          [](py::object self) {
            py::list out;
            for (const char* name : {"weight", "bias"}) {
              py::object v = self.attr(name);
              if (!v.is_none()) out.append(py::make_tuple(name, v));
            }
            return out;
          },
          "[(name, live view)] of weight and bias (empty without elementwise_affine).")
      .def(
          "named_gradients",
          [](py::object self) {
            py::list out;
            for (const char* name : {"weight", "bias"}) {
              py::object v = self.attr((std::string(name) + "_grad").c_str());
              if (!v.is_none()) out.append(py::make_tuple(name, v));
            }
            return out;
          },
          "[(name, live view of its gradient)] in named_parameters() order.")
      .def("state_dict", &PyLayerNorm::state_dict,
           "{name: copy}: weight and bias with torch's names and shapes (D,).")
      .def("load_state_dict", &PyLayerNorm::load_state_dict, py::arg("state_dict"),
           py::arg("strict") = true,
           "Copies weight and bias from a dict of numpy arrays with torch's names (e.g. "
           "{k: v.numpy() for k, v in torch_ln.state_dict().items()}). bnlstm.Error names a "
           "missing tensor or wrong shape (the layer is then unchanged), or an unknown key unless "
           "strict=False.")
      .def_property_readonly(
          "normalized_shape", [](const PyLayerNorm& ln) { return py::make_tuple(ln.size()); },
          "(D,), as torch.")
      .def_property_readonly(
          "eps", [](const PyLayerNorm& ln) { return ln.options().eps; },
          "Added to the variance before the square root.")
      .def_property_readonly(
          "elementwise_affine",
          [](const PyLayerNorm& ln) { return ln.options().elementwise_affine; },
          "Whether the layer has weight and bias.")
      .def_property_readonly(
          "dtype", [](const PyLayerNorm& ln) { return numpy_dtype(ln.dtype()); },
          "numpy.dtype of every array in and out.")
      .def("__repr__", &PyLayerNorm::repr);
}

}  // namespace bnlstm::python
