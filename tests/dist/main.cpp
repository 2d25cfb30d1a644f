// Entry point of the multi-rank tests (run by ctest as `mpirun -np K bnlstm_dist_tests`): MPI is
// initialized by Communicator::world(); rank 0 prints gtest's usual output, the other ranks only
// their failures, and every rank exits non-zero when any rank had a failure.
#include <gtest/gtest.h>

#include <cstdio>

#include "bnlstm/dist/communicator.hpp"

namespace {

// Prints failed assertions with the rank, nothing else.
class FailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed()) return;
    std::printf("[rank %d] %s:%d: Failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?",
                r.line_number(), r.summary());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  auto& comm = bnlstm::dist::Communicator::world();
  if (!comm.root()) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailurePrinter(comm.rank()));
  }
  const int rc = RUN_ALL_TESTS();
  const bool passed_everywhere = comm.all(rc == 0);
  if (comm.root() && !passed_everywhere && rc == 0)
    std::printf("rank 0 passed, another rank failed (see [rank k] lines)\n");
  return passed_everywhere ? 0 : 1;
}
