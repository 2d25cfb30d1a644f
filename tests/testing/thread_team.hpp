#pragma once
// Workers of a data-parallel step as threads of one process: ThreadTeam(K).run(f) calls
// f(rank, member) on K threads, where member is both the trainers' Workers and a
// BatchStatsReducer that combines batch statistics across the team the way src/dist/ does
// across MPI ranks (moments gathered and merged in rank order, sums added in rank order). Lets
// the statistics hook and the data-parallel trainers be tested without MPI.
#include <barrier>
#include <thread>
#include <vector>

#include "bnlstm/nn/stats_reducer.hpp"
#include "bnlstm/train/workers.hpp"

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
      threads.emplace_back([&, r] { f(r, members[static_cast<size_t>(r)]); });
  }

  class Member final : public Workers, public BatchStatsReducer {
   public:
    Member(ThreadTeam& team, int rank) : team_(&team), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return team_->size_; }
    BatchStatsReducer& batch_stats() override { return *this; }
    void sum(float* values, Index n) override { add_up(values, n); }
    void broadcast(double* values, Index n, int from) override { copy_from(values, n, from); }
    void broadcast(float* values, Index n, int from) override { copy_from(values, n, from); }
    double communication_seconds() const override { return 0; }
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
    void sum(double* values, Index n) override { add_up(values, n); }

   private:
    // (through double slots: exact for float values, and their float sums are rounded as
    // MPI's float sums are, once per addition)
    template <typename T>
    void add_up(T* values, Index n) {
      team_->slots_[rank_].assign(values, values + n);
      team_->barrier_.arrive_and_wait();
      for (Index i = 0; i < n; ++i) values[i] = T(team_->slots_[0][i]);
      for (int r = 1; r < team_->size_; ++r)
        for (Index i = 0; i < n; ++i) values[i] += T(team_->slots_[r][i]);
      team_->barrier_.arrive_and_wait();
    }
    template <typename T>
    void copy_from(T* values, Index n, int from) {
      team_->slots_[rank_].assign(values, values + n);
      team_->barrier_.arrive_and_wait();
      for (Index i = 0; i < n; ++i) values[i] = T(team_->slots_[from][i]);
      team_->barrier_.arrive_and_wait();
    }

    ThreadTeam* team_;
    int rank_;
  };

 private:
  int size_;
  std::barrier<> barrier_;
  std::vector<std::vector<double>> slots_;
};

}  // namespace bnlstm::testing
