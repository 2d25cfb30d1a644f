// bnlstm.BatchNorm1d: torch.nn.BatchNorm1d's interface over bnlstm::BatchNorm1d<float|double>.
#include "bnlstm/nn/batch_norm.hpp"

#include <pybind11/stl.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <tuple>
#include <variant>

#include "arrays.hpp"
#include "bindings.hpp"
#include "bnlstm/core/error.hpp"
#include "bnlstm/io/safetensors.hpp"
#include "state.hpp"

namespace bnlstm::python {

namespace {

class PyBatchNorm1d {
 private:
  // The buffer `out` is filled from, reused from call to call (one per dtype; the layer uses one).
  template <typename T>
  Matrix<T>& scratch_out() {
    return std::get<Matrix<T>>(scratch_out_);
  }

 public:
  PyBatchNorm1d(Index num_features, double eps, std::optional<double> momentum, bool affine,
                bool track_running_stats, const py::object& dtype)
      : layer_(make(num_features,
                    {.eps = eps,
                     .momentum = momentum,
                     .affine = affine,
                     .track_running_stats = track_running_stats},
                    parse_dtype(dtype))) {}

  template <typename F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), layer_);
  }
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), layer_);
  }

  // x: (N, C) or (N, C, L). Returns y of x's shape: a new array, or `out` filled.
  //
  // Non-finite values: with batch statistics a NaN or inf anywhere in channel c makes c's mean
  // non-finite and with it every y[:, c, :], so the first row of y tells whether x (or a
  // parameter) held one; only then is x searched for it, and the running statistics this forward
  // changed are put back. With running statistics (eval) y is element-wise in x, which is
  // searched first. This keeps a full extra pass over x out of the training loop.
  py::object forward(const py::handle& x_obj, const py::handle& out_obj) {
    return visit([&](auto& bn) -> py::object {
      using T = typename std::decay_t<decltype(bn.weight().value)>::Scalar;
      const std::string what = "BatchNorm1d.forward: x";
      const InArray<T> x = input_array<T>(x_obj, what, {2, 3}, /*finite=*/false);
      const Index N = x.dim(0), C = bn.num_features();
      const Index L = x.shape.size() == 3 ? x.dim(2) : 1;
      if (x.dim(1) != C)
        throw Error("BatchNorm1d(" + std::to_string(C) + ").forward: x has shape " +
                    shape_str(x.shape) + ", expected (N, " + std::to_string(C) + ") or (N, " +
                    std::to_string(C) + ", L)");
      T* out = out_obj.is_none() ? nullptr
                                 : output_array<T>(out_obj, "BatchNorm1d.forward: out", x.shape);
      Matrix<T> y;
      {
        py::gil_scoped_release nogil;
        Busy busy(guard_, "BatchNorm1d.forward");
        const bool batch_stats = bn.training() || !bn.options().track_running_stats;
        if (!batch_stats) check_finite(x.data, x.size(), what, x.shape);
        // the running statistics before this forward, to put back if it fails
        const bool updates = bn.training() && bn.options().track_running_stats;
        RowVector<T> mean, var;
        const int64_t tracked = bn.num_batches_tracked();
        if (updates) mean = bn.running_mean(), var = bn.running_var();
        // x is read in place (a Map bound to the layer's Eigen::Ref): the layer's own copy for
        // backward is the only copy of x
        Matrix<T>& result = out ? scratch_out<T>() : y;
        last_shape_.clear();  // no valid forward for backward until this one succeeds
        bn.forward(x.matrix(N, C * L), result, L);
        if (batch_stats && !all_finite(result.data(), std::min<Index>(result.rows(), 1) * C * L)) {
          if (updates) restore_running(bn, mean, var, tracked);
          check_finite(x.data, x.size(), what, x.shape);
          throw Error(
              "BatchNorm1d.forward: the output is not finite although x is: the batch statistics "
              "overflowed, or weight or bias holds a non-finite value");
        }
        if (out) std::memcpy(out, result.data(), sizeof(T) * static_cast<size_t>(result.size()));
        last_shape_ = x.shape;
        last_batch_stats_ = batch_stats;
      }
      if (out) return py::reinterpret_borrow<py::object>(out_obj);
      return adopt_matrix(std::move(y), x.shape);
    });
  }

  // dy: the last forward's shape. Returns dx: a new array, or `out` filled. Non-finite values
  // as in forward: after a batch-statistics forward a NaN or inf in channel c of dy reaches
  // every dx[:, c, :] through the channel's sums, so the first row of dx is checked (and the
  // parameter gradients put back if it fails); after an eval forward dy is searched first.
  py::object backward(const py::handle& dy_obj, const py::handle& out_obj) {
    return visit([&](auto& bn) -> py::object {
      using T = typename std::decay_t<decltype(bn.weight().value)>::Scalar;
      const std::string what = "BatchNorm1d.backward: dy";
      const InArray<T> dy = input_array<T>(dy_obj, what, {2, 3}, /*finite=*/false);
      if (last_shape_.empty())
        throw Error("BatchNorm1d.backward: no forward pass to differentiate");
      if (dy.shape != last_shape_)
        throw Error("BatchNorm1d.backward: dy has shape " + shape_str(dy.shape) + ", expected " +
                    shape_str(last_shape_) + " as the last forward's x");
      T* out = out_obj.is_none() ? nullptr
                                 : output_array<T>(out_obj, "BatchNorm1d.backward: out", dy.shape);
      const Index rows = dy.dim(0), cols = dy.size() / std::max<Index>(rows, 1);
      Matrix<T> dx;
      {
        py::gil_scoped_release nogil;
        Busy busy(guard_, "BatchNorm1d.backward");
        if (!last_batch_stats_) check_finite(dy.data, dy.size(), what, dy.shape);
        const bool affine = bn.options().affine;
        Matrix<T> dweight, dbias;  // the gradients before, to put back if this fails
        if (affine && last_batch_stats_) dweight = bn.weight().grad, dbias = bn.bias().grad;
        Matrix<T>& result = out ? scratch_out<T>() : dx;
        bn.backward(dy.matrix(rows, cols), result);  // dy read in place
        if (last_batch_stats_ && !all_finite(result.data(), std::min<Index>(rows, 1) * cols)) {
          if (affine) bn.weight().grad = dweight, bn.bias().grad = dbias;
          check_finite(dy.data, dy.size(), what, dy.shape);
          throw Error(
              "BatchNorm1d.backward: dx is not finite although dy is: the sums over the batch "
              "overflowed, or weight holds a non-finite value");
        }
        if (out) std::memcpy(out, result.data(), sizeof(T) * static_cast<size_t>(result.size()));
      }
      if (out) return py::reinterpret_borrow<py::object>(out_obj);
      return adopt_matrix(std::move(dx), dy.shape);
    });
  }

  void set_training(bool on) {
    Busy busy(guard_, "BatchNorm1d.train");
    visit([&](auto& bn) { bn.train(on); });
  }
  bool training() const {
    return visit([](const auto& bn) { return bn.training(); });
  }
  void zero_grad() {
    Busy busy(guard_, "BatchNorm1d.zero_grad");
    visit([](auto& bn) { bn.zero_grad(); });
  }

  // Live views (owner: the Python object) of weight, bias or their gradients; None without affine.
  py::object parameter(py::handle self, bool bias, bool grad) {
    return visit([&](auto& bn) -> py::object {
      if (!bn.options().affine) return py::none();
      auto& p = bias ? bn.bias() : bn.weight();
      return live_view(grad ? p.grad.data() : p.value.data(), Shape{p.value.size()}, self);
    });
  }
  py::object running(bool var) {
    Busy busy(guard_, "BatchNorm1d.running_mean");
    return visit([&](auto& bn) -> py::object {
      if (!bn.options().track_running_stats) return py::none();
      const auto& r = var ? bn.running_var() : bn.running_mean();
      return copy_array(r.data(), Shape{r.size()});
    });
  }
  int64_t num_batches_tracked() const {
    return visit([](const auto& bn) { return bn.num_batches_tracked(); });
  }
  const BatchNormOptions& options() const {
    return visit([](const auto& bn) -> const BatchNormOptions& { return bn.options(); });
  }
  Index num_features() const {
    return visit([](const auto& bn) { return bn.num_features(); });
  }
  DType dtype() const { return layer_.index() == 0 ? DType::f32 : DType::f64; }

  // torch's state_dict keys, in torch's order.
  std::vector<std::string> state_names() const {
    std::vector<std::string> names;
    if (options().affine) names = {"weight", "bias"};
    if (options().track_running_stats)
      names.insert(names.end(), {"running_mean", "running_var", "num_batches_tracked"});
    return names;
  }
  py::dict state_dict() {
    Busy busy(guard_, "BatchNorm1d.state_dict");
    TensorFile file;
    visit([&](const auto& bn) { bn.save_state(file, ""); });
    return dict_from_tensors(file, state_names());
  }
  void load_state_dict(const py::handle& state, bool strict) {
    const TensorFile file =
        tensors_from_dict(state, "BatchNorm1d.load_state_dict", state_names(), strict);
    Busy busy(guard_, "BatchNorm1d.load_state_dict");
    visit([&](auto& bn) { bn.load_state(file, ""); });
  }

  std::string repr() const {
    const BatchNormOptions& o = options();
    return "BatchNorm1d(" + std::to_string(num_features()) +
           ", eps=" + py::repr(py::float_(o.eps)).cast<std::string>() + ", momentum=" +
           (o.momentum ? py::repr(py::float_(*o.momentum)).cast<std::string>() : "None") +
           ", affine=" + (o.affine ? "True" : "False") +
           ", track_running_stats=" + (o.track_running_stats ? "True" : "False") +
           ", dtype=" + dtype_name(dtype()) + ")";
  }

 private:
  using Variant = std::variant<BatchNorm1d<float>, BatchNorm1d<double>>;
  static Variant make(Index C, const BatchNormOptions& o, DType dtype) {
    if (dtype == DType::f32) return Variant(std::in_place_index<0>, C, o);
    return Variant(std::in_place_index<1>, C, o);
  }
  // Puts back running statistics a failed forward changed (through load_state, the public way).
  template <typename T>
  static void restore_running(BatchNorm1d<T>& bn, const RowVector<T>& mean, const RowVector<T>& var,
                              int64_t tracked) {
    TensorFile file;
    bn.save_state(file, "");
    const std::vector<int64_t> shape{mean.size()};
    file.put<T>("running_mean", mean.data(), shape);
    file.put<T>("running_var", var.data(), shape);
    file.put<int64_t>("num_batches_tracked", &tracked, {});
    bn.load_state(file, "");
  }

  Variant layer_;
  Guard guard_;
  Shape last_shape_;              // x's shape in the last forward; empty before the first
  bool last_batch_stats_ = true;  // the last forward normalized with batch statistics
  std::tuple<Matrix<float>, Matrix<double>> scratch_out_;
};

const char* kClassDoc =
    R"doc(BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, dtype="float32")

Batch normalization over (N, C) or (N, C, L) numpy arrays, with the semantics, defaults and
state_dict names of torch.nn.BatchNorm1d (Keras: BatchNormalization(axis=1)):

    training:  y = (x - mean_B) / sqrt(var_B + eps) * weight + bias    (batch statistics per channel
               over N*L values, var_B biased); running = (1 - momentum) * running + momentum * batch,
               with the unbiased batch variance in running_var
    eval:      y = (x - running_mean) / sqrt(running_var + eps) * weight + bias

momentum=None keeps a cumulative average (factor 1/num_batches_tracked), as torch does.
track_running_stats=False normalizes with batch statistics in both modes. The layer starts in
training mode. dtype: "float32" or "float64"; every array passed in must have that dtype
(no conversion), be C-contiguous and hold finite values.

Unlike torch there is no autograd: forward() keeps what backward() needs, and backward(dy)
returns dx and accumulates (+=) the gradients of weight and bias (zero them with zero_grad()).

Arrays returned by forward, backward, running_mean, running_var and state_dict are new arrays
(copies) that nothing changes later. weight, bias, weight_grad and bias_grad are live views of
the layer's own parameters: writing into them (bn.weight[:] = ...) changes the layer, and they
show later updates. They stay valid as long as they are referenced (they keep the layer alive).

    bn = bnlstm.BatchNorm1d(64)
    y = bn(x)                 # x: (N, 64) float32; same as bn.forward(x)
    dx = bn.backward(dy)      # dy: y's shape
    bn.eval()                 # running statistics from now on
)doc";

}  // namespace

void bind_batch_norm(py::module_& m) {
  py::class_<PyBatchNorm1d>(m, "BatchNorm1d", kClassDoc)
      .def(py::init<Index, double, std::optional<double>, bool, bool, py::object>(),
           py::arg("num_features"), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1,
           py::arg("affine") = true, py::arg("track_running_stats") = true,
           py::arg("dtype") = "float32",
           "Raises bnlstm.Error for num_features < 1, eps <= 0 or momentum outside [0, 1], "
           "TypeError for a dtype other than float32/float64.")
      .def("forward", &PyBatchNorm1d::forward, py::arg("x"), py::arg("out") = py::none(),
           R"doc(forward(x, out=None) -> y

x: (N, C) or (N, C, L) array of the layer's dtype, C = num_features. Training mode (or
track_running_stats=False): normalizes with the batch statistics over the N*L values of each
channel and, when tracking, updates the running statistics; raises bnlstm.Error when N*L == 1.
Eval mode: normalizes with the running statistics.
Returns y, x's shape: a new array, or `out` (a writable C-contiguous array of x's shape and
dtype) filled with it. The GIL is released while the layer computes.)doc")
      .def("__call__", &PyBatchNorm1d::forward, py::arg("x"), py::arg("out") = py::none(),
           "Same as forward(x, out=None), as calling a torch module.")
      .def("backward", &PyBatchNorm1d::backward, py::arg("dy"), py::arg("out") = py::none(),
           R"doc(backward(dy, out=None) -> dx

Backward of the last forward, in the mode it ran in (through the batch statistics after a
training-mode forward; with the running statistics as constants after an eval-mode one).
dy: dL/dy, the shape of the last forward's x. Returns dL/dx (a new array, or `out` filled) and
adds dL/dweight and dL/dbias to weight_grad and bias_grad (+=, as torch's .grad).)doc")
      .def(
          "train",
          [](py::object self, bool mode) {
            self.cast<PyBatchNorm1d&>().set_training(mode);
            return self;
          },
          py::arg("mode") = true,
          "Training mode (batch statistics) when mode is True, else eval mode. Returns self.")
      .def(
          "eval",
          [](py::object self) {
            self.cast<PyBatchNorm1d&>().set_training(false);
            return self;
          },
          "Eval mode (running statistics), as train(False). Returns self.")
      .def_property("training", &PyBatchNorm1d::training, &PyBatchNorm1d::set_training,
                    "True in training mode (the initial mode).")
      .def("zero_grad", &PyBatchNorm1d::zero_grad, "Sets weight_grad and bias_grad to zero.")
      .def_property_readonly(
          "weight",
          [](py::object self) { return self.cast<PyBatchNorm1d&>().parameter(self, false, false); },
          "(C,) live view of gamma (starts at 1); None when affine=False. torch: weight.")
      .def_property_readonly(
          "bias",
          [](py::object self) { return self.cast<PyBatchNorm1d&>().parameter(self, true, false); },
          "(C,) live view of beta (starts at 0); None when affine=False. torch: bias.")
      .def_property_readonly(
          "weight_grad",
          [](py::object self) { return self.cast<PyBatchNorm1d&>().parameter(self, false, true); },
          "(C,) live view of dL/dweight, accumulated by backward(); None when affine=False. "
          "torch: weight.grad.")
      .def_property_readonly(
          "bias_grad",
          [](py::object self) { return self.cast<PyBatchNorm1d&>().parameter(self, true, true); },
          "(C,) live view of dL/dbias, accumulated by backward(); None when affine=False. "
          "torch: bias.grad.")
      .def_property_readonly(
          "running_mean", [](PyBatchNorm1d& bn) { return bn.running(false); },
          "(C,) copy of the running mean (starts at 0); None when track_running_stats=False. "
          "Set it with load_state_dict.")
      .def_property_readonly(
          "running_var", [](PyBatchNorm1d& bn) { return bn.running(true); },
          "(C,) copy of the running unbiased variance (starts at 1); None when "
          "track_running_stats=False. Set it with load_state_dict.")
      .def_property_readonly("num_batches_tracked", &PyBatchNorm1d::num_batches_tracked,
                             "Training-mode forward passes that updated the running statistics.")
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
          "[(name, live view)] of weight and bias (empty when affine=False), as torch's "
          "named_parameters().")
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
          "[(name, live view of its gradient)] in named_parameters() order (torch: p.grad).")
      .def("state_dict", &PyBatchNorm1d::state_dict,
           "{name: copy} with torch's names and shapes: weight, bias (affine), running_mean, "
           "running_var, num_batches_tracked (a 0-d int64 array) (track_running_stats).")
      .def("load_state_dict", &PyBatchNorm1d::load_state_dict, py::arg("state_dict"),
           py::arg("strict") = true,
           R"doc(load_state_dict(state_dict, strict=True)

Copies the values of a dict of numpy arrays with torch's names into the layer, e.g.
{k: v.numpy() for k, v in torch_bn.state_dict().items()} (float32 or float64 arrays,
num_batches_tracked int64). Every tensor of state_dict() must be present with torch's shape and
finite values: bnlstm.Error names the first that is not, and the layer is then unchanged. Keys
it does not know raise bnlstm.Error unless strict=False.)doc")
      .def_property_readonly("num_features", &PyBatchNorm1d::num_features, "C.")
      .def_property_readonly(
          "eps", [](const PyBatchNorm1d& bn) { return bn.options().eps; },
          "Added to the variance before the square root.")
      .def_property_readonly(
          "momentum", [](const PyBatchNorm1d& bn) { return bn.options().momentum; },
          "Running-statistics factor; None = cumulative average.")
      .def_property_readonly(
          "affine", [](const PyBatchNorm1d& bn) { return bn.options().affine; },
          "Whether the layer has weight and bias.")
      .def_property_readonly(
          "track_running_stats",
          [](const PyBatchNorm1d& bn) { return bn.options().track_running_stats; },
          "Whether the layer keeps running statistics.")
      .def_property_readonly(
          "dtype", [](const PyBatchNorm1d& bn) { return numpy_dtype(bn.dtype()); },
          "numpy.dtype of every array in and out.")
      .def("__repr__", &PyBatchNorm1d::repr);
}

}  // namespace bnlstm::python
