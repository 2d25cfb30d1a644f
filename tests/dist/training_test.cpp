// Whole data-parallel training runs under mpirun against one process, in double: a few epochs of
// the forecaster's Trainer (each rank its share of every batch, synchronized batch statistics,
// gradients summed over the ranks), checked epoch by epoch and at the end (every parameter and
// running statistic, the kept epoch, the test loss) within 1e-12. The checks are in
// testing/data_parallel_training.hpp; tests/train/trainer_parallel_test.cpp runs them on threads.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <cstdio>

#include "bnlstm/dist/workers.hpp"
#include "testing/data_parallel_training.hpp"

namespace bnlstm {
namespace {

using testing::Agreement;
using testing::ForecastTrainingCase;

void run_case(const ForecastTrainingCase& c, const char* what) {
  dist::MpiWorkers workers(dist::Communicator::world());
  Agreement agree(1e-12);
  testing::check_forecast_training(agree, workers, c);
  if (workers.root())
    std::printf("  forecaster training, %s, %d ranks: %s\n", what, workers.size(),
                agree.summary().c_str());
}

TEST(DistTraining, ForecasterEpochsEqualOneProcess) {
  run_case({}, "batch, adam, clip value");
  ForecastTrainingCase c;
  c.optimizer = OptimizerKind::sgd;
  c.momentum = 0.9;
  c.clip_mode = ClipMode::norm;
  run_case(c, "batch, sgd momentum, clip norm");
  c = {};
  c.norm = LstmNorm::layer;
  run_case(c, "layer, adam, clip value");
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

void run_classifier_case(const testing::ClassifierTrainingCase& c, const char* what) {
  dist::MpiWorkers workers(dist::Communicator::world());
  testing::Agreement agree(1e-12);
  testing::check_classifier_training(agree, workers, c);
  if (workers.root())
    std::printf("  classifier training, %s, %d ranks: %s\n", what, workers.size(),
                agree.summary().c_str());
}

TEST(DistTraining, ClassifierEpochsEqualOneProcess) {
  run_classifier_case({}, "batch, batches of 20");
  testing::ClassifierTrainingCase c;
  c.norm = LstmNorm::layer;
  run_classifier_case(c, "layer, batches of 20");
  run_classifier_case(testing::ClassifierTrainingCase::batches_of_two(), "batch, batches of 2");
}

}  // namespace
}  // namespace bnlstm
