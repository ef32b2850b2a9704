// All eigenvalues of real symmetric matrices in double, fast enough for the
// heavy-tail analysis (one 768×768 Gram matrix per layer of a ViT-B, thousands
// of small ones for a CNN). Eigen's SelfAdjointEigenSolver reduces to
// tridiagonal form one column at a time (two memory-bound passes over the
// trailing matrix per column) and runs an implicit QR with square roots; here:
//
//   1. the Gram matrix's lower triangle only, in column blocks through Eigen's
//      matrix product kernels (half the products of a full A·Aᵀ);
//   2. a blocked Householder tridiagonalisation, LAPACK dsytrd's scheme: a
//      panel of columns is reduced with dlatrd-style corrections, then the
//      trailing matrix gets one symmetric rank-2k update through Eigen's
//      matrix product kernels (half the work at level 3 instead of level 2);
//   3. the tridiagonal's eigenvalues by the root-free (Pal–Walker–Kahan) QL
//      iteration of LAPACK dsterf: squared off-diagonals, no square root in
//      the inner loop.
//
// Accuracy is that of a backward-stable symmetric eigensolver: every
// eigenvalue within a small multiple of ε·‖A‖ of the exact one.
#pragma once
#include <Eigen/Core>

namespace ptscope::stats {

// Lower triangle of the Gram matrix G = A·Aᵀ of a column-major A (dim × k),
// or of Aᵀ·A when `transposed` (A is then k × dim); the upper triangle of g
// is left unspecified. Column blocks are spread over `threads` workers.
void gram_lower(const Eigen::Ref<const Eigen::MatrixXd>& a, bool transposed, Eigen::MatrixXd& g, unsigned threads = 1);

// Reduces the symmetric matrix held in a's lower triangle to tridiagonal
// form Qᵀ·A·Q (a is overwritten); d gets the diagonal, e the subdiagonal.
// The trailing updates are spread over `threads` workers.
void tridiagonalize(Eigen::MatrixXd& a, Eigen::VectorXd& d, Eigen::VectorXd& e, unsigned threads = 1);

// Eigenvalues, ascending, of the symmetric tridiagonal matrix with diagonal d
// and subdiagonal e (e.size() == d.size() - 1, or both empty).
Eigen::VectorXd tridiagonal_eigenvalues(Eigen::VectorXd d, Eigen::VectorXd e);

// Eigenvalues, ascending, of the symmetric matrix held in a's lower
// triangle (a is overwritten).
Eigen::VectorXd symmetric_eigenvalues(Eigen::MatrixXd& a, unsigned threads = 1);

}  // namespace ptscope::stats
