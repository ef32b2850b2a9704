// The memory planner on hand-built graphs: liveness from producer to last
// consumer, views extending their base, in-place ops allocating nothing,
// resident parameters, workspaces only during their node.
#include <catch2/catch.hpp>

#include <algorithm>

#include "graph/memory_plan.h"

using namespace ptscope;
using namespace ptscope::graph;

namespace {

// A graph builder with float32 values of `n` elements (4n bytes).
struct G {
  Graph g;
  int value(int64_t elems, Value::Kind kind = Value::Kind::intermediate) {
    TensorMeta m;
    m.shape = {elems};
    return g.add_value(m, kind);
  }
  int input(int64_t elems) {
    int v = value(elems, Value::Kind::input);
    g.inputs.push_back(v);
    return v;
  }
  // Appends a node reading `ins` and producing one new value of `elems` elements.
  int node(const char* op, std::vector<int> ins, int64_t elems) {
    const OpDef* def = op_registry().find(op);
    REQUIRE(def != nullptr);
    Node n;
    n.def = def;
    n.op = op;
    n.inputs = std::move(ins);
    n.is_view = def->is_view;
    const int idx = int(g.nodes.size());
    int out = value(elems);
    g.values[size_t(out)].producer = idx;
    if (def->is_view) g.values[size_t(out)].view_of = n.inputs[0];
    n.outputs = {out};
    g.nodes.push_back(std::move(n));
    return out;
  }
};

}  // namespace

TEST_CASE("memory plan frees a buffer after its last consumer", "[memory_plan]") {
  // x(100) → a = relu(x) (100) → b = relu(a) (100) → c = add(a, b) (100) → d = relu(c) (10 elems)
  G t;
  int x = t.input(100);
  int a = t.node("aten::relu", {x}, 100);
  int b = t.node("aten::relu", {a}, 100);
  int c = t.node("aten::add.Tensor", {a, b}, 100);
  int d = t.node("aten::relu", {c}, 10);
  t.g.outputs = {d};
  MemoryPlan p = plan_memory(t.g);
  // Hand-computed, bytes: node0 x+a = 800, after: a (x's last use) = 400
  // node1 a+b = 800, after 800; node2 a+b+c = 1200, after c = 400; node3 c+d = 440, after d = 40.
  CHECK(p.live_during == std::vector<uint64_t>{800, 800, 1200, 440});
  CHECK(p.live_after == std::vector<uint64_t>{400, 800, 400, 40});
  CHECK(p.peak_bytes == 1200);
  CHECK(p.peak_node == 2);
  CHECK(p.resident_bytes == 0);
  // The peak is at least every node's own working set (inputs + outputs).
  for (size_t i = 0; i < t.g.nodes.size(); ++i) {
    uint64_t own = 0;
    for (int v : t.g.nodes[i].inputs) own += t.g.values[size_t(v)].meta.nbytes();
    for (int v : t.g.nodes[i].outputs) own += t.g.values[size_t(v)].meta.nbytes();
    CHECK(p.peak_bytes >= own);
  }
}

TEST_CASE("memory plan: views extend their base, in-place allocates nothing", "[memory_plan]") {
  G t;
  int x = t.input(100);
  int a = t.node("aten::relu", {x}, 100);         // node 0
  int v = t.node("aten::t", {a}, 100);            // node 1: view of a
  int r = t.node("aten::relu_", {v}, 100);        // node 2: in place on the view (a's buffer)
  int y = t.node("aten::relu", {x}, 50);          // node 3
  int z = t.node("aten::add.Tensor", {r, y}, 50); // node 4: last use of a's buffer through r
  t.g.outputs = {z};
  MemoryPlan p = plan_memory(t.g);
  REQUIRE(t.g.values[size_t(v)].view_of == a);
  CHECK(p.buffer_of[size_t(v)] == a);
  CHECK(p.buffer_of[size_t(r)] == a);
  // a lives from node 0 to node 4 through its view and the in-place result.
  CHECK(p.alloc_node[size_t(a)] == 0);
  CHECK(p.free_after_node[size_t(a)] == 4);
  // x: 400 bytes, live until node 3. a: 400. y: 200. z: 200.
  CHECK(p.live_during == std::vector<uint64_t>{800, 800, 800, 1000, 800});
  CHECK(p.live_after == std::vector<uint64_t>{800, 800, 800, 600, 200});
  CHECK(p.peak_bytes == 1000);
}

TEST_CASE("memory plan: parameters are resident, workspaces live during their node", "[memory_plan]") {
  G t;
  int x = t.input(10);
  int w = t.value(1000, Value::Kind::parameter);
  int unused = t.value(5000, Value::Kind::parameter);
  (void)unused;
  int y = t.node("aten::mul.Tensor", {x, w}, 1000);  // node 0
  int z = t.node("aten::relu", {y}, 10);               // node 1
  t.g.outputs = {z};
  MemoryPlanOptions o;
  o.workspace_bytes = {0, 10000};
  MemoryPlan p = plan_memory(t.g, o);
  CHECK(p.resident_bytes == 4000);  // only parameters some node reads
  CHECK(p.buffer_of[size_t(w)] == -1);
  CHECK(p.live_during == std::vector<uint64_t>{40 + 4000, 4000 + 40 + 10000});
  CHECK(p.live_after == std::vector<uint64_t>{4000, 40});
  CHECK(p.peak_bytes == 4000 + 14040);
  CHECK(p.peak_node == 1);
}

TEST_CASE("memory plan follows the aliasing an executor observed", "[memory_plan]") {
  // reshape may alias or copy; the executor reports which.
  G t;
  int x = t.input(100);
  int a = t.node("aten::relu", {x}, 100);
  int r = t.node("aten::reshape", {a}, 100);
  int z = t.node("aten::relu", {r}, 100);
  t.g.outputs = {z};
  MemoryPlanOptions copy;
  copy.alias_of.assign(t.g.values.size(), -1);
  MemoryPlan copying = plan_memory(t.g, copy);
  CHECK(copying.live_during[1] == 800);  // a and its copy
  MemoryPlanOptions o = copy;
  o.alias_of[size_t(r)] = a;
  MemoryPlan aliasing = plan_memory(t.g, o);
  CHECK(aliasing.live_during[1] == 400);
  CHECK(aliasing.live_during[2] == 800);  // a (through r) and z
  CHECK(aliasing.peak_bytes < copying.peak_bytes + 1);
}
