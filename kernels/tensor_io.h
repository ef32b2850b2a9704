// Executor inputs and outputs: seeded random inputs for a graph, raw
// little-endian and .npy files in and out.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "kernels/cpu/cpu_tensor.h"

namespace ptscope::kernels {

// For each graph input (graph.inputs order), the exclusive upper bound of the
// ids it may hold when it feeds an embedding table (through views), else 0.
std::vector<int64_t> embedding_bounds(const graph::Graph& g);

// Random data for one input from a fixed seed: floats normal(0, 1); integer
// ids uniform in [0, id_bound) when id_bound > 0, else ones (masks, counts);
// bools true. 16-bit floats are produced as float32 (the executor's dtype).
TensorBuffer random_input(const std::vector<int64_t>& shape, DType dtype, uint64_t seed, int64_t id_bound = 0);
// Every graph input, input k seeded with seed + k.
std::vector<TensorBuffer> random_inputs(const graph::Graph& g, uint64_t seed);

// Reads the graph's inputs from files: one file per input (raw little-endian
// bytes in the input's dtype, or .npy), or a single raw file holding every
// input back to back in graph.inputs order. Sizes and .npy shapes/dtypes are
// checked; Error(usage) names the mismatch.
std::vector<TensorBuffer> read_inputs(const graph::Graph& g, const std::vector<std::string>& files);
// One .npy array (C order, little-endian; float16/32/64, int8..64, uint8, bool).
TensorBuffer read_npy(const std::string& path);
void write_npy(const std::string& path, const CpuTensor& t);
// Writes tensors back to back as raw little-endian bytes (a .npy when the
// name ends in .npy and there is exactly one tensor).
void write_outputs(const std::string& path, const std::vector<TensorBuffer>& outputs);

}  // namespace ptscope::kernels
