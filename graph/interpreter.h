// A TorchScript interpreter over the module objects the reader recovers.
// It runs a method (normally `forward`) on concrete scalars, lists, strings
// and module attributes, and on tensors through a TensorBackend: the
// shape-only backend computes output metadata from the op registry, so
// control flow on sizes, dims, attributes and constants resolves exactly,
// while anything that needs tensor data stops with an error naming the line.
// Every aten call that produces tensors becomes a Node of the Graph with its
// module scope and source line. Executors reuse the interpreter with a
// backend that also computes data.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/model.h"
#include "graph/graph.h"
#include "graph/interpreter_limits.h"
#include "graph/interpreter_value.h"
#include "graph/module_call.h"
#include "graph/tensor_backend.h"
#include "parser/torchscript/ast.h"

namespace ptscope::graph {

using Kwargs = std::vector<std::pair<std::string, Val>>;

// Raised with a location prefix already applied ("code/x.py:12: ...").
class LocatedError : public Error {
 public:
  using Error::Error;
};

// Input inference hooks: a placeholder tensor reaching an op or a size query.
class PlaceholderObserver {
 public:
  virtual ~PlaceholderObserver() = default;
  // An op is about to consume placeholders (args as called). Return a value to
  // use as the op's result (a derived placeholder), or throw to stop the run.
  virtual Val consumed(const std::string& op, const Vals& args, const Kwargs& kwargs) = 0;
};

// Parsed code files and classes of one model, shared by the interpreters that
// run it (input inference runs the model several times).
struct SourceCache {
  std::map<std::string, std::unique_ptr<ts::Module>, std::less<>> files;  // by source key; null: absent
  std::unordered_map<std::string, std::unique_ptr<ClassInfo>> classes;    // by qualname; null: absent
};

class Interpreter {
 public:
  Interpreter(const Model& model, Graph& graph, TensorBackend& backend, InterpreterLimits limits = {},
              std::shared_ptr<SourceCache> cache = nullptr);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  const Model& model() const { return model_; }
  Graph& graph() { return graph_; }
  TensorBackend& backend() { return backend_; }
  void set_observer(PlaceholderObserver* o) { observer_ = o; }
  const std::vector<ModuleCall>& module_calls() const { return calls_; }
  // The last tensor op that failed to resolve or to compute its shape (for input search).
  struct FailedOp {
    std::string op;
    std::vector<ArgValue> args;
    std::string message;
  };
  const std::optional<FailedOp>& last_failure() const { return last_failure_; }

  // The root module object (throws when the file has no TorchScript module).
  Val root();
  // The method's definition on an object's class, or nullptr.
  const ts::FunctionDef* find_method(const Val& obj, std::string_view name);
  // Runs obj.name(*args, **kwargs).
  Val call_method(const Val& obj, std::string_view name, Vals args, Kwargs kwargs = {});

  // New tensors.
  Val new_input(const std::string& name, TensorMeta meta);
  Val new_constant(TensorMeta meta, std::optional<std::vector<double>> known, std::string name = "");
  Val new_placeholder(int index);

  // ---- services for builtins (graph/builtins*.cpp)
  [[noreturn]] void fail(const std::string& message, ErrorCode code = ErrorCode::unsupported,
                         ErrorCondition condition = ErrorCondition::none) const;
  // "data-dependent control flow at FILE:LINE: WHAT; run with an executor"
  [[noreturn]] void data_dependent(const std::string& what) const;
  std::string where() const;  // "code/__torch__/m.py:12"
  std::string scope() const;  // "layer1.0.conv1 (Conv2d)", "" at the root
  // Calls an op by qualified name ("aten::add"): builtins first, then the registry.
  Val call_op(const std::string& op, Vals args, Kwargs kwargs = {});
  // Calls a tensor op through the registry and records the node.
  Val call_tensor_op(const std::string& op, const Vals& args, const Kwargs& kwargs);
  // Records a node for an op whose outputs are already known (ops that other
  // ops are translated into, e.g. quantized convs computed through aten::conv2d).
  Val record(const OpDef& def, const std::vector<ArgValue>& bound, std::vector<TensorMeta> outs, const Vals& args,
             std::optional<OpCost> cost = std::nullopt);
  // Backward FLOPs of a node about to be recorded (its rule, the inputs that need a gradient).
  BackwardFlops backward_flops(const OpDef& def, const std::vector<ArgValue>& bound,
                               const std::vector<TensorMeta>& outs) const;
  // Calls any callable value.
  Val call_value(const Val& fn, Vals args, Kwargs kwargs);
  Val get_attr(const Val& obj, const std::string& name);
  void set_attr(const Val& obj, const std::string& name, Val value);
  bool has_attr(const Val& obj, const std::string& name);
  bool truthy(const Val& v, const char* context = "bool()");
  // Elements of a tensor when known (constants, sizes turned into tensors, data backends).
  std::optional<std::vector<double>> tensor_values(const Val& t);
  void set_known(const Val& t, std::vector<double> values);
  bool requires_grad(const Val& t) const;
  int64_t module_len(const Val& obj);  // len() of a module container
  // An object's pickled state (TorchBind op contexts), tensors named after the object's path.
  Val pickled_state(const Val& obj);
  const ClassInfo* find_class(const std::string& qualname);
  int64_t format_version() const { return format_version_; }

  // Conversion to registry arguments; nullopt when the value has no ArgValue form.
  std::optional<ArgValue> to_arg(const Val& v);

 private:
  struct Frame {
    std::unordered_map<std::string_view, Val> vars;  // keys point into the AST
    std::shared_ptr<std::unordered_map<std::string_view, Val>> closure;
    const ObjBox* scope = nullptr;  // the module whose method runs (graph scope)
    Val ret;
  };
  enum class Flow : uint8_t { normal, break_, continue_, return_ };

  // code/ files and classes
  const ts::Module* code_file(const std::string& qualifier);
  const ts::FunctionDef* find_function(const std::string& qualname, const std::string** file);
  Val resolve_qualified(const std::string& path);  // class, function, enum member or namespace

  // objects from the pickle
  Val from_py(const PyRef& v, const std::string& owner_path, const std::string& attr, int depth = 0);
  Val object_val(const PyRef& obj);
  Val tensor_val(const std::shared_ptr<Tensor>& t, const std::string& name, bool constant);
  Val legacy_module(const ModuleNode* node);
  void apply_setstate(ObjBox& o, const Val& self);
  Val class_constant(const ClassInfo& cls, const std::string& name, bool* found);

  // execution
  Val invoke(const ts::FunctionDef& def, const Val& self, Vals args, Kwargs kwargs, const ObjBox* module_scope,
             std::shared_ptr<std::unordered_map<std::string_view, Val>> closure = {});
  Flow exec_block(const ts::Block& block);
  Flow exec(const ts::Stmt& s);
  Flow exec_for(const ts::For& f);
  void assign(const ts::Expr& target, Val value);
  void annotate_value(const ts::Expr& type, const Val& v);
  Val eval(const ts::Expr& e);
  Val eval_call(const ts::Expr& e, const ts::Call& c);
  void eval_args(const ts::Call& c, Vals& args, Kwargs& kwargs);
  // Appends each expression's value to `out`; a `*x` element appends x's items.
  void eval_spread(const ts::ExprList& elts, Vals& out);
  Val special_form(const ts::Expr& e, const std::string& name, const ts::Call& c);
  bool matches_type(const Val& v, const ts::Expr& type);
  Val eval_attribute(const ts::Attribute& a);
  Val eval_subscript(const ts::Subscript& s);
  Val call_ns(const std::string& path, Vals args, Kwargs kwargs);
  Val new_object(const ClassInfo* cls);
  Val binary(ts::BinOpKind op, const Val& a, const Val& b);
  Val compare(ts::CmpOpKind op, const Val& a, const Val& b);
  Val lookup(const std::string& name);
  void step();
  [[noreturn]] void raise_at(const ts::Loc& loc, const std::string& message, ErrorCode code) const;
  const std::shared_ptr<Tensor>* tensor_names_by_path(const std::string& path, const std::string& name);

  // tensor op plumbing
  std::optional<ArgValue> to_arg_impl(const Val& v, int depth);
  void apply_upgraders(const std::string& op, std::vector<ArgValue>& pos, std::vector<std::pair<std::string, ArgValue>>& kw);
  std::optional<std::vector<double>> fold(const OpDef& def, const std::vector<ArgValue>& bound, const TensorMeta& out);

  const Model& model_;
  Graph& graph_;
  TensorBackend& backend_;
  InterpreterLimits limits_;
  PlaceholderObserver* observer_ = nullptr;
  int64_t format_version_ = 0;

  std::shared_ptr<SourceCache> cache_;
  std::unordered_map<const PyValue*, Val> objects_;
  std::unordered_map<const Tensor*, Val> tensors_;
  std::unordered_map<const Tensor*, std::string> tensor_names_;
  std::unordered_map<const PyValue*, const ModuleNode*> module_nodes_;
  std::unordered_map<const ModuleNode*, Val> legacy_objects_;
  std::unordered_map<int, std::vector<double>> known_;  // value id → elements
  std::unordered_set<int> requires_grad_;                // value ids (autograd would track them)
  std::unordered_map<std::string, Val> resolved_;       // qualified names already looked up
  std::vector<Val> constants_;
  bool constants_ready_ = false;
  Val root_;

  std::vector<ModuleCall> calls_;
  std::optional<FailedOp> last_failure_;
  std::vector<Frame*> frames_;
  ts::Loc loc_;
  uint64_t steps_ = 0;
};

// Builtins (non-tensor aten/prim ops): returns nullopt when `op` with these
// arguments is not a builtin (then the registry handles it as a tensor op).
std::optional<Val> call_builtin(Interpreter& in, const std::string& op, Vals& args, Kwargs& kwargs);

// "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d" → "Conv2d"
std::string short_class_name(std::string_view qualname);

}  // namespace ptscope::graph
