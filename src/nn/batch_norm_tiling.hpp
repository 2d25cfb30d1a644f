#pragma once
// How the batch-norm kernels (src/nn/batch_norm_kernels.cpp) cut an L = 1 tensor (N, C) into
// channel tiles and row chunks, run their two-phase pattern (reduce, then the element-wise pass)
// over them with OpenMP, and merge partial statistics in a fixed order. Tiles and chunks depend
// on N and C only, so the results do not depend on the thread count. Internal header.
#include <omp.h>

#include <algorithm>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm::batch_norm_tiling {
// (unnamed: one translation unit includes this, and its helpers keep internal linkage, as
// they had in it; with external linkage GCC inlined differently: +5 % at (32, 1024))
namespace {

constexpr Index kMaxTile = 1024;       // channels per tile: bounds the stack scratch
constexpr Index kBlockRows = 32;       // rows per L1-resident block of the L = 1 reductions
constexpr Index kTileBytes = 1 << 20;  // budget for a tile's slices: half of a 2 MB L2
constexpr Index kMaxChunks = 16;       // row chunks of the L = 1 kernels
constexpr Index kPartials = 4096;      // chunks x tile width: bounds their stack scratch
constexpr Index kMinChunkRows = 128;   // rows per chunk, at least
constexpr Index kChunkedRows = 1024;   // from this many rows on, chunks (else channel tiles)
constexpr Index kParallelValues = Index(1) << 14;  // fewer values: one thread (fork costs more)

// Channels per tile for L = 1, when a pass touches `tensors` (N, C) tensors: the tile's slices
// fit kTileBytes, in whole cache lines; whole rows (up to kMaxTile) when even one line per row
// would not fit, since then nothing can stay in L2 anyway and long runs stream best. (Tiles
// sized for L1 do not help: rows of a power-of-two width map to the same few L1 sets.)
template <typename T>
Index tile_width(Index N, Index C, Index tensors) {
  const Index line = 64 / Index(sizeof(T));
  const Index fit = kTileBytes / (std::max<Index>(N, 1) * tensors * Index(sizeof(T)));
  const Index tw = fit < line ? kMaxTile : std::min(kMaxTile, fit / line * line);
  return std::min(tw, C);
}

// Channel groups of the L = 1 reductions: f(c0, Lane{}) for c0 = 0, kLanes, ... < tw, where
// Lane is an Eigen array type of the group's width: fixed kLanes for full groups (one or two
// SIMD registers that stay in registers across the rows), at most kLanes for the last one.
constexpr Index kLanes = 64;
template <typename T>
using FullLane = Eigen::Array<T, kLanes, 1>;
template <typename T>
using PartLane = Eigen::Array<T, Eigen::Dynamic, 1, 0, kLanes, 1>;
template <typename T>
using PartRow = Eigen::Array<T, 1, Eigen::Dynamic>;  // a row segment (Map only)
// Per-channel coefficient arrays (Map only)
template <typename T>
using VecMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstVecMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

template <typename T, typename F>
inline void for_lanes(Index tw, F f) {
  Index c0 = 0;
  for (; c0 + kLanes <= tw; c0 += kLanes) f(c0, kLanes, FullLane<T>());
  if (c0 < tw) f(c0, tw - c0, PartLane<T>());
}

// How an L = 1 kernel splits (N, C): `chunks` row chunks of `rows` rows (the last one shorter)
// times channel tiles of `step` channels. One chunk (fewer than kChunkedRows rows): the tiles
// are shared out among `team` threads. Several chunks: every tile is one parallel phase over its
// chunks. Rows, chunks and tiles depend on N and C only; `team`
// changes who computes a piece, not how, so results do not depend on the thread count.
struct RowPlan {
  Index rows, chunks, step;
  int team;
};

template <typename T>
RowPlan row_plan(Index N, Index C, Index tensors) {
  const int team =
      N * C < kParallelValues || omp_in_parallel() ? 1 : std::max(1, omp_get_max_threads());
  if (N < kChunkedRows) {
    // at least a tile per thread; a channel's arithmetic does not depend on its tile
    const Index share = (C + team - 1) / team;
    const Index step =
        std::min(tile_width<T>(N, C, tensors), (share + kLanes - 1) / kLanes * kLanes);
    return {N, 1, step, team};
  }
  // Row chunks, whole-row tiles (narrower ones were slower here even at 1 KB runs: strided
  // rows defeat the prefetchers). Each thread reduces its run of chunks, then normalizes them in
  // reverse order (and the element-wise passes go through a chunk's rows from its last), so that
  // the second pass starts on what the first left in L2. Results depend on the chunks only
  // (fixed by N and C).
  const Index step = std::min(kMaxTile, C);
  const Index max_chunks = std::min(kMaxChunks, kPartials / step);
  Index rows = std::max(kMinChunkRows, (N + max_chunks - 1) / max_chunks);
  rows = (rows + kBlockRows - 1) / kBlockRows * kBlockRows;
  return {rows, (N + rows - 1) / rows, step, team};
}

// Runs the L = 1 two-phase pattern of every kernel here over plan p:
//   reduce(part_a, part_b, x_rows_offset, n, c0, tw)  per (chunk, tile): two per-channel double
//                                                     partials over n rows starting at a row
//   merge(a, b, n_before, part_a, part_b, n)          folds a chunk's partials into the totals
//   finish(a, b, c0, tw)                              totals -> per-channel coefficients, in place
//   apply(row0, n, c0, tw, a, b)                      the element-wise pass over those rows
// Chunks are folded in chunk order, so the result does not depend on the threads.
template <typename Reduce, typename Merge, typename Finish, typename Apply>
void run_rows(const RowPlan& p, Index N, Index C, Reduce reduce, Merge merge, Finish finish,
              Apply apply) {
  // One thread never enters a parallel region: libgomp allocates a one-thread team every time.
  const bool parallel = p.team > 1;
  if (p.chunks == 1) {
    const Index tiles = (C + p.step - 1) / p.step;
    auto tile = [&](Index k) {
      const Index c0 = k * p.step, tw = std::min(p.step, C - c0);
      double a[kMaxTile], b[kMaxTile];
      reduce(a, b, Index{0}, N, c0, tw);
      finish(a, b, c0, tw);
      apply(Index{0}, N, c0, tw, static_cast<const double*>(a), static_cast<const double*>(b));
    };
    if (parallel) {
#pragma omp parallel for schedule(static) num_threads(p.team)
      for (Index k = 0; k < tiles; ++k) tile(k);
    } else {
      for (Index k = 0; k < tiles; ++k) tile(k);
    }
    return;
  }
  double pa[kPartials], pb[kPartials], a[kMaxTile], b[kMaxTile];
  auto rows = [&](Index k) { return std::min(p.rows, N - k * p.rows); };
  for (Index c0 = 0; c0 < C; c0 += p.step) {
    const Index tw = std::min(p.step, C - c0);
    // partial statistics per chunk
    auto partial = [&](Index k) { reduce(pa + k * tw, pb + k * tw, k * p.rows, rows(k), c0, tw); };
    // merged in chunk order
    auto merged = [&] {
      std::copy_n(pa, tw, a);
      std::copy_n(pb, tw, b);
      for (Index k = 1; k < p.chunks; ++k)
        merge(a, b, k * p.rows, pa + k * tw, pb + k * tw, rows(k), tw);
      finish(a, b, c0, tw);
    };
    // element-wise pass (with threads: each on the chunks it reduced)
    auto pass = [&](Index k) {
      apply(k * p.rows, rows(k), c0, tw, static_cast<const double*>(a),
            static_cast<const double*>(b));
    };
    if (parallel) {
#pragma omp parallel num_threads(p.team)
      {
        // this thread's run of chunks
        const Index id = omp_get_thread_num(), team = omp_get_num_threads();
        const Index k0 = p.chunks * id / team, k1 = p.chunks * (id + 1) / team;
        for (Index k = k0; k < k1; ++k) partial(k);
#pragma omp barrier
#pragma omp single
        merged();
        for (Index k = k1 - 1; k >= k0; --k) pass(k);
      }
    } else {
      for (Index k = 0; k < p.chunks; ++k) partial(k);
      merged();
      for (Index k = p.chunks - 1; k >= 0; --k) pass(k);
    }
  }
}

// Chan, Golub & LeVeque: (mean, m2) over na values absorbs (mb, m2b) over nb values.
inline void merge_moments(double* mean, double* m2, Index na, const double* mb, const double* m2b,
                          Index nb, Index tw) {
  const double n = double(na + nb), w = double(nb) / n, cross = double(na) * w;
  for (Index c = 0; c < tw; ++c) {
    const double delta = mb[c] - mean[c];
    mean[c] += delta * w;
    m2[c] += m2b[c] + delta * delta * cross;
  }
}

// Plain sums absorb a chunk's sums.
inline void merge_sums(double* sa, double* sb, Index, const double* pa, const double* pb, Index,
                       Index tw) {
  for (Index c = 0; c < tw; ++c) {
    sa[c] += pa[c];
    sb[c] += pb[c];
  }
}

}  // namespace
}  // namespace bnlstm::batch_norm_tiling
