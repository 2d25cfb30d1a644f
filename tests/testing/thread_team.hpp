#pragma once
// Workers of a data-parallel step as threads of one process: ThreadTeam(K).run(f) calls
// f(rank, reducer) on K threads, where reducer combines batch statistics across the team the
// way src/dist/ does across MPI ranks (moments gathered and merged in rank order, sums added
// in rank order). Lets the statistics hook be tested without MPI.
#include <barrier>
#include <thread>
#include <vector>

#include "bnlstm/nn/stats_reducer.hpp"

namespace bnlstm::testing {

class ThreadTeam {
 public:
  explicit ThreadTeam(int size) : size_(size), barrier_(size), slots_(size) {}

  template <typename F>
  void run(F f) {
    std::vector<Member> members;
    for (int r = 0; r < size_; ++r) members.emplace_back(*this, r);
    std::vector<std::jthread> threads;
    for (int r = 0; r < size_; ++r)
      threads.emplace_back([&, r] { f(r, static_cast<BatchStatsReducer&>(members[r])); });
  }

 private:
  class Member final : public BatchStatsReducer {
   public:
    Member(ThreadTeam& team, int rank) : team_(&team), rank_(rank) {}
    void combine_moments(double& count, double* mean, double* m2, Index n) override {
      auto& mine = team_->slots_[rank_];
      mine.assign(mean, mean + n);
      mine.insert(mine.end(), m2, m2 + n);
      mine.push_back(count);
      team_->barrier_.arrive_and_wait();
      const auto& first = team_->slots_[0];
      count = first[2 * n];
      std::copy_n(first.data(), n, mean);
      std::copy_n(first.data() + n, n, m2);
      for (int r = 1; r < team_->size_; ++r) {
        const auto& s = team_->slots_[r];
        merge_batch_moments(count, mean, m2, s[2 * n], s.data(), s.data() + n, n);
      }
      team_->barrier_.arrive_and_wait();  // nobody refills a slot before everyone has read it
    }
    void sum(double* values, Index n) override {
      team_->slots_[rank_].assign(values, values + n);
      team_->barrier_.arrive_and_wait();
      std::copy_n(team_->slots_[0].data(), n, values);
      for (int r = 1; r < team_->size_; ++r)
        for (Index i = 0; i < n; ++i) values[i] += team_->slots_[r][i];
      team_->barrier_.arrive_and_wait();
    }

   private:
    ThreadTeam* team_;
    int rank_;
  };

  int size_;
  std::barrier<> barrier_;
  std::vector<std::vector<double>> slots_;
};

}  // namespace bnlstm::testing
