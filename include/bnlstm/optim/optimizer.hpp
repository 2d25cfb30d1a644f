#pragma once
// The optimizer interface: updates a ParameterList in place from the gradients stored in it.
//
// One training step is
//   optimizer.zero_grad();            // grads = 0
//   ... forward, loss, backward ...   // layers accumulate grads (+=)
//   clip_grad_norm(params, 1.0);      // optional (clip.hpp)
//   optimizer.step();                 // values updated, grads left as they are
//
// Per-parameter state (momentum buffers, Adam moments) is allocated once in the constructor,
// so step() never allocates. The parameters must outlive the optimizer and keep their shapes.
// State can be saved to / restored from a TensorFile (for resuming training from a checkpoint).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/io/safetensors.hpp"
#include "bnlstm/nn/parameter.hpp"

namespace bnlstm {

template <typename T>
class Optimizer {
 public:
  Optimizer(ParameterList<T> params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter from its current gradient.
  virtual void step() = 0;
  // Sets every parameter's gradient to zero.
  void zero_grad();

  // The learning rate, changeable between steps (schedules, plateau decay).
  double lr() const { return lr_; }
  void set_lr(double lr);
  // Number of step() calls so far (restored by load_state).
  int64_t steps() const { return steps_; }
  const ParameterList<T>& parameters() const { return params_; }
  // "sgd", "adam", "adamw", "rmsprop"
  virtual std::string name() const = 0;

  // Writes "<prefix>steps", "<prefix>lr" and the per-parameter state "<prefix><i>.<buffer>"
  // (i = index in the parameter list) to file, and file.metadata["<prefix>type"] = name().
  void save_state(TensorFile& file, const std::string& prefix = "optimizer.") const;
  // Restores what save_state wrote; throws bnlstm::Error naming the file and the tensor when the
  // optimizer type, the number of parameters or a buffer's shape does not match.
  void load_state(const TensorFile& file, const std::string& prefix = "optimizer.");

 protected:
  // One kind of per-parameter state: buffers[i] belongs to parameter i and has its shape.
  struct StateBuffer {
    std::string name;  // e.g. "exp_avg"
    std::vector<Matrix<T>>* buffers;
  };
  // The optimizer's state buffers, for save/load.
  virtual std::vector<StateBuffer> state_buffers() = 0;
  // throws when lr is negative or not finite
  static void check_lr(double lr, const std::string& who);

  ParameterList<T> params_;
  double lr_;
  int64_t steps_ = 0;
};

// Optimizers chosen by name at run time (the trainer's --optimizer flag).
enum class OptimizerKind { sgd, adam, adamw, rmsprop };

// "sgd", "adam", "adamw", "rmsprop"; throws bnlstm::Error listing the valid names otherwise.
OptimizerKind parse_optimizer(std::string_view name);
std::string to_string(OptimizerKind kind);

// Hyperparameters for make_optimizer; fields that a kind does not use are ignored.
// weight_decay < 0 means the kind's torch default (0 for sgd and adam, 0.01 for adamw).
struct OptimizerConfig {
  double lr = 1e-3;
  double momentum = 0;                            // sgd, rmsprop
  bool nesterov = false;                          // sgd
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam, adamw (eps also rmsprop)
  double alpha = 0.99;                            // rmsprop
  bool centered = false;                          // rmsprop
  double weight_decay = -1;
};

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(OptimizerKind kind, ParameterList<T> params,
                                             const OptimizerConfig& config);

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace bnlstm
