// Tests for schema parsing, argument binding and overload resolution of the
// op registry (graph/op_registry.h).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/error.h"
#include "graph/graph.h"
#include "graph/op_registry.h"
#include "graph/values.h"

using namespace ptscope;
using namespace ptscope::graph;

namespace {

TensorMeta T(std::vector<int64_t> shape, DType dtype = DType::float32) {
  TensorMeta t;
  t.shape = std::move(shape);
  t.dtype = dtype;
  return t;
}

using Ints = std::vector<int64_t>;

}  // namespace

TEST_CASE("schema: conv2d with defaults and list sizes", "[op_registry]") {
  Schema s = parse_schema(
      "aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, int[2] padding=0, "
      "int[2] dilation=1, int groups=1) -> Tensor");
  CHECK(s.name == "aten::conv2d");
  CHECK(s.overload.empty());
  CHECK(s.full_name() == "aten::conv2d");
  REQUIRE(s.args.size() == 7);
  CHECK(s.args[0].name == "input");
  CHECK(s.args[0].is_tensor());
  CHECK_FALSE(s.args[0].is_optional());
  CHECK(s.args[2].type == "Tensor?");
  CHECK(s.args[2].is_tensor());
  CHECK(s.args[2].is_optional());
  CHECK(s.args[2].default_value == std::optional<std::string>("None"));
  CHECK(s.args[3].type == "int[2]");
  CHECK(s.args[3].default_value == std::optional<std::string>("1"));
  CHECK_FALSE(s.args[3].is_tensor());
  CHECK_FALSE(s.args[6].kwarg_only);
  CHECK(s.returns == std::vector<std::string>{"Tensor"});
}

TEST_CASE("schema: overloads, kwarg-only markers and alias annotations", "[op_registry]") {
  Schema add = parse_schema("aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)");
  CHECK(add.name == "aten::add_");
  CHECK(add.overload == "Tensor");
  CHECK(add.full_name() == "aten::add_.Tensor");
  REQUIRE(add.args.size() == 3);
  CHECK(add.args[0].type == "Tensor(a!)");
  CHECK(add.args[0].is_tensor());
  CHECK_FALSE(add.args[1].kwarg_only);
  CHECK(add.args[2].kwarg_only);
  CHECK(add.args[2].type == "Scalar");
  CHECK(add.returns == std::vector<std::string>{"Tensor(a!)"});

  Schema split = parse_schema("aten::split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]");
  CHECK(split.args[0].is_tensor());
  CHECK(split.returns == std::vector<std::string>{"Tensor(a)[]"});

  Schema maxd = parse_schema("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)");
  CHECK(maxd.returns == std::vector<std::string>{"Tensor", "Tensor"});
  Schema pair = parse_schema("aten::_foo(Tensor(a) self) -> (Tensor(a), Tensor(b))");
  CHECK(pair.returns == std::vector<std::string>{"Tensor(a)", "Tensor(b)"});
  Schema to = parse_schema("aten::to.prim_Device(Tensor(a) self, Device? device, int? dtype=None, bool non_blocking=False, bool copy=False) -> Tensor(b|a)");
  CHECK(to.args[1].type == "Device?");
  CHECK(to.args[1].is_optional());
  CHECK(to.returns == std::vector<std::string>{"Tensor(b|a)"});
}

TEST_CASE("schema: odd types and defaults", "[op_registry]") {
  Schema s = parse_schema(
      "aten::odd(Tensor[] tensors, Tensor?[] indices, float[]? scales, SymInt[] size, ScalarType? dtype=None, "
      "Layout? layout=None, MemoryFormat? memory_format=contiguous_format, str reduction=\"mean\", str mode='none', "
      "float eps=1e-05, float p=0.5, int dim=-1, int[] pad=[0, 0], bool flag=False, int reduce=Mean, "
      "float alpha=1., bool? pin=None) -> int");
  REQUIRE(s.args.size() == 17);
  CHECK(s.args[0].is_tensor_list());
  CHECK_FALSE(s.args[0].is_tensor());
  CHECK(s.args[1].is_tensor_list());
  CHECK(s.args[1].type == "Tensor?[]");
  CHECK(s.args[2].type == "float[]?");
  CHECK(s.args[2].is_optional());
  CHECK_FALSE(s.args[2].default_value);
  CHECK(s.args[3].type == "SymInt[]");
  CHECK(s.args[6].default_value == std::optional<std::string>("contiguous_format"));
  CHECK(s.args[7].default_value == std::optional<std::string>("\"mean\""));
  CHECK(s.args[8].default_value == std::optional<std::string>("'none'"));
  CHECK(s.args[9].default_value == std::optional<std::string>("1e-05"));
  CHECK(s.args[11].default_value == std::optional<std::string>("-1"));
  CHECK(s.args[12].default_value == std::optional<std::string>("[0, 0]"));
  CHECK(s.args[14].default_value == std::optional<std::string>("Mean"));
  CHECK(s.returns == std::vector<std::string>{"int"});

  Schema none = parse_schema("aten::warn(str message, int stacklevel=2) -> ()");
  CHECK(none.returns.empty());
  Schema list_ret = parse_schema("aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]");
  CHECK(list_ret.returns.size() == 1);
  Schema no_args = parse_schema("aten::is_grad_enabled() -> bool");
  CHECK(no_args.args.empty());
  // A comma inside a quoted default does not end the argument.
  Schema q = parse_schema("aten::q(str a=\"x, y\", int b=1) -> Tensor");
  REQUIRE(q.args.size() == 2);
  CHECK(q.args[0].default_value == std::optional<std::string>("\"x, y\""));
}

TEST_CASE("schema: malformed text is a usage error", "[op_registry]") {
  for (const char* bad : {"aten::f(Tensor self", "aten::f(Tensor self) Tensor", "aten::f(Tensor) -> Tensor",
                          "(Tensor self) -> Tensor", "aten::f(Tensor self, int x=) -> Tensor",
                          "aten::f(Tensor self) -> Tensor trailing junk", "aten::f(str s=\"open) -> Tensor"}) {
    INFO(bad);
    try {
      parse_schema(bad);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::usage);
    }
  }
}

TEST_CASE("bind: positional, keywords and materialised defaults", "[op_registry]") {
  const OpRegistry& r = op_registry();
  const OpDef* conv = r.find("aten::conv2d");
  REQUIRE(conv);
  auto b = OpRegistry::bind(conv->schema, {T({1, 3, 8, 8}), T({4, 3, 3, 3})}, {{"padding", int64_t(1)}});
  REQUIRE(b.has_value());
  REQUIRE(b->size() == 7);
  CHECK(std::holds_alternative<NoneArg>((*b)[2]));
  CHECK(std::get<Ints>((*b)[3]) == Ints{1, 1});  // default [1, 1]
  CHECK(std::get<Ints>((*b)[4]) == Ints{1, 1});  // one int broadcast to int[2]
  CHECK(std::get<int64_t>((*b)[6]) == 1);

  // A fixed-size list binds any length (as in TorchScript); the shape rule checks it.
  std::string why;
  auto long_stride = OpRegistry::bind(conv->schema, {T({1, 3, 8, 8}), T({4, 3, 3, 3}), NoneArg{}, Ints{1, 2, 3}}, {});
  REQUIRE(long_stride.has_value());
  CHECK_THROWS_AS(conv->shape(*long_stride), Error);
  CHECK_FALSE(OpRegistry::bind(conv->schema, {T({1, 3, 8, 8}), T({4, 3, 3, 3}), NoneArg{}, 1.5}, {}, &why).has_value());
  CHECK(why.find("stride") != std::string::npos);
  // Unknown, duplicate and missing arguments.
  CHECK_FALSE(OpRegistry::bind(conv->schema, {T({1, 3, 8, 8}), T({4, 3, 3, 3})}, {{"bogus", int64_t(1)}}, &why).has_value());
  CHECK(why.find("bogus") != std::string::npos);
  CHECK_FALSE(OpRegistry::bind(conv->schema, {T({1, 3, 8, 8}), T({4, 3, 3, 3})}, {{"input", T({1})}}, &why).has_value());
  CHECK(why.find("twice") != std::string::npos);
  CHECK_FALSE(OpRegistry::bind(conv->schema, {T({1, 3, 8, 8})}, {}, &why).has_value());
  CHECK(why.find("weight") != std::string::npos);
  // Keyword-only parameters cannot be passed by position.
  const OpDef* add = r.find("aten::add.Tensor");
  REQUIRE(add);
  CHECK_FALSE(OpRegistry::bind(add->schema, {T({2}), T({2}), int64_t(2)}, {}, &why).has_value());
  auto ka = OpRegistry::bind(add->schema, {T({2}), T({2})}, {{"alpha", 2.5}});
  REQUIRE(ka.has_value());
  CHECK(std::get<double>((*ka)[2]) == 2.5);
}

TEST_CASE("bind: type conversions", "[op_registry]") {
  const OpRegistry& r = op_registry();
  // Scalar keeps bool/int/double as given.
  const OpDef* adds = r.find("aten::add.Scalar");
  REQUIRE(adds);
  for (ArgValue v : {ArgValue(true), ArgValue(int64_t(3)), ArgValue(0.5)}) {
    auto b = OpRegistry::bind(adds->schema, {T({2}), v}, {});
    REQUIRE(b.has_value());
    CHECK((*b)[1].index() == v.index());
    CHECK(std::get<int64_t>((*b)[2]) == 1);  // alpha=1 stays an int
  }
  // int accepts bool; float accepts int; float defaults are doubles.
  const OpDef* flatten = r.find("aten::flatten.using_ints");
  auto f = OpRegistry::bind(flatten->schema, {T({2, 3}), true}, {});
  REQUIRE(f.has_value());
  CHECK(std::get<int64_t>((*f)[1]) == 1);
  CHECK(std::get<int64_t>((*f)[2]) == -1);
  const OpDef* ln = r.find("aten::layer_norm");
  auto l = OpRegistry::bind(ln->schema, {T({2, 4}), Ints{4}}, {{"eps", int64_t(1)}});
  REQUIRE(l.has_value());
  CHECK(std::get<double>((*l)[4]) == 1.0);
  auto l2 = OpRegistry::bind(ln->schema, {T({2, 4}), Ints{4}}, {});
  CHECK(std::get<double>((*l2)[4]) == Approx(1e-5));
  CHECK(std::get<bool>((*l2)[5]) == true);
  // int[] accepts a list but not a bare int (no fixed size); bool does not accept int.
  const OpDef* view = r.find("aten::view");
  CHECK(OpRegistry::bind(view->schema, {T({6}), Ints{2, 3}}, {}).has_value());
  CHECK_FALSE(OpRegistry::bind(view->schema, {T({6}), int64_t(6)}, {}).has_value());
  const OpDef* drop = r.find("aten::dropout");
  CHECK_FALSE(OpRegistry::bind(drop->schema, {T({2}), 0.5, int64_t(1)}, {}).has_value());
  // Tensor? accepts None; Tensor does not.
  const OpDef* linear = r.find("aten::linear");
  CHECK(OpRegistry::bind(linear->schema, {T({2, 4}), T({3, 4}), NoneArg{}}, {}).has_value());
  CHECK_FALSE(OpRegistry::bind(linear->schema, {T({2, 4}), NoneArg{}}, {}).has_value());
  // Tensor[] takes a tensor list (and an empty list literal of any kind).
  const OpDef* cat = r.find("aten::cat");
  CHECK(OpRegistry::bind(cat->schema, {std::vector<TensorMeta>{T({1}), T({2})}}, {}).has_value());
  CHECK(OpRegistry::bind(cat->schema, {Ints{}}, {}).has_value());
  CHECK_FALSE(OpRegistry::bind(cat->schema, {T({1})}, {}).has_value());
  // Tensor?[] accepts None entries (undefined tensors); Tensor[] does not.
  TensorMeta none;
  none.dtype = DType::undefined;
  const OpDef* index = r.find("aten::index.Tensor");
  CHECK(OpRegistry::bind(index->schema, {T({3, 4}), std::vector<TensorMeta>{none, T({2}, DType::int64)}}, {}).has_value());
  CHECK_FALSE(OpRegistry::bind(cat->schema, {std::vector<TensorMeta>{none, T({2})}}, {}).has_value());
  // ScalarType? is an int code or None; str takes a string; defaults like contiguous_format become ints.
  const OpDef* to = r.find("aten::to.dtype");
  auto t = OpRegistry::bind(to->schema, {T({2}), int64_t(5)}, {});
  REQUIRE(t.has_value());
  CHECK(std::get<int64_t>((*t)[1]) == 5);
  CHECK_FALSE(OpRegistry::bind(to->schema, {T({2}), std::string("float")}, {}).has_value());
  const OpDef* contig = r.find("aten::contiguous");
  auto c = OpRegistry::bind(contig->schema, {T({2})}, {});
  REQUIRE(c.has_value());
  CHECK(std::get<int64_t>((*c)[1]) == 0);
  const OpDef* gelu = r.find("aten::gelu");
  auto g = OpRegistry::bind(gelu->schema, {T({2})}, {});
  CHECK(std::get<std::string>((*g)[1]) == "none");
  // max_pool2d's `stride=[]` stays empty (it means "the kernel size").
  const OpDef* pool = r.find("aten::max_pool2d");
  auto p = OpRegistry::bind(pool->schema, {T({1, 1, 4, 4}), Ints{2, 2}}, {});
  REQUIRE(p.has_value());
  CHECK(std::get<Ints>((*p)[2]).empty());
  CHECK(std::get<Ints>((*p)[3]) == Ints{0, 0});
  // float[]? accepts an int list, converting it.
  const OpDef* up = r.find("aten::upsample_nearest2d.vec");
  auto u = OpRegistry::bind(up->schema, {T({1, 1, 2, 2}), NoneArg{}, Ints{2, 2}}, {});
  REQUIRE(u.has_value());
  CHECK(std::get<std::vector<double>>((*u)[2]) == std::vector<double>{2.0, 2.0});
}

TEST_CASE("resolve: overloads by argument types", "[op_registry]") {
  const OpRegistry& r = op_registry();
  CHECK(r.resolve("aten::add", {T({2}), T({2})}, {}).first->schema.full_name() == "aten::add.Tensor");
  CHECK(r.resolve("aten::add", {T({2}), int64_t(1)}, {}).first->schema.full_name() == "aten::add.Scalar");
  CHECK(r.resolve("aten::add", {T({2}), 1.5}, {}).first->schema.full_name() == "aten::add.Scalar");
  CHECK(r.resolve("aten::mean", {T({2, 3})}, {}).first->schema.full_name() == "aten::mean");
  CHECK(r.resolve("aten::mean", {T({2, 3}), Ints{1}}, {}).first->schema.full_name() == "aten::mean.dim");
  CHECK(r.resolve("aten::max", {T({2, 3}), int64_t(1)}, {}).first->schema.full_name() == "aten::max.dim");
  CHECK(r.resolve("aten::max", {T({2, 3}), T({3})}, {}).first->schema.full_name() == "aten::max.other");
  CHECK(r.resolve("aten::split", {T({6}), int64_t(2)}, {}).first->schema.full_name() == "aten::split.Tensor");
  CHECK(r.resolve("aten::split", {T({6}), Ints{2, 4}}, {}).first->schema.full_name() == "aten::split");
  CHECK(r.resolve("aten::conv2d", {T({1, 1, 4, 4}), T({1, 1, 3, 3}), NoneArg{}, int64_t(1), std::string("same")}, {})
            .first->schema.full_name() == "aten::conv2d.padding");
  CHECK(r.resolve("aten::to", {T({2}), int64_t(6)}, {}).first->schema.full_name() == "aten::to.dtype");
  CHECK(r.resolve("aten::to", {T({2}), std::string("cpu"), NoneArg{}}, {}).first->schema.full_name() ==
        "aten::to.prim_Device");
  CHECK(r.resolve("aten::to", {T({2}), T({3}, DType::int64)}, {}).first->schema.full_name() == "aten::to.other");
  CHECK(r.resolve("aten::div", {T({2}), T({2})}, {{"rounding_mode", std::string("floor")}}).first->schema.full_name() ==
        "aten::div.Tensor_mode");
}

TEST_CASE("resolve: unknown ops and mismatches name the op", "[op_registry]") {
  const OpRegistry& r = op_registry();
  try {
    r.resolve("aten::foo", {T({1, 2}), int64_t(3)}, {{"k", true}});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::unsupported);
    CHECK(std::string(e.what()) == "unknown op aten::foo([1, 2]:float32, 3, k=True): add it to the registry");
  }
  try {
    r.resolve("aten::add", {T({2}), std::string("x")}, {});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::unsupported);
    const std::string m = e.what();
    CHECK(m.find("aten::add") != std::string::npos);
    CHECK(m.find("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor") != std::string::npos);
    CHECK(m.find("aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor") != std::string::npos);
  }
}

TEST_CASE("registry: lookups, flags and categories", "[op_registry]") {
  const OpRegistry& r = op_registry();
  CHECK(&r == &op_registry());  // one instance
  CHECK(r.size() > 300);
  CHECK(r.names().size() == r.size());
  CHECK(r.find("aten::nope") == nullptr);
  CHECK(r.overloads("aten::nope").empty());
  const auto& adds = r.overloads("aten::add");
  REQUIRE(adds.size() == 2);
  CHECK(adds[0]->schema.overload == "Tensor");
  // Every op has a shape and cost rule, and every schema text reparses to the same name.
  std::set<std::string> seen;
  for (const auto& name : r.names()) {
    const OpDef* d = r.find(name);
    REQUIRE(d);
    INFO(name);
    CHECK(d->shape);
    CHECK(d->cost);
    CHECK(parse_schema(d->schema.text).full_name() == name);
    CHECK(seen.insert(name).second);
  }
  CHECK(r.find("aten::view")->is_view);
  CHECK_FALSE(r.find("aten::view")->is_inplace);
  CHECK(r.find("aten::relu_")->is_inplace);
  CHECK(r.find("aten::add_.Tensor")->is_inplace);
  CHECK_FALSE(r.find("aten::__and__.Tensor")->is_inplace);
  CHECK(r.find("aten::__iand__.Tensor")->is_inplace);
  CHECK(r.find("aten::conv2d")->category == OpCategory::conv);
  CHECK(r.find("aten::linear")->category == OpCategory::matmul);
  CHECK(r.find("aten::scaled_dot_product_attention")->category == OpCategory::attention);
  CHECK(r.find("aten::layer_norm")->category == OpCategory::norm);
  CHECK(r.find("aten::embedding")->category == OpCategory::embedding);
  CHECK(std::string(op_category_name(OpCategory::elementwise)) == "elementwise");
  CHECK(std::string(op_category_name(OpCategory::shape)) == "shape");
}

TEST_CASE("values: arg_to_string", "[op_registry]") {
  CHECK(arg_to_string(T({1, 3, 224, 224})) == "[1, 3, 224, 224]:float32");
  CHECK(arg_to_string(T({}, DType::int64)) == "[]:int64");
  CHECK(arg_to_string(NoneArg{}) == "None");
  CHECK(arg_to_string(true) == "True");
  CHECK(arg_to_string(int64_t(-2)) == "-2");
  CHECK(arg_to_string(2.0) == "2.0");
  CHECK(arg_to_string(0.5) == "0.5");
  CHECK(arg_to_string(std::string("same")) == "'same'");
  CHECK(arg_to_string(Ints{2, 3}) == "[2, 3]");
  CHECK(arg_to_string(std::vector<double>{1.5}) == "[1.5]");
  TensorMeta none;
  none.dtype = DType::undefined;
  CHECK(arg_to_string(std::vector<TensorMeta>{T({2}), none}) == "[[2]:float32, None]");
}

TEST_CASE("costs: default bytes, views and in-place ops", "[op_registry]") {
  const OpRegistry& r = op_registry();
  auto run = [&](const char* op, std::vector<ArgValue> pos) {
    auto [def, args] = r.resolve(op, pos, {});
    auto out = def->shape(args);
    return std::make_pair(out, def->cost(args, out));
  };
  auto [vo, vc] = run("aten::view", {T({2, 3}), Ints{3, -1}});
  CHECK(vo[0].shape == Ints{3, 2});
  CHECK(vc.bytes_read == 0);
  CHECK(vc.bytes_written == 0);
  auto [ao, ac] = run("aten::add_", {T({2, 3}), T({3})});
  CHECK(ac.bytes_read == 24 + 12);
  CHECK(ac.bytes_written == 24);
  auto [ro, rc] = run("aten::relu", {T({2, 3}, DType::float16)});
  CHECK(rc.bytes_read == 12);
  CHECK(rc.bytes_written == 12);
  CHECK(rc.extended_flops == 6);
  CHECK(rc.flops == 0);
  auto [lo, lc] = run("aten::linear", {T({2, 5, 4}), T({3, 4}), T({3})});
  CHECK(lo[0].shape == Ints{2, 5, 3});
  CHECK(lc.flops == 2.0 * 10 * 4 * 3);
  CHECK(lc.macs == 10.0 * 4 * 3);
  CHECK(lc.bytes_read == (40 + 12 + 3) * 4);
  CHECK(lc.bytes_written == 30 * 4);
  // Shape errors name the op.
  try {
    run("aten::mm", {T({2, 3}), T({4, 5})});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::corrupt);
    CHECK(std::string(e.what()) == "aten::mm: shapes [2, 3] and [4, 5] cannot be multiplied");
  }
  Graph g;
  int a = g.add_value(T({2}), Value::Kind::input, "x");
  int b = g.add_value(T({2}), Value::Kind::intermediate, "", 0);
  CHECK(a == 0);
  CHECK(b == 1);
  CHECK(g.values[1].meta.value_id == 1);
  CHECK(g.values[1].producer == 0);
  Node n1, n2;
  n1.cost.flops = 2;
  n1.cost.bytes_read = 8;
  n2.cost.macs = 3;
  n2.cost.extended_flops = 1;
  n2.cost.bytes_written = 4;
  g.nodes = {n1, n2};
  OpCost t = g.totals();
  CHECK(t.flops == 2);
  CHECK(t.macs == 3);
  CHECK(t.extended_flops == 1);
  CHECK(t.bytes_read == 8);
  CHECK(t.bytes_written == 4);
}
