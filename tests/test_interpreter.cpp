// The TorchScript interpreter on small synthetic archives: code in memory,
// a hand-made root object, shape-only tensors. Each case checks one part of
// the language or one builtin as PythonPrint writes it.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/model.h"
#include "graph/input_inference.h"
#include "graph/interpreter.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::graph;

namespace {

PyRef str_ref(const std::string& s) { return make_string(s); }

PyRef tensor_ref(std::vector<int64_t> shape, DType dtype = DType::float32) {
  auto v = std::make_shared<PyValue>();
  v->kind = PyKind::tensor;
  v->tensor = std::make_shared<Tensor>();
  v->tensor->dtype = dtype;
  v->tensor->shape = shape;
  v->tensor->strides = contiguous_strides(shape);
  return v;
}

PyRef object_ref(const std::string& qualname, std::vector<std::pair<std::string, PyRef>> attrs) {
  auto obj = std::make_shared<PyValue>();
  obj->kind = PyKind::object;
  size_t dot = qualname.rfind('.');
  obj->module = qualname.substr(0, dot);
  obj->name = qualname.substr(dot + 1);
  auto state = std::make_shared<PyValue>();
  state->kind = PyKind::dict;
  state->entries.emplace_back(str_ref("training"), [] {
    auto b = std::make_shared<PyValue>();
    b->kind = PyKind::boolean;
    return b;
  }());
  for (auto& [k, v] : attrs) state->entries.emplace_back(str_ref(k), v);
  obj->state = state;
  return obj;
}

// Module tree and tensor table from the object graph, as the reader builds them.
std::unique_ptr<ModuleNode> tree(const PyRef& obj, const std::string& name, const std::string& path, Model& m) {
  auto node = std::make_unique<ModuleNode>();
  node->name = name;
  node->path = path;
  node->class_name = obj->qualname();
  node->object = obj;
  for (const auto& [k, v] : obj->state->entries) {
    const std::string child = path.empty() ? k->s : path + "." + k->s;
    if (v->kind == PyKind::object) node->children.push_back(tree(v, k->s, child, m));
    if (v->kind == PyKind::tensor) {
      node->parameters.push_back(k->s);
      m.tensors.push_back({child, TensorRole::parameter, v->tensor});
    }
  }
  return node;
}

std::unique_ptr<Model> make_model(const std::string& source, PyRef root = nullptr, int64_t version = 3,
                                  std::map<std::string, std::string> extra_sources = {}) {
  auto m = std::make_unique<Model>();
  m->path = "synthetic.pt";
  m->kind = FileKind::torchscript;
  m->format_version = version;
  m->sources["code/__torch__.py"] = source;
  for (auto& [k, v] : extra_sources) m->sources[k] = v;
  m->object = root ? root : object_ref("__torch__.M", {});
  m->root = tree(m->object, "", "", *m);
  return m;
}

InputSpec spec(std::vector<int64_t> shape, DType dtype = DType::float32) {
  InputSpec s;
  s.shape = std::move(shape);
  s.dtype = dtype;
  return s;
}

Graph run(const Model& m, std::vector<InputSpec> inputs, InterpreterLimits limits = {}) {
  GraphOptions o;
  o.inputs = std::move(inputs);
  o.limits = limits;
  return build_graph(m, o);
}

std::vector<std::string> ops(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.nodes) out.push_back(n.def->schema.name);
  return out;
}

std::vector<int64_t> out_shape(const Graph& g, size_t k = 0) { return g.values[size_t(g.outputs.at(k))].meta.shape; }

std::string error_of(const Model& m, std::vector<InputSpec> inputs, InterpreterLimits limits = {}) {
  try {
    run(m, std::move(inputs), limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kHeader = "class M(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n";

}  // namespace

TEST_CASE("control flow on dims and sizes resolves concretely", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    if torch.eq(torch.dim(x), 4):\n"
                      "      y = torch.relu(x)\n"
                      "    else:\n"
                      "      y = torch.sigmoid(x)\n"
                      "    n = torch.size(x, 0)\n"
                      "    for i in range(n):\n"
                      "      y = torch.add(y, 1)\n"
                      "    k = 0\n"
                      "    while torch.lt(k, 2):\n"
                      "      y = torch.mul(y, 2.)\n"
                      "      k = torch.add(k, 1)\n"
                      "    return y\n");
  Graph g = run(*m, {spec({3, 4, 5, 6})});
  CHECK(ops(g) == std::vector<std::string>{"aten::relu", "aten::add", "aten::add", "aten::add", "aten::mul", "aten::mul"});
  CHECK(out_shape(g) == std::vector<int64_t>{3, 4, 5, 6});
  Graph g2 = run(*m, {spec({2, 5})});
  CHECK(ops(g2).front() == "aten::sigmoid");
  CHECK(ops(g2).size() == 5);
}

TEST_CASE("lists, tuples, dicts and strings", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tuple[Tensor, Tensor]:\n"
                      "    parts = annotate(List[Tensor], [])\n"
                      "    for i in range(3):\n"
                      "      _0 = torch.append(parts, torch.relu(x))\n"
                      "    y = torch.cat(parts, 1)\n"
                      "    sizes = torch.size(y)\n"
                      "    a, b, = sizes\n"
                      "    d = {\"w\": a, \"h\": b}\n"
                      "    msg = torch.format(\"{} x {}\", d[\"w\"], d[\"h\"])\n"
                      "    if torch.__contains__(d, \"h\"):\n"
                      "      z = torch.view(y, [torch.len(msg), -1])\n"
                      "    else:\n"
                      "      z = y\n"
                      "    first = (sizes)[0]\n"
                      "    last = (sizes)[-1]\n"
                      "    tail = torch.slice(sizes, 1)\n"
                      "    w = torch.zeros([first, last, torch.len(tail)])\n"
                      "    return (z, w)\n");
  Graph g = run(*m, {spec({2, 5})});
  // y is 2x15, msg is "2 x 15" (6 chars): z = view(y, [6, -1]) = 6x5.
  REQUIRE(g.outputs.size() == 2);
  CHECK(out_shape(g, 0) == std::vector<int64_t>{6, 5});
  CHECK(out_shape(g, 1) == std::vector<int64_t>{2, 15, 1});
}

TEST_CASE("submodules are inlined with their scope; parameters are named values", "[interpreter]") {
  auto lin = object_ref("__torch__.Lin", {{"weight", tensor_ref({8, 4})}, {"bias", tensor_ref({8})}});
  auto act = object_ref("__torch__.Act", {});
  auto seq = object_ref("__torch__.Seq", {{"0", lin}, {"1", act}});
  auto root = object_ref("__torch__.M", {{"body", seq}});
  auto m = make_model(std::string(kHeader) + "  body : __torch__.Seq\n"
                          "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                          "    body = self.body\n"
                          "    return (body).forward(x, )\n"
                          "class Seq(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
                          "  __annotations__[\"0\"] = __torch__.Lin\n  __annotations__[\"1\"] = __torch__.Act\n"
                          "  def forward(self: __torch__.Seq,\n    x: Tensor) -> Tensor:\n"
                          "    _0 = getattr(self, \"0\")\n"
                          "    _1 = getattr(self, \"1\")\n"
                          "    y = (_0).forward(x, )\n"
                          "    for i in range(torch.len(self)):\n"
                          "      pass\n"
                          "    return (_1).forward(y, )\n"
                          "  def __len__(self: __torch__.Seq) -> int:\n    return 2\n"
                          "class Lin(Module):\n  __parameters__ = [\"weight\", \"bias\", ]\n  __buffers__ = []\n"
                          "  weight : Tensor\n  bias : Tensor\n  training : bool\n  out_features : Final[int] = 8\n"
                          "  def forward(self: __torch__.Lin,\n    x: Tensor) -> Tensor:\n"
                          "    _0 = __torch__.helper(x, self.weight, self.bias, )\n"
                          "    return torch.view(_0, [-1, self.out_features])\n"
                          "class Act(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
                          "  def forward(self: __torch__.Act,\n    x: Tensor) -> Tensor:\n"
                          "    return torch.relu(x)\n"
                          "def helper(x: Tensor,\n    w: Tensor,\n    b: Tensor) -> Tensor:\n"
                          "  return torch.linear(x, w, b)\n",
                      root);
  std::vector<ModuleCall> calls;
  Graph g = build_graph(*m, GraphOptions{"forward", {spec({2, 4})}, {}, {}, {}, 12}, &calls);
  REQUIRE(g.nodes.size() == 3);
  CHECK(g.nodes[0].op == "aten::linear");
  CHECK(g.nodes[0].scope == "body.0");  // helper() runs in the scope of the module that called it
  CHECK(g.nodes[0].scope_class == "Lin");
  CHECK(g.nodes[0].source == "code/__torch__.py:47");
  CHECK(g.values[size_t(g.nodes[0].inputs[1])].kind == Value::Kind::parameter);
  CHECK(g.values[size_t(g.nodes[0].inputs[1])].name == "body.0.weight");
  CHECK(g.nodes[2].scope == "body.1");
  CHECK(g.nodes[2].op == "aten::relu");
  CHECK(out_shape(g) == std::vector<int64_t>{2, 8});
  // Every forward call is recorded with its output.
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].path == "");
  CHECK(calls[1].path == "body");
  CHECK(calls[2].path == "body.0");
  CHECK(g.values[size_t(calls[2].outputs.at(0))].meta.shape == std::vector<int64_t>{2, 8});
}

TEST_CASE("NamedTuples, enums, class instances, isinstance", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    p = __torch__.Pair(x, torch.relu(x))\n"
                      "    c = __torch__.Color.GREEN\n"
                      "    obj = __torch__.Box.__new__(__torch__.Box)\n"
                      "    _0 = (obj).__init__(p.second, )\n"
                      "    if isinstance(p, __torch__.Pair):\n"
                      "      pass\n"
                      "    else:\n"
                      "      ops.prim.RaiseException(\"not a pair\")\n"
                      "    if torch.eq((c).value, 2):\n"
                      "      y = (obj).scaled(3., )\n"
                      "    else:\n"
                      "      y = x\n"
                      "    if isinstance(y, Tensor):\n"
                      "      pass\n"
                      "    else:\n"
                      "      ops.prim.RaiseException(\"not a tensor\")\n"
                      "    return y\n"
                      "class Pair(NamedTuple):\n  first : Tensor\n  second : Tensor\n"
                      "class Color(Enum):\n  RED = 1\n  GREEN = 2\n"
                      "class Box:\n  t : Tensor\n"
                      "  def __init__(self: __torch__.Box,\n    t: Tensor) -> NoneType:\n"
                      "    self.t = t\n    return None\n"
                      "  def scaled(self: __torch__.Box,\n    s: float) -> Tensor:\n"
                      "    return torch.mul(self.t, s)\n");
  Graph g = run(*m, {spec({4})});
  CHECK(ops(g) == std::vector<std::string>{"aten::relu", "aten::mul"});
}

TEST_CASE("annotate, unchecked_cast, uninitialized, Optional and __is__", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor,\n    mask: Optional[Tensor]=None) -> Tensor:\n"
                      "    _0 = uninitialized(Tensor)\n"
                      "    if torch.__isnot__(mask, None):\n"
                      "      mask0 = unchecked_cast(Tensor, mask)\n"
                      "      y = torch.mul(x, mask0)\n"
                      "    else:\n"
                      "      y = x\n"
                      "    if torch.__is__(y, x):\n"
                      "      z = torch.neg(y)\n"
                      "    else:\n"
                      "      z = _0\n"
                      "    inf_ok = torch.lt(1., inf)\n"
                      "    if torch.__not__(inf_ok):\n"
                      "      ops.prim.RaiseException(\"inf\")\n"
                      "    else:\n"
                      "      pass\n"
                      "    return z\n");
  Graph g = run(*m, {spec({2, 3})});
  CHECK(ops(g) == std::vector<std::string>{"aten::neg"});
  Graph g2 = run(*m, {spec({2, 3}), spec({2, 3})});
  CHECK(ops(g2) == std::vector<std::string>{"aten::mul"});  // z = _0 would be an error if used later
}

TEST_CASE("a raise on the taken branch is an error naming the line", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    if torch.ne(torch.dim(x), 4):\n"
                      "      _0 = torch.format(\"expected 4D input (got {}D input)\", torch.dim(x))\n"
                      "      ops.prim.RaiseException(_0, \"builtins.ValueError\")\n"
                      "    else:\n"
                      "      pass\n"
                      "    return torch.relu(x)\n");
  CHECK(run(*m, {spec({1, 2, 3, 4})}).nodes.size() == 1);
  const std::string e = error_of(*m, {spec({1, 2})});
  CHECK(e.find("code/__torch__.py:9") != std::string::npos);
  CHECK(e.find("ValueError: expected 4D input (got 2D input)") != std::string::npos);
}

TEST_CASE("data-dependent values stop with a clear error", "[interpreter]") {
  auto code = [](const std::string& body) {
    return std::string(kHeader) + "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n" + body;
  };
  auto m1 = make_model(code("    if bool(torch.gt(torch.sum(x), 0)):\n      x = torch.relu(x)\n    else:\n      pass\n    return x\n"));
  CHECK(error_of(*m1, {spec({3})}) ==
        "data-dependent control flow at code/__torch__.py:7: bool() of a tensor; run with an executor");
  auto m2 = make_model(code("    n = annotate(int, torch.item(torch.sum(x)))\n    return torch.zeros([n])\n"));
  CHECK(error_of(*m2, {spec({3})}).find("item() of a tensor") != std::string::npos);
  auto m3 = make_model(code("    l = annotate(List[int], torch.tolist(x))\n    return x\n"));
  CHECK(error_of(*m3, {spec({3})}).find("tolist() of a tensor") != std::string::npos);
  auto m4 = make_model(code("    n = int(torch.sum(x))\n    return x\n"));
  CHECK(error_of(*m4, {spec({3})}).find("data-dependent control flow at code/__torch__.py:7: int() of a tensor") !=
        std::string::npos);
}

TEST_CASE("traced size arithmetic through NumToTensor stays concrete", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    _0 = ops.prim.NumToTensor(torch.size(x, 0))\n"
                      "    _1 = ops.prim.NumToTensor(torch.size(x, 1))\n"
                      "    _2 = torch.mul(_1, CONSTANTS.c0)\n"
                      "    _3 = torch.floor_divide(_2, 2)\n"
                      "    return torch.view(x, [int(_0), int(_3), -1])\n");
  // CONSTANTS.c0: a one-element int64 constant with data (3).
  auto c0 = tensor_ref({}, DType::int64);
  auto storage = std::make_shared<Storage>();
  storage->dtype = DType::int64;
  storage->data = Blob::from_vector({3, 0, 0, 0, 0, 0, 0, 0});  // little-endian int64 3
  storage->declared_bytes = 8;
  c0->tensor->storage = storage;
  m->constants.push_back(c0);
  Graph g = run(*m, {spec({2, 4, 6})});
  // x.size(1) * 3 // 2 = 6, so the view is [2, 6, 4].
  CHECK(out_shape(g) == std::vector<int64_t>{2, 6, 4});
  CHECK(g.values[size_t(g.nodes[0].inputs[1])].kind == Value::Kind::constant);
}

TEST_CASE("operator upgraders for old archives", "[interpreter][upgraders]") {
  const std::string code = std::string(kHeader) +
                           "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                           "    y = torch.div(x, 2)\n"
                           "    f = torch.full([3], 1)\n"
                           "    return torch.add(y, torch.sum(f))\n";
  auto attr = [](const Node& n, const std::string& name) -> std::string {
    for (const auto& [k, v] : n.attrs)
      if (k == name) return arg_to_string(v);
    return "<absent>";
  };
  SECTION("version 3: integer div truncates, full with an int fill makes floats") {
    auto m = make_model(code, nullptr, 3);
    Graph g = run(*m, {spec({4}, DType::int64)});
    CHECK(attr(g.nodes[0], "rounding_mode") == "'trunc'");
    CHECK(g.values[size_t(g.nodes[0].outputs[0])].meta.dtype == DType::int64);
    CHECK(g.values[size_t(g.nodes[1].outputs[0])].meta.dtype == DType::float32);
  }
  SECTION("version 3: floating div stays true division") {
    auto m = make_model(code, nullptr, 3);
    Graph g = run(*m, {spec({4}, DType::float32)});
    CHECK(attr(g.nodes[0], "rounding_mode") != "'trunc'");
  }
  SECTION("version 10: div is true division, full keeps the int") {
    auto m = make_model(code, nullptr, 10);
    Graph g = run(*m, {spec({4}, DType::int64)});
    CHECK(attr(g.nodes[0], "rounding_mode") != "'trunc'");
    CHECK(g.values[size_t(g.nodes[0].outputs[0])].meta.dtype == DType::float32);
    CHECK(g.values[size_t(g.nodes[1].outputs[0])].meta.dtype == DType::int64);
  }
}

TEST_CASE("loops are bounded", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    i = 0\n"
                      "    while True:\n"
                      "      i = torch.add(i, 1)\n"
                      "    return x\n");
  InterpreterLimits limits;
  limits.max_loop_iterations = 1000;
  const std::string e = error_of(*m, {spec({1})}, limits);
  CHECK(e.find("while loop ran more than 1000 iterations") != std::string::npos);
  InterpreterLimits steps;
  steps.max_steps = 500;
  CHECK(error_of(*m, {spec({1})}, steps).find("step limit") != std::string::npos);
}

TEST_CASE("unknown ops and bad calls name the op and the line", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    y = torch.relu(x)\n"
                      "    return torch.frobnicate(y, 3)\n");
  const std::string e = error_of(*m, {spec({2})});
  CHECK(e.find("code/__torch__.py:8") != std::string::npos);
  CHECK(e.find("aten::frobnicate") != std::string::npos);
  CHECK(e.find('\n') == std::string::npos);
  auto mm = make_model(std::string(kHeader) +
                       "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                       "    return torch.matmul(x, x)\n");
  CHECK(error_of(*mm, {spec({2, 3})}).find("code/__torch__.py:7") != std::string::npos);
}

TEST_CASE("in-place ops update every alias", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    y = torch.relu(x)\n"
                      "    _0 = torch.add_(y, 1)\n"
                      "    return torch.mul(y, 2)\n");
  Graph g = run(*m, {spec({2})});
  REQUIRE(g.nodes.size() == 3);
  // mul reads the value add_ produced, not relu's.
  CHECK(g.nodes[2].inputs[0] == g.nodes[1].outputs[0]);
}

TEST_CASE("fork/wait, devices, dtype codes and string builtins", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    def __forked_function(x: Tensor) -> Tensor:\n"
                      "      return torch.relu(x)\n"
                      "    fut = fork(__forked_function, x)\n"
                      "    y = torch.wait(fut)\n"
                      "    d = str(torch.device(\"cpu\"))\n"
                      "    if torch.ne(torch.find(d, \"cpu\", 0, torch.len(d)), -1):\n"
                      "      y = torch.to(y, 5)\n"
                      "    else:\n"
                      "      pass\n"
                      "    if torch.eq(ops.prim.dtype(y), 5):\n"
                      "      return y\n"
                      "    else:\n"
                      "      return x\n");
  Graph g = run(*m, {spec({2})});
  CHECK(ops(g) == std::vector<std::string>{"aten::relu", "aten::to"});
  CHECK(g.values[size_t(g.outputs[0])].meta.dtype == DType::float16);
}

TEST_CASE("input specs parse", "[interpreter][inference]") {
  auto a = parse_input_spec("1x3x224x224");
  CHECK(a.name.empty());
  CHECK(a.shape == std::vector<int64_t>{1, 3, 224, 224});
  CHECK(!a.dtype);
  auto b = parse_input_spec("ids:1x128:int64");
  CHECK(b.name == "ids");
  CHECK(b.shape == std::vector<int64_t>{1, 128});
  CHECK(b.dtype == DType::int64);
  auto c = parse_input_spec("2,3:float16");
  CHECK(c.shape == std::vector<int64_t>{2, 3});
  CHECK(c.dtype == DType::float16);
  auto d = parse_input_spec("steps=10");
  CHECK(d.name == "steps");
  CHECK(d.scalar == 10.0);
  CHECK(d.scalar_is_int);
  CHECK(parse_input_spec("[]").shape.empty());
  CHECK_THROWS_AS(parse_input_spec("ids:abc"), Error);
  CHECK_THROWS_AS(parse_input_spec("1x3:floaty"), Error);
  CHECK_THROWS_AS(parse_input_spec(""), Error);
}

TEST_CASE("inputs by name and in order; scalars; inference from consumers", "[interpreter][inference]") {
  auto emb = object_ref("__torch__.Emb", {{"weight", tensor_ref({100, 7})}});
  auto root = object_ref("__torch__.M", {{"emb", emb}, {"proj", tensor_ref({16, 7})}});
  auto m = make_model(std::string(kHeader) + "  emb : __torch__.Emb\n  proj : Tensor\n"
                          "  def forward(self: __torch__.M,\n    ids: Tensor,\n    feats: Tensor,\n    scale: float,\n"
                          "    mask: Optional[Tensor]=None) -> Tensor:\n"
                          "    e = (self.emb).forward(ids, )\n"
                          "    f = torch.unsqueeze(torch.matmul(feats, self.proj), 1)\n"
                          "    return torch.mul(torch.add(e, f), scale)\n"
                          "class Emb(Module):\n  __parameters__ = [\"weight\", ]\n  __buffers__ = []\n"
                          "  weight : Tensor\n  training : bool\n"
                          "  def forward(self: __torch__.Emb,\n    x: Tensor) -> Tensor:\n"
                          "    return torch.embedding(self.weight, x)\n",
                      root);
  // scale has no default and is not a tensor: it must be given.
  CHECK(error_of(*m, {}).find("--input scale=VALUE") != std::string::npos);
  GraphOptions o;
  o.inputs = {parse_input_spec("scale=0.5")};
  o.seq = 12;
  Graph g = build_graph(*m, o);
  REQUIRE(g.inputs.size() == 2);
  CHECK(g.values[size_t(g.inputs[0])].meta.shape == std::vector<int64_t>{1, 12});
  CHECK(g.values[size_t(g.inputs[0])].meta.dtype == DType::int64);
  CHECK(g.values[size_t(g.inputs[1])].meta.shape == std::vector<int64_t>{1, 16});
  CHECK(out_shape(g) == std::vector<int64_t>{1, 12, 7});
  // Explicit, by name and in order.
  GraphOptions e;
  e.inputs = {parse_input_spec("feats:3x16"), parse_input_spec("3x5:int64"), parse_input_spec("scale=2")};
  Graph g2 = build_graph(*m, e);
  CHECK(out_shape(g2) == std::vector<int64_t>{3, 5, 7});
  GraphOptions bad;
  bad.inputs = {parse_input_spec("nope:1x2")};
  CHECK_THROWS_WITH(build_graph(*m, bad), Catch::Contains("has no argument 'nope'"));
}

TEST_CASE("models without code are refused cleanly", "[interpreter]") {
  Model m;
  m.kind = FileKind::torch_save_zip;
  CHECK_THROWS_WITH(build_graph(m), Catch::Contains("without TorchScript code"));
}

TEST_CASE("inference reads the first consumer's weights: conv1d, conv3d, linear, layer_norm", "[interpreter][inference]") {
  struct Case {
    std::vector<int64_t> weight;
    const char* call;
    std::vector<int64_t> expected;
  };
  const Case cases[] = {
      {{8, 2, 3}, "torch.conv1d(x, self.w)", {1, 2, 128}},
      {{8, 4, 3, 3, 3}, "torch.conv3d(x, self.w)", {1, 4, 16, 112, 112}},
      {{8, 6, 3, 3}, "torch.conv2d(x, self.w, None, [1, 1], [0, 0], [1, 1], 2)", {1, 12, 224, 224}},
      {{5, 9}, "torch.linear(torch.relu(x), self.w)", {1, 9}},
      {{24}, "torch.layer_norm(x, [24], self.w)", {1, 128, 24}},
      // Placeholders pass through unsqueeze: conv2d needs 1x1x28x28, so x is 1x28x28.
      {{4, 1, 3, 3}, "torch.conv2d(torch.unsqueeze(x, 1), self.w)", {1, 28, 28}},
  };
  for (const auto& c : cases) {
    INFO(c.call);
    auto root = object_ref("__torch__.M", {{"w", tensor_ref(c.weight)}});
    auto m = make_model(std::string(kHeader) + "  w : Tensor\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                            "    return " + c.call + "\n",
                        root);
    Graph g = build_graph(*m);
    REQUIRE(g.inputs.size() == 1);
    CHECK(g.values[size_t(g.inputs[0])].meta.shape == c.expected);
    REQUIRE(!g.notes.empty());
    CHECK(g.notes[0].find("inferred from aten::") != std::string::npos);
  }
}

TEST_CASE("inference searches the size a dense layer after convolutions needs", "[interpreter][inference]") {
  // conv1d (k=3) then flatten into a Linear of 4 x 100 features: only L = 102 fits.
  auto root = object_ref("__torch__.M", {{"w", tensor_ref({4, 2, 3})}, {"fc", tensor_ref({5, 400})}});
  auto m = make_model(std::string(kHeader) + "  w : Tensor\n  fc : Tensor\n"
                          "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                          "    y = torch.flatten(torch.conv1d(x, self.w), 1)\n"
                          "    return torch.linear(y, self.fc)\n",
                      root);
  Graph g = build_graph(*m);
  CHECK(g.values[size_t(g.inputs[0])].meta.shape == std::vector<int64_t>{1, 2, 102});
  CHECK(out_shape(g) == std::vector<int64_t>{1, 5});
  bool searched = false;
  for (const auto& n : g.notes) searched = searched || n.find("found by search") != std::string::npos;
  CHECK(searched);
}

TEST_CASE("inference finds a ViT's image size from its positional embedding", "[interpreter][inference]") {
  // torch-written tiny ViT (patch 4, 16 patches + class token): 224 gives 3137
  // tokens against a 17-token embedding; the search shrinks to the size torch used.
  for (const char* name : {"exec/tiny_vit.pt", "exec/tiny_vit_t2.pt"}) {
    INFO(name);
    auto model = load_model(ptscope::test::fixture(name));
    Graph g = build_graph(*model);
    CHECK(g.values[size_t(g.inputs[0])].meta.shape == std::vector<int64_t>{1, 3, 16, 16});
    CHECK(out_shape(g) == std::vector<int64_t>{1, 10});
  }
}

TEST_CASE("hostile code: recursion and self-containing lists end cleanly", "[interpreter]") {
  auto m = make_model(std::string(kHeader) +
                      "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    return (self).rec(x, )\n"
                      "  def rec(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                      "    return (self).rec(x, )\n");
  CHECK(error_of(*m, {spec({1})}).find("call depth limit") != std::string::npos);
  auto cyc = make_model(std::string(kHeader) +
                        "  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n"
                        "    l = [1]\n"
                        "    _0 = torch.append(l, l)\n"
                        "    return x\n");
  CHECK(error_of(*cyc, {spec({1})}).find("code/__torch__.py:8: a list cannot contain itself") != std::string::npos);
}
