// The unary ops of the CUDA map kernel that take no scalar parameters, one
// line each: X(MapOp name, aten op, device expression of the float `x`).
// The MapOp enum (device_types.h), the kernel's switch (elementwise.cu) and
// the host registration with its in-place twin (cuda_elementwise.cpp) are
// generated from this list, so such an op is one line here (docs/add-an-op.md).
// Like device_types.h, nothing here includes a header: nvcc reads it too.
#pragma once

#define PTSCOPE_CUDA_UNARY_OPS(X) \
  X(log_sigmoid, "aten::log_sigmoid", fminf(x, 0.f) - log1pf(expf(-fabsf(x))))
