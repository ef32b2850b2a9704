// libFuzzer target: the .pt2 JSON. The input is a serialized ExportedProgram
// (models/model.json); it is wrapped with a small real weights config and
// weight record into a stored .pt2 archive and read by the whole reader, and
// when it reads, built into a graph (shape rules only). A second run uses the
// input as the weights config instead. Errors are expected; crashes, hangs and
// unbounded allocations are bugs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../tests/torch_file_builder.h"
#include "core/error.h"
#include "core/model.h"
#include "graph/export_graph.h"

namespace {

const char* kWeightsConfig =
    R"({"config": {"w": {"path_name": "weight_0", "is_param": true, "use_pickle": false, "tensor_meta": {"dtype": 7,)"
    R"( "sizes": [{"as_int": 2}, {"as_int": 2}], "requires_grad": true, "device": {"type": "cpu", "index": null},)"
    R"( "strides": [{"as_int": 2}, {"as_int": 1}], "storage_offset": {"as_int": 0}, "layout": 7}}}})";

const char* kProgram =
    R"({"graph_module": {"graph": {"inputs": [{"as_tensor": {"name": "p_w"}}, {"as_tensor": {"name": "x"}}],)"
    R"( "outputs": [{"as_tensor": {"name": "mm"}}], "nodes": [{"target": "torch.ops.aten.mm.default", "inputs":)"
    R"( [{"name": "self", "arg": {"as_tensor": {"name": "x"}}, "kind": 1}, {"name": "mat2", "arg": {"as_tensor":)"
    R"( {"name": "p_w"}}, "kind": 1}], "outputs": [{"as_tensor": {"name": "mm"}}], "metadata": {}, "name": "mm"}],)"
    R"( "tensor_values": {"x": {"dtype": 7, "sizes": [{"as_expr": {"expr_str": "s0", "hint": {"as_int": 3}}},)"
    R"( {"as_int": 2}], "requires_grad": false, "device": {"type": "cpu"}, "strides": [{"as_int": 2}, {"as_int": 1}],)"
    R"( "storage_offset": {"as_int": 0}, "layout": 7}}, "sym_int_values": {}, "sym_bool_values": {}},)"
    R"( "signature": {"input_specs": [{"parameter": {"arg": {"name": "p_w"}, "parameter_name": "w"}},)"
    R"( {"user_input": {"arg": {"as_tensor": {"name": "x"}}}}], "output_specs": [{"user_output": {"arg":)"
    R"( {"as_tensor": {"name": "mm"}}}}]}, "module_call_graph": []}, "opset_version": {"aten": 10},)"
    R"( "range_constraints": {"s0": {"min_val": 2, "max_val": 8}}, "schema_version": {"major": 8, "minor": 20}})";

void read(const std::string& program, const std::string& weights) {
  using namespace ptscope;
  const std::string weight(16, '\0');
  auto bytes = test::build_stored_zip({{"m/archive_format", "pt2"},
                                       {"m/archive_version", "0"},
                                       {"m/models/model.json", program},
                                       {"m/data/weights/model_weights_config.json", weights},
                                       {"m/data/weights/weight_0", weight}});
  try {
    auto model = load_model(MappedFile::from_bytes(std::move(bytes), "fuzz.pt2"));
    graph::GraphOptions options;
    options.seq = 4;  // exercise the symbolic-dim binding on inputs with a dynamic dim 1
    try {
      (void)graph::build_exported_graph(*model, options);
    } catch (const Error&) {
    }
    (void)graph::build_exported_graph(*model, {});
  } catch (const Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  read(input, kWeightsConfig);
  read(kProgram, input);
  return 0;
}
