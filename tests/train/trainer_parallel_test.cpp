// Data-parallel forecaster and classifier training (Trainer, ClassifierTrainer with Workers)
// against one process, with threads as workers (testing/thread_team.hpp); tests/dist/ runs the
// same checks under mpirun. In double: every epoch's (validation point's) losses, the kept
// epoch, every final parameter and running statistic and the test loss within 1e-12 (normwise
// relative).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <cstdio>

#include "testing/data_parallel_training.hpp"
#include "testing/thread_team.hpp"

namespace bnlstm {
namespace {

using testing::Agreement;
using testing::ForecastTrainingCase;

void run_case(int workers, const ForecastTrainingCase& c, const char* what) {
  testing::ThreadTeam team(workers);
  team.run([&](int rank, Workers& w) {
    Agreement agree(1e-12);
    testing::check_forecast_training(agree, w, c);
    if (rank == 0) std::printf("  %s, %d workers: %s\n", what, workers, agree.summary().c_str());
  });
}

TEST(TrainerDataParallel, BatchNormAdamEqualsOneProcess) {
  run_case(2, {}, "batch, adam, clip value");
  run_case(3, {}, "batch, adam, clip value");  // the last batch's shares are 1+1+0
}

TEST(TrainerDataParallel, BatchNormMomentumClipNormEqualsOneProcess) {
  ForecastTrainingCase c;
  c.optimizer = OptimizerKind::sgd;
  c.momentum = 0.9;
  c.clip_mode = ClipMode::norm;
  run_case(3, c, "batch, sgd momentum, clip norm");
}

TEST(TrainerDataParallel, OtherNormsEqualOneProcess) {
  for (LstmNorm norm : {LstmNorm::none, LstmNorm::layer}) {
    ForecastTrainingCase c;
    c.norm = norm;
    run_case(3, c, to_string(norm).c_str());
  }
}

}  // namespace
}  // namespace bnlstm

namespace bnlstm {
namespace {

void run_classifier_case(int workers, const testing::ClassifierTrainingCase& c, const char* what) {
  testing::ThreadTeam team(workers);
  team.run([&](int rank, Workers& w) {
    testing::Agreement agree(1e-12);
    testing::check_classifier_training(agree, w, c);
    if (rank == 0)
      std::printf("  classifier %s, %d workers: %s\n", what, workers, agree.summary().c_str());
  });
}

TEST(ClassifierDataParallel, EpochsEqualOneProcess) {
  run_classifier_case(2, {}, "batch");
  run_classifier_case(3, {}, "batch");  // shares 7+7+6
  testing::ClassifierTrainingCase c;
  c.norm = LstmNorm::layer;
  run_classifier_case(3, c, "layer");
  // batches of 2 on 3 workers: one share empty at every step
  c = testing::ClassifierTrainingCase::batches_of_two();
  run_classifier_case(3, c, "batch, batches of 2");
  c.norm = LstmNorm::none;
  run_classifier_case(3, c, "none, batches of 2");
}

}  // namespace
}  // namespace bnlstm
