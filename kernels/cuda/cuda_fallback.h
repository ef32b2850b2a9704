// The CPU kernel of an op run on host copies of its device operands.
#pragma once
#include "kernels/cuda/cuda_context.h"

namespace ptscope::kernels::cuda {

// Synchronises, runs `k` on host copies, and leaves call.outputs on the
// device exactly as a native kernel would (same OutputMode contract).
void run_on_host(CudaContext& ctx, const CpuKernel& k, KernelCall& call);

}  // namespace ptscope::kernels::cuda
