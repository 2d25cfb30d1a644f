// bnlstm.LSTM: torch.nn.LSTM's interface (one layer, one direction) over
// bnlstm::Lstm<float|double>, in its three variants (norm "none" = torch.nn.LSTM, "batch" =
// recurrent batch normalization, "layer" = layer-normalized).
#include "bnlstm/nn/lstm.hpp"

#include <pybind11/stl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <tuple>
#include <variant>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bnlstm/core/error.hpp"
#include "state.hpp"

namespace bnlstm::python {

namespace {

// torch stores 1-D parameters (biases, norm weights) as (n,); the library as one row (1, n).
template <typename T>
Shape torch_shape(const Parameter<T>& p) {
  if (p.name.rfind("weight_", 0) == 0) return {p.value.rows(), p.value.cols()};
  return {p.value.size()};
}

class PyLstm {
 private:
  template <typename T>
  std::optional<InArray<T>> state_input(const py::handle& obj, const std::string& what, Index N,
                                        Index H) {
    if (obj.is_none()) return std::nullopt;
    InArray<T> a = input_array<T>(obj, what, {2, 3});
    const bool ok = a.shape.size() == 3 ? a.dim(0) == 1 && a.dim(1) == N && a.dim(2) == H
                                        : a.dim(0) == N && a.dim(1) == H;
    if (!ok)
      throw Error(what + " has shape " + shape_str(a.shape) + ", expected (1, " +
                  std::to_string(N) + ", " + std::to_string(H) + ") (num_layers, N, hidden_size)");
    return a;
  }

  template <typename T>
  struct Scratch {
    Matrix<T> x, h0, c0;
  };
  template <typename T>
  Scratch<T>& scratch() {
    return std::get<Scratch<T>>(scratch_);
  }

 public:
  PyLstm(const LstmOptions& options, bool batch_first, uint64_t seed, DType dtype)
      : batch_first_(batch_first), layer_(make(options, seed, dtype)) {}

  template <typename F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), layer_);
  }
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), layer_);
  }
  const LstmOptions& options() const {
    return visit([](const auto& l) -> const LstmOptions& { return l.options(); });
  }
  DType dtype() const { return layer_.index() == 0 ? DType::f32 : DType::f64; }
  bool batch_first() const { return batch_first_; }

  py::tuple forward(const py::handle& x_obj, const py::handle& h0_obj, const py::handle& c0_obj) {
    return visit([&](auto& lstm) -> py::tuple {
      using T = typename std::decay_t<decltype(lstm.weight_ih().value)>::Scalar;
      const InArray<T> x = input_array<T>(x_obj, "LSTM.forward: x", {3});
      const Index I = lstm.input_size(), H = lstm.hidden_size();
      const Index L = batch_first_ ? x.dim(1) : x.dim(0), N = batch_first_ ? x.dim(0) : x.dim(1);
      if (x.dim(2) != I || L < 1 || N < 1)
        throw Error("LSTM.forward: x has shape " + shape_str(x.shape) + ", expected " +
                    (batch_first_ ? "(N, L, " : "(L, N, ") + std::to_string(I) +
                    ") with L, N >= 1 (input_size " + std::to_string(I) + ")");
      const std::optional<InArray<T>> h0 = state_input<T>(h0_obj, "LSTM.forward: h0", N, H);
      const std::optional<InArray<T>> c0 = state_input<T>(c0_obj, "LSTM.forward: c0", N, H);
      const Shape out_shape = batch_first_ ? Shape{N, L, H} : Shape{L, N, H};
      py::array out = new_array<T>(out_shape), h_n = new_array<T>({1, N, H}),
                c_n = new_array<T>({1, N, H});
      T* out_data = static_cast<T*>(out.mutable_data());
      T* h_data = static_cast<T*>(h_n.mutable_data());
      T* c_data = static_cast<T*>(c_n.mutable_data());
      {
        py::gil_scoped_release nogil;
        Busy busy(guard_, "LSTM.forward");
        auto& s = scratch<T>();
        if (h0) s.h0 = h0->matrix(N, H);  // Lstm::forward reads the state as a Matrix
        if (c0) s.c0 = c0->matrix(N, H);
        auto run = [&]() -> ConstMatrixMap<T> {
          const Matrix<T>* h = h0 ? &s.h0 : nullptr;
          const Matrix<T>* c = c0 ? &s.c0 : nullptr;
          if (!batch_first_) return lstm.forward(x.matrix(L * N, I), L, h, c);
          s.x.resize(L * N, I);  // (N, L, I) -> time-major (L*N, I)
          for (Index n = 0; n < N; ++n)
            for (Index t = 0; t < L; ++t) s.x.row(t * N + n) = x.matrix(N * L, I).row(n * L + t);
          return lstm.forward(s.x, L, h, c);
        };
        const ConstMatrixMap<T> y = run();
        // copies: the library's results are views that the next call moves
        if (batch_first_) {
          for (Index n = 0; n < N; ++n)
            for (Index t = 0; t < L; ++t)
              std::memcpy(out_data + (n * L + t) * H, y.row(t * N + n).data(), sizeof(T) * H);
        } else {
          std::memcpy(out_data, y.data(), sizeof(T) * static_cast<size_t>(y.size()));
        }
        std::memcpy(h_data, lstm.h_n().data(), sizeof(T) * static_cast<size_t>(N * H));
        std::memcpy(c_data, lstm.c_n().data(), sizeof(T) * static_cast<size_t>(N * H));
        last_ = {L, N, h0.has_value(), c0.has_value()};
      }
      return py::make_tuple(out, py::make_tuple(h_n, c_n));
    });
  }

  py::tuple backward(const py::handle& dy_obj, const py::handle& dh_obj, const py::handle& dc_obj) {
    return visit([&](auto& lstm) -> py::tuple {
      using T = typename std::decay_t<decltype(lstm.weight_ih().value)>::Scalar;
      const InArray<T> dy = input_array<T>(dy_obj, "LSTM.backward: d_output", {3});
      if (last_.L == 0) throw Error("LSTM.backward: no forward pass to differentiate");
      const Index L = last_.L, N = last_.N, I = lstm.input_size(), H = lstm.hidden_size();
      const Shape out_shape = batch_first_ ? Shape{N, L, H} : Shape{L, N, H};
      if (dy.shape != out_shape)
        throw Error("LSTM.backward: d_output has shape " + shape_str(dy.shape) + ", expected " +
                    shape_str(out_shape) + " as the last forward's output");
      const auto dh = state_input<T>(dh_obj, "LSTM.backward: d_h_n", N, H);
      const auto dc = state_input<T>(dc_obj, "LSTM.backward: d_c_n", N, H);
      const Shape x_shape = batch_first_ ? Shape{N, L, I} : Shape{L, N, I};
      py::array dx = new_array<T>(x_shape);
      py::array dh0, dc0;  // only for the initial states forward was given
      if (last_.h0) dh0 = new_array<T>({1, N, H});
      if (last_.c0) dc0 = new_array<T>({1, N, H});
      T* dx_data = static_cast<T*>(dx.mutable_data());
      T* dh0_data = last_.h0 ? static_cast<T*>(dh0.mutable_data()) : nullptr;
      T* dc0_data = last_.c0 ? static_cast<T*>(dc0.mutable_data()) : nullptr;
      {
        py::gil_scoped_release nogil;
        Busy busy(guard_, "LSTM.backward");
        auto& s = scratch<T>();
        if (dh) s.h0 = dh->matrix(N, H);
        if (dc) s.c0 = dc->matrix(N, H);
        auto run = [&]() -> ConstMatrixMap<T> {
          const Matrix<T>* h = dh ? &s.h0 : nullptr;
          const Matrix<T>* c = dc ? &s.c0 : nullptr;
          if (!batch_first_) return lstm.backward(dy.matrix(L * N, H), h, c);
          s.x.resize(L * N, H);  // (N, L, H) -> time-major (L*N, H)
          for (Index n = 0; n < N; ++n)
            for (Index t = 0; t < L; ++t) s.x.row(t * N + n) = dy.matrix(N * L, H).row(n * L + t);
          return lstm.backward(s.x, h, c);
        };
        const ConstMatrixMap<T> g = run();
        if (batch_first_) {
          for (Index n = 0; n < N; ++n)
            for (Index t = 0; t < L; ++t)
              std::memcpy(dx_data + (n * L + t) * I, g.row(t * N + n).data(), sizeof(T) * I);
        } else {
          std::memcpy(dx_data, g.data(), sizeof(T) * static_cast<size_t>(g.size()));
        }
        if (dh0_data) std::memcpy(dh0_data, lstm.grad_h0().data(), sizeof(T) * size_t(N * H));
        if (dc0_data) std::memcpy(dc0_data, lstm.grad_c0().data(), sizeof(T) * size_t(N * H));
      }
      return py::make_tuple(dx, py::make_tuple(last_.h0 ? py::object(dh0) : py::none(),
                                               last_.c0 ? py::object(dc0) : py::none()));
    });
  }

  void set_training(bool on) {
    Busy busy(guard_, "LSTM.train");
    visit([&](auto& l) { l.train(on); });
  }
  bool training() const {
    return visit([](const auto& l) { return l.training(); });
  }
  void zero_grad() {
    Busy busy(guard_, "LSTM.zero_grad");
    visit([](auto& l) {
      for (auto* p : l.parameters()) p->zero_grad();
    });
  }

  // [(name, live view)] of the parameters or of their gradients, torch's names and shapes.
  py::list named(py::handle self, bool grad) {
    return visit([&](auto& l) {
      py::list out;
      for (auto* p : l.parameters())
        out.append(py::make_tuple(
            p->name, live_view(grad ? p->grad.data() : p->value.data(), torch_shape(*p), self)));
      return out;
    });
  }
  std::vector<std::string> parameter_names() const {
    return visit([](const auto& l) {
      std::vector<std::string> names;
      l.for_each_parameter([&](const auto& p) { names.push_back(p.name); });
      return names;
    });
  }
  std::vector<std::string> state_names() const {
    std::vector<std::string> names = parameter_names();
    if (options().norm == LstmNorm::batch)
      for (const char* norm : {"norm_ih.", "norm_hh.", "norm_c."})
        for (const char* t : {"running_mean", "running_var", "num_batches_tracked"})
          names.push_back(std::string(norm) + t);
    return names;
  }

  py::dict state_dict() {
    Busy busy(guard_, "LSTM.state_dict");
    TensorFile file;
    visit([&](const auto& l) {
      l.for_each_parameter([&](const auto& p) {
        std::vector<int64_t> shape;
        for (auto d : torch_shape(p)) shape.push_back(d);
        file.put(p.name, p.value.data(), shape);
      });
      l.save_state(file, "");
    });
    return dict_from_tensors(file, state_names());
  }

  void load_state_dict(const py::handle& state, bool strict) {
    const std::string what = "LSTM.load_state_dict";
    const TensorFile file = tensors_from_dict(state, what, state_names(), strict);
    Busy busy(guard_, "LSTM.load_state_dict");
    visit([&](auto& l) {
      using T = typename std::decay_t<decltype(l.weight_ih().value)>::Scalar;
      // everything is read and checked before anything changes
      std::vector<std::vector<T>> values;
      for (auto* p : l.parameters()) {
        if (!file.contains(p->name)) throw Error(what + ": missing tensor '" + p->name + "'");
        const StoredTensor& t = file.get(p->name);
        const Shape expected = torch_shape(*p);
        if (Shape(t.shape.begin(), t.shape.end()) != expected)
          throw Error(what + ": tensor '" + p->name + "' has shape " +
                      shape_str(Shape(t.shape.begin(), t.shape.end())) + ", expected " +
                      shape_str(expected) + " (input_size " + std::to_string(l.input_size()) +
                      ", hidden_size " + std::to_string(l.hidden_size()) + ")");
        if (t.dtype == "I64")
          throw py::type_error(what + ": '" + p->name +
                               "' has dtype int64, expected float32 or float64");
        values.push_back(t.values<T>());
      }
      typename Lstm<T>::RunningState saved;
      l.copy_running_state(saved);
      try {
        l.load_state(file, "");
      } catch (...) {
        l.set_running_state(saved);
        throw;
      }
      size_t k = 0;
      for (auto* p : l.parameters()) {
        std::copy(values[k].begin(), values[k].end(), p->value.data());
        ++k;
      }
    });
  }

  std::string repr() const {
    const LstmOptions& o = options();
    return "LSTM(" + std::to_string(o.input_size) + ", " + std::to_string(o.hidden_size) +
           ", norm='" + to_string(o.norm) + "'" + (batch_first_ ? ", batch_first=True" : "") +
           ", dtype=" + dtype_name(dtype()) + ")";
  }

 private:
  using Variant = std::variant<Lstm<float>, Lstm<double>>;
  static Variant make(const LstmOptions& o, uint64_t seed, DType dtype) {
    Rng rng = make_rng(seed);
    if (dtype == DType::f32) return Variant(std::in_place_index<0>, o, rng);
    return Variant(std::in_place_index<1>, o, rng);
  }
  struct Last {
    Index L = 0, N = 0;
    bool h0 = false, c0 = false;
  };

  bool batch_first_;
  Variant layer_;
  Guard guard_;
  Last last_;
  std::tuple<Scratch<float>, Scratch<double>> scratch_;
};

LstmOptions lstm_options(Index input_size, Index hidden_size, const std::string& norm,
                         const std::string& init, const std::optional<std::string>& recurrent_init,
                         double forget_bias, std::optional<double> gamma_init, double eps,
                         std::optional<double> momentum) {
  LstmOptions o;
  o.input_size = input_size;
  o.hidden_size = hidden_size;
  o.norm = parse_lstm_norm(norm);
  o.weight_ih_init = parse_init_scheme(init);
  o.weight_hh_init = parse_init_scheme(recurrent_init.value_or(init));
  o.forget_bias = forget_bias;
  o.gamma_init = gamma_init;
  o.eps = eps;
  o.momentum = momentum;
  o.name = "";  // torch's names: weight_ih_l0, not lstm.weight_ih_l0
  return o;
}

const char* kClassDoc =
    R"doc(LSTM(input_size, hidden_size, norm="none", batch_first=False, init="xavier", recurrent_init=None, forget_bias=0.0, gamma_init=None, eps=1e-05, momentum=0.1, seed=0, dtype="float32")

A single-layer, one-direction LSTM over whole sequences, with backpropagation through time:

    norm="none"   torch.nn.LSTM exactly (gates i, f, g, o; bias_ih_l0 and bias_hh_l0), so that
                  {k: v.numpy() for k, v in torch_lstm.state_dict().items()} loads one to one;
    norm="batch"  recurrent batch normalization (Cooijmans et al. 2016): batch norm of W_ih x_t,
                  of W_hh h_{t-1} and of c_t, with running statistics per time step;
    norm="layer"  layer normalization at the same three places (Ba et al. 2016).

Layouts as torch.nn.LSTM: x (L, N, input_size), output (L, N, hidden_size), h0/c0/h_n/c_n
(1, N, hidden_size); with batch_first=True x and output are (N, L, ...) (Keras' layout).
Parameters: weight_ih_l0 (4H, I), weight_hh_l0 (4H, H), and bias_ih_l0, bias_hh_l0 (4H,) for
"none"; bias_l0 (4H,), norm_ih.weight (4H,), norm_hh.weight (4H,), norm_c.weight (H,),
norm_c.bias (H,) for "batch" and "layer". Each is also an attribute (lstm.weight_ih_l0).

init / recurrent_init: "xavier" (default), "random", "he", "uniform", "glorot_uniform",
"orthogonal" for weight_ih / weight_hh (recurrent_init defaults to init); drawn from a generator
seeded with `seed`, so the same seed gives the same weights. gamma_init: initial norm weights
(default 0.1 for "batch", 1.0 for "layer"). momentum: per-step running statistics ("batch";
None = cumulative average). dtype: "float32" or "float64"; arrays passed in must have that
dtype, be C-contiguous and hold finite values.

No autograd: forward() keeps what backward() needs; backward() returns the input gradients and
accumulates (+=) every parameter's gradient (zero_grad() clears them). Arrays returned by
forward, backward and state_dict are new arrays (copies); named_parameters(),
named_gradients() and the parameter attributes are live views of the layer's own storage.
The GIL is released while the layer computes.

    lstm = bnlstm.LSTM(1, 64, norm="batch")
    output, (h_n, c_n) = lstm(x)                  # x: (L, N, 1) float32
    dx, (dh0, dc0) = lstm.backward(d_output)      # dh0, dc0: None (no h0/c0 given)
)doc";

}  // namespace

void bind_lstm(py::module_& m) {
  py::class_<PyLstm>(m, "LSTM", kClassDoc)
      .def(py::init([](Index input_size, Index hidden_size, const std::string& norm,
                       bool batch_first, const std::string& init,
                       const std::optional<std::string>& recurrent_init, double forget_bias,
                       std::optional<double> gamma_init, double eps, std::optional<double> momentum,
                       uint64_t seed, const py::object& dtype) {
             return new PyLstm(lstm_options(input_size, hidden_size, norm, init, recurrent_init,
                                            forget_bias, gamma_init, eps, momentum),
                               batch_first, seed, parse_dtype(dtype));
           }),
           py::arg("input_size"), py::arg("hidden_size"), py::arg("norm") = "none",
           py::arg("batch_first") = false, py::arg("init") = "xavier",
           py::arg("recurrent_init") = py::none(), py::arg("forget_bias") = 0.0,
           py::arg("gamma_init") = py::none(), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1,
           py::arg("seed") = 0, py::arg("dtype") = "float32",
           "Raises bnlstm.Error for sizes < 1, an unknown norm or init name, eps <= 0 or momentum "
           "outside [0, 1]; TypeError for a dtype other than float32/float64.")
      .def("forward", &PyLstm::forward, py::arg("x"), py::arg("h0") = py::none(),
           py::arg("c0") = py::none(),
           R"doc(forward(x, h0=None, c0=None) -> (output, (h_n, c_n))

x: (L, N, input_size) ((N, L, input_size) with batch_first). h0, c0: initial states
(1, N, hidden_size) or (N, hidden_size); None = zeros. Returns new arrays: output
(L, N, hidden_size) (or (N, L, hidden_size)) = the hidden state of every step, and the final
states h_n, c_n (1, N, hidden_size), as torch.nn.LSTM. In training mode, norm="batch" normalizes
each step with that step's batch statistics (N >= 2) and updates its running statistics; in eval
mode it uses the running statistics (steps beyond the longest training sequence reuse the last
step's).)doc")
      .def("__call__", &PyLstm::forward, py::arg("x"), py::arg("h0") = py::none(),
           py::arg("c0") = py::none(), "Same as forward(x, h0, c0).")
      .def("backward", &PyLstm::backward, py::arg("d_output"), py::arg("d_h_n") = py::none(),
           py::arg("d_c_n") = py::none(),
           R"doc(backward(d_output, d_h_n=None, d_c_n=None) -> (dx, (dh0, dc0))

Backpropagation through time for the last forward, in the mode it ran in. d_output: dL/d(output),
output's shape; d_h_n, d_c_n: dL/d(final states), (1, N, hidden_size) or (N, hidden_size), None
= zeros. Returns new arrays: dx = dL/dx (x's shape), and dh0, dc0 = dL/dh0, dL/dc0
(1, N, hidden_size) for the initial states forward was given (None for one it was not).
Every parameter's gradient is accumulated (+=).)doc")
      .def(
          "train",
          [](py::object self, bool mode) {
            self.cast<PyLstm&>().set_training(mode);
            return self;
          },
          py::arg("mode") = true,
          "Training mode when mode is True (batch statistics for norm=\"batch\"), else eval mode. "
          "Returns self.")
      .def(
          "eval",
          [](py::object self) {
            self.cast<PyLstm&>().set_training(false);
            return self;
          },
          "Eval mode (running statistics for norm=\"batch\"). Returns self.")
      .def_property("training", &PyLstm::training, &PyLstm::set_training,
                    "True in training mode (the initial mode).")
      .def("zero_grad", &PyLstm::zero_grad, "Sets every parameter's gradient to zero.")
      .def(
          "named_parameters",
          [](py::object self) { return self.cast<PyLstm&>().named(self, false); },
          "[(name, live view)] of every parameter, torch's names and shapes (a view: writing into "
          "it changes the layer).")
      .def(
          "named_gradients", [](py::object self) { return self.cast<PyLstm&>().named(self, true); },
          "[(name, live view of its gradient)] in named_parameters() order (torch: p.grad).")
      .def(
          "__getattr__",
          [](py::object self, const std::string& name) -> py::object {
            for (auto item : self.cast<PyLstm&>().named(self, false)) {
              auto t = item.cast<py::tuple>();
              if (t[0].cast<std::string>() == name) return t[1];
            }
            throw py::attribute_error("'LSTM' object has no attribute '" + name + "'");
          },
          "Parameters by torch name, e.g. lstm.weight_ih_l0 (a live view).")
      .def("state_dict", &PyLstm::state_dict,
           "{name: copy}: the parameters with torch's names and shapes, and for norm=\"batch\" "
           "the per-step running statistics norm_ih/norm_hh/norm_c.running_mean and running_var "
           "(steps, C) and num_batches_tracked (steps,) int64.")
      .def("load_state_dict", &PyLstm::load_state_dict, py::arg("state_dict"),
           py::arg("strict") = true,
           R"doc(load_state_dict(state_dict, strict=True)

Copies a dict of numpy arrays with the names and shapes of state_dict() into the layer; for
norm="none" that is torch.nn.LSTM's own state_dict ({k: v.numpy() for k, v in
torch_lstm.state_dict().items()}). bnlstm.Error names the first missing tensor or wrong shape
and leaves the layer unchanged; unknown keys raise bnlstm.Error unless strict=False.)doc")
      .def_property_readonly(
          "input_size", [](const PyLstm& l) { return l.options().input_size; }, "I.")
      .def_property_readonly(
          "hidden_size", [](const PyLstm& l) { return l.options().hidden_size; }, "H.")
      .def_property_readonly(
          "norm", [](const PyLstm& l) { return to_string(l.options().norm); },
          "\"none\", \"batch\" or \"layer\".")
      .def_property_readonly("batch_first", &PyLstm::batch_first,
                             "True: x and output are (N, L, ...).")
      .def_property_readonly(
          "dtype", [](const PyLstm& l) { return numpy_dtype(l.dtype()); },
          "numpy.dtype of every array in and out.")
      .def("__repr__", &PyLstm::repr);
}

}  // namespace bnlstm::python
