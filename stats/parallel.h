// A minimal parallel-for: the statistics work is split into independent
// items (tensor blocks, matrices) and spread over a few worker threads.
#pragma once
#include <cstddef>
#include <functional>

namespace ptscope::stats {

// Worker count for `requested` (0 means one per hardware thread); never 0.
unsigned resolve_threads(unsigned requested);

// Calls fn(item, worker) for every item in [0, n) on up to `threads` workers.
// Items are handed out in increasing order (dynamic scheduling), so put the
// expensive ones first. The first exception thrown by fn is rethrown here
// after all workers have stopped.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t item, unsigned worker)>& fn);

}  // namespace ptscope::stats
