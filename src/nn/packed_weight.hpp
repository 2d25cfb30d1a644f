#pragma once
// Products with a weight matrix packed once for Eigen's matrix-product kernel. The LSTM multiplies
// by the same W_hh at every time step, forward and backward, with a small left operand (N = 32
// rows), and an Eigen product repacks W_hh every time: a fifth of an L = 32 training step. These
// use the pieces Eigen's own products are made of (gemm_pack_lhs, gemm_pack_rhs and gebp_kernel,
// Eigen/src/Core/products/GeneralBlockPanelKernel.h), so the arithmetic is Eigen's.
//
// A row-major out (M, n) = a (M, depth) * op(W) is computed as its transpose,
// out^T = op(W)^T a^T: op(W)^T is packed once as the kernel's left-hand side, in panels of
// `width` of its rows (= output columns; the unit the threads share), and a^T per product as
// the right-hand side.
#include <Eigen/Core>
#include <algorithm>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm::detail {

// A view of a packed weight: `data` holds outputs * depth values, panel after panel.
template <typename T>
struct PackedWeight {
  using Traits = Eigen::internal::gebp_traits<T, T>;
  using RowMajorMapper = Eigen::internal::const_blas_data_mapper<T, Index, Eigen::RowMajor>;
  using ColMajorMapper = Eigen::internal::const_blas_data_mapper<T, Index, Eigen::ColMajor>;
  using ResMapper =
      Eigen::internal::blas_data_mapper<T, Index, Eigen::ColMajor, Eigen::Unaligned, 1>;

  const T* data = nullptr;
  Index outputs = 0, depth = 0, width = 16;

  // Packs w (G, K) row-major into storage (resized only when the shape changes) and returns the
  // view. transposed: for out (M, G) = a (M, K) * w^T; else for out (M, K) = a (M, G) * w.
  // panel_width: output columns per panel, a multiple of 16.
  static PackedWeight pack(Vector<T>& storage, const Matrix<T>& w, bool transposed,
                           Index panel_width) {
    PackedWeight v;
    v.outputs = transposed ? w.rows() : w.cols();
    v.depth = transposed ? w.cols() : w.rows();
    v.width = panel_width;
    if (storage.size() != v.outputs * v.depth) storage.resize(v.outputs * v.depth);
    for (Index c0 = 0; c0 < v.outputs; c0 += v.width) {
      const Index cw = std::min(v.width, v.outputs - c0);
      T* block = storage.data() + c0 * v.depth;
      if (transposed) {
        // op(W)^T = W: rows c0.. of w
        Eigen::internal::gemm_pack_lhs<T, Index, RowMajorMapper, Traits::mr, Traits::LhsProgress,
                                       typename Traits::LhsPacket4Packing, Eigen::RowMajor>()(
            block, RowMajorMapper(w.data() + c0 * v.depth, v.depth), v.depth, cw);
      } else {
        // op(W)^T = W^T: w's columns c0.. are the rows of a column-major (K, G) matrix
        Eigen::internal::gemm_pack_lhs<T, Index, ColMajorMapper, Traits::mr, Traits::LhsProgress,
                                       typename Traits::LhsPacket4Packing, Eigen::ColMajor>()(
            block, ColMajorMapper(w.data() + c0, v.outputs), v.depth, cw);
      }
    }
    v.data = storage.data();
    return v;
  }

  Index panels() const { return (outputs + width - 1) / width; }
  static constexpr Index nr() { return Traits::nr; }

  // Packs samples [m0, m0 + mn) of a (M, depth) with row stride lda as the right-hand side,
  // into rhs (depth * M values for all M samples). m0 a multiple of nr(): pieces packed
  // separately (by different threads) then form one block.
  void pack_rhs(T* rhs, const T* a, Index lda, Index m0, Index mn) const {
    Eigen::internal::gemm_pack_rhs<T, Index, ColMajorMapper, Traits::nr, Eigen::ColMajor>()(
        rhs + m0 * depth, ColMajorMapper(a + m0 * lda, lda), depth, mn);
  }

  // Panel p of the product: out[:, c0 : c0 + cw] += a * op(W)[:, c0 : c0 + cw], c0 = p * width,
  // out (M, outputs) with row stride ldo, a packed by pack_rhs.
  void multiply_add(T* out, Index ldo, const T* rhs, Index M, Index p) const {
    const Index c0 = p * width, cw = std::min(width, outputs - c0);
    Eigen::internal::gebp_kernel<T, T, Index, ResMapper, Traits::mr, Traits::nr, false, false>()(
        ResMapper(out + c0, ldo), data + c0 * depth, rhs, cw, depth, M, T(1));
  }
};

}  // namespace bnlstm::detail
