// Builtin groups that call_builtin() consults after its own table.
#pragma once
#include <optional>
#include <string>

#include "graph/interpreter.h"

namespace ptscope::graph {

// Quantized ops (quantize_per_tensor, dequantize, quantized::conv2d/linear/add ...
// with packed params): nullopt when `op` is not one of them.
std::optional<Val> call_quantized_builtin(Interpreter& in, const std::string& op, Vals& args, Kwargs& kwargs);

}  // namespace ptscope::graph
