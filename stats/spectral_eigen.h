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
//
// The interface is plain column-major arrays, not Eigen types: Eigen's
// objects are not ABI-compatible between the library (built with -march
// flags) and code built without them.
#pragma once
#include <cstdint>
#include <vector>

namespace ptscope::stats {

// Lower triangle of the Gram matrix G = A·Aᵀ of the column-major rows × cols
// matrix at a, or of Aᵀ·A when `transposed`, into g (dim × dim column-major,
// dim = rows, or cols when transposed); g's upper triangle is left
// unspecified. The products are spread over `threads` workers.
void gram_lower(const double* a, int64_t rows, int64_t cols, bool transposed, std::vector<double>& g,
                unsigned threads = 1);

// Reduces the symmetric n × n matrix held in the lower triangle of a
// (column-major) to tridiagonal form Qᵀ·A·Q, overwriting a; d gets the
// diagonal, e the subdiagonal. The trailing updates are spread over
// `threads` workers. Entries should be of moderate magnitude (squares must
// not overflow or underflow): symmetric_eigenvalues scales them first.
void tridiagonalize(double* a, int64_t n, std::vector<double>& d, std::vector<double>& e, unsigned threads = 1);

// Eigenvalues, ascending, of the symmetric tridiagonal matrix with diagonal d
// and subdiagonal e (e.size() == d.size() - 1, or both empty).
std::vector<double> tridiagonal_eigenvalues(std::vector<double> d, std::vector<double> e);

// Eigenvalues, ascending, of the symmetric n × n matrix held in the lower
// triangle of a (column-major; overwritten). Entries must be finite
// (callers check).
std::vector<double> symmetric_eigenvalues(double* a, int64_t n, unsigned threads = 1);

}  // namespace ptscope::stats
