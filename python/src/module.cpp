// The extension module bnlstm._core; the package's __init__.py re-exports it as `bnlstm`.
#include <omp.h>
#include <pybind11/pybind11.h>

#include <Eigen/Core>

#include "bindings.hpp"
#include "bnlstm/core/error.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "bnlstm's C++ core (use the package bnlstm, which re-exports it)";
  m.attr("__version__") = BNLSTM_VERSION;

  // Every bnlstm::Error (the library's one-line messages, and the binding's own checks of values
  // and shapes) arrives in Python as bnlstm.Error, a ValueError.
  auto error = py::register_exception<bnlstm::Error>(m, "Error", PyExc_ValueError);
  error.attr("__module__") = "bnlstm";
  error.attr("__doc__") =
      "A value bnlstm rejects: a shape, a number, a file or a setting; the message is one line "
      "naming what was wrong and what was expected. Subclass of ValueError.";

  m.def(
      "set_num_threads",
      [](int n) {
        if (n < 1)
          throw bnlstm::Error("set_num_threads: expected n >= 1, got " + std::to_string(n));
        Eigen::setNbThreads(n);
        omp_set_num_threads(n);
      },
      py::arg("n"),
      "Threads used by the matrix products and normalization kernels of later calls (as "
      "torch.set_num_threads). The default is the number of cores, or OMP_NUM_THREADS. Results "
      "are reproducible bit for bit for the same thread count.");
  m.def(
      "get_num_threads", [] { return Eigen::nbThreads(); },
      "Threads used by the matrix products and kernels (as torch.get_num_threads).");

  bnlstm::python::bind_batch_norm(m);
  bnlstm::python::bind_layer_norm(m);
  bnlstm::python::bind_lstm(m);
  bnlstm::python::bind_data(m);
  bnlstm::python::bind_forecaster(m);
}
