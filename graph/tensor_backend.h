// The interface between the TorchScript interpreter (graph/interpreter.h)
// and whatever computes its tensors: the shape-only backend here, the data
// backend of the executors (kernels/data_backend.h). Kept apart from the
// interpreter so that callers choosing a backend need not see the
// interpreter's AST.
#pragma once
#include <optional>
#include <vector>

#include "graph/op_registry.h"
#include "graph/values.h"

namespace ptscope::graph {

// What the interpreter needs from tensors. Output metadata comes from the
// op's shape rule; a backend with data also computes the values.
class TensorBackend {
 public:
  virtual ~TensorBackend() = default;
  virtual const char* name() const = 0;
  // Runs a resolved op on schema-ordered arguments; returns its outputs'
  // metadata. Input TensorMeta carry their graph value ids, so a data
  // backend can find its buffers; outputs' value ids are assigned after.
  virtual std::vector<TensorMeta> run(const OpDef& def, const std::vector<ArgValue>& args) = 0;
  // Called once the outputs have value ids (a data backend files its results).
  virtual void bind_outputs(const std::vector<TensorMeta>& /*outputs*/) {}
  // Element values of a tensor when the backend has them (nullopt: shape only).
  virtual std::optional<std::vector<double>> values(const TensorMeta& /*tensor*/) { return std::nullopt; }
};

// Metadata only: shapes and dtypes from the registry's rules.
class ShapeBackend final : public TensorBackend {
 public:
  const char* name() const override { return "shape"; }
  std::vector<TensorMeta> run(const OpDef& def, const std::vector<ArgValue>& args) override;
};

}  // namespace ptscope::graph
