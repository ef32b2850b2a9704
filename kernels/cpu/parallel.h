// The kernels' thread pool: one process-wide set of workers sized by
// set_num_threads (--threads N). parallel_for splits an index range into at
// most num_threads() contiguous chunks; the calling thread runs one of them.
// Calls made from inside a chunk run inline, so kernels that nest (conv →
// GEMM) never oversubscribe the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace ptscope::kernels {

// n <= 0 means one thread per hardware thread. Cheap when n does not change.
void set_num_threads(int n);
int num_threads();

// True inside a parallel_for chunk (nested calls run serially).
bool in_parallel_region();

// Runs fn(begin, end) over [0, n) in chunks of at least `grain` indices
// (grain >= 1). The first exception thrown by a chunk is rethrown here.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& fn);

// Threads worth using for `work` units of cost when one thread should get at
// least `min_work_per_thread` of them: 1 for small jobs (waking workers costs
// microseconds), up to num_threads().
int threads_for(double work, double min_work_per_thread);

// Tests: makes threads_for use every thread for any nonzero work, so small
// inputs take the multi-threaded code paths too.
void force_parallel_for_testing(bool on);

}  // namespace ptscope::kernels
