// A torch.export program (.pt2) as the reader decodes it from
// models/<name>.json: the serialized ExportedProgram of
// torch/_export/serde/schema.py, typed and validated, with the parts the
// graph front end needs (nodes with named arguments, recorded tensor
// metadata, symbolic dims and their ranges, the graph signature). Tensors
// themselves live in Model::tensors under their state_dict names.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"

namespace ptscope {

struct Tensor;

// One symbolic or concrete integer (schema SymInt / SymIntArgument).
struct ExportSymInt {
  std::optional<int64_t> value;  // as_int
  std::string name;              // as_name: a sym-int value produced by a node
  std::string expr;              // as_expr: sympy text ("s75", "Symbol('s75', ...)", "Add(...)")
  std::optional<int64_t> hint;   // the value seen while exporting
};

// schema.Argument, for the kinds an aten graph uses.
struct ExportArg {
  enum class Kind : uint8_t {
    none, tensor, tensors, optional_tensors, int_, ints, float_, floats, bool_, bools, string, strings,
    sym_int, sym_ints, scalar_type, memory_format, layout, device, other,
  };
  Kind kind = Kind::none;
  std::vector<std::string> names;   // tensor / tensors / optional_tensors ("" for a None entry)
  std::vector<int64_t> ints;        // int_, ints, bool_, bools, scalar_type, memory_format, layout
  std::vector<double> floats;       // float_, floats
  std::vector<std::string> strings; // string, strings, device ("cpu"), other (the union field name)
  std::vector<ExportSymInt> syms;   // sym_int, sym_ints
};

struct ExportTensorMeta {
  DType dtype = DType::float32;
  std::vector<ExportSymInt> sizes;
  bool requires_grad = false;
  std::string device = "cpu";
};

struct ExportNode {
  std::string name;    // fx node name ("conv2d_1")
  std::string target;  // "torch.ops.aten.conv2d.default"
  std::vector<std::pair<std::string, ExportArg>> inputs;  // by schema argument name
  std::vector<ExportArg> outputs;
  std::string stack_trace;     // metadata["stack_trace"]
  std::string nn_module_stack; // metadata["nn_module_stack"]
};

struct ExportInputSpec {
  enum class Kind : uint8_t { user_input, parameter, buffer, tensor_constant, custom_obj, token, constant_input };
  Kind kind = Kind::user_input;
  ExportArg arg;        // user inputs: any argument; the others: the tensor (or object) placeholder
  std::string target;   // state_dict / constant name for parameters, buffers, constants, objects
  bool persistent = true;
};
const char* export_input_kind_name(ExportInputSpec::Kind kind);

struct ExportOutputSpec {
  std::string kind;     // "user_output", "buffer_mutation", "loss_output", ...
  ExportArg arg;
  std::string target;   // buffer or parameter name for mutations
};

struct ExportedProgram {
  std::string model_name;            // models/<name>.json
  int64_t archive_version = 0;       // archive_version record (0 for every torch so far; -1: the torch 2.1-2.5 zip)
  int64_t schema_major = 0, schema_minor = 0;
  std::string torch_version;         // writer's torch ("<=2.4" when not recorded)
  std::map<std::string, int64_t> opset_version;
  std::vector<std::string> verifiers;
  struct Range {
    std::optional<int64_t> min, max;
  };
  std::map<std::string, Range> range_constraints;  // symbol → declared range

  std::vector<ExportArg> graph_inputs, graph_outputs;
  std::vector<ExportNode> nodes;
  std::map<std::string, ExportTensorMeta> tensor_values;
  std::map<std::string, ExportSymInt> sym_int_values;
  std::vector<ExportInputSpec> input_specs;
  std::vector<ExportOutputSpec> output_specs;

  // The sample input recorded by torch.export.save (data/sample_inputs), user
  // tensor inputs in order; empty when absent or not plain tensors.
  std::vector<std::shared_ptr<Tensor>> sample_inputs;

  // AOTInductor package: compiled artifacts (name, bytes). Never loaded or run.
  bool aot_inductor = false;
  std::vector<std::pair<std::string, uint64_t>> aot_artifacts;
};

// Symbol name of a plain symbolic dim ("s75" from "s75" or
// "Symbol('s75', positive=True, integer=True)"); empty for compound expressions.
std::string export_plain_symbol(const std::string& expr);
// Value of a symbolic expression under `symbols`: plain symbols, integers,
// sympy's Add/Mul/FloorDiv/Mod/Max/Min (srepr form) and infix + - * //.
// nullopt when a symbol is unbound or the form is not one of those.
std::optional<int64_t> export_eval_expr(const std::string& expr, const std::map<std::string, int64_t>& symbols);

}  // namespace ptscope
