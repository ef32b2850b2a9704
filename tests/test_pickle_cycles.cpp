// Reference cycles built through the memo are freed once the parse's tracker
// goes away; without one they would leak (shared_ptr never frees a cycle).
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "parser/pickle.h"

using namespace ptscope;
using namespace std::string_literals;

namespace {
ByteSpan span_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("a list that contains itself is freed with its tracker", "[pickle][cycles]") {
  // EMPTY_LIST BINPUT 0 BINGET 0 APPEND STOP: l = []; l.append(l)
  const std::string bytes = "\x80\x02]q\x00h\x00" "a."s;
  std::weak_ptr<PyValue> weak;
  {
    PickleOptions options;
    options.tracker = std::make_shared<PyNodeTracker>();
    PickleResult r = unpickle(span_of(bytes), options);
    REQUIRE(r.value->kind == PyKind::list);
    REQUIRE(r.value->items.size() == 1);
    CHECK(r.value->items[0].get() == r.value.get());
    weak = r.value;
  }
  CHECK(weak.expired());
}

TEST_CASE("cycles in a failed parse are freed too", "[pickle][cycles]") {
  // Builds the same cycle, then hits an unknown opcode.
  const std::string bytes = "\x80\x02]q\x00h\x00" "a\xff"s;
  auto tracker = std::make_shared<PyNodeTracker>();
  PickleOptions options;
  options.tracker = tracker;
  CHECK_THROWS_AS(unpickle(span_of(bytes), options), Error);
  REQUIRE(!tracker->nodes.empty());
  std::weak_ptr<PyValue> weak = tracker->nodes.front();
  CHECK(!weak.expired());  // alive only through its own cycle
  tracker.reset();
  options.tracker.reset();
  CHECK(weak.expired());
}

namespace {
// Parses `bytes` with a tracker, keeps a weak reference to every node the
// tracker recorded, drops the tracker and reports how many are still alive.
size_t survivors_after_tracker(const std::string& bytes, bool expect_error) {
  std::vector<std::weak_ptr<PyValue>> weak;
  {
    PickleOptions options;
    options.tracker = std::make_shared<PyNodeTracker>();
    if (expect_error) {
      CHECK_THROWS_AS(unpickle(span_of(bytes), options), Error);
    } else {
      PickleResult r = unpickle(span_of(bytes), options);
      CHECK(r.value);
    }
    for (const auto& w : options.tracker->nodes) weak.push_back(w);
    CHECK(!weak.empty());
  }
  size_t alive = 0;
  for (const auto& w : weak) alive += !w.expired();
  return alive;
}
}  // namespace

// Found by fuzz_pickle under LeakSanitizer: a GLOBAL is not a container, yet
// SETITEM may give it entries (a dict subclass at load time), here itself.
TEST_CASE("a GLOBAL given itself by SETITEM is freed with its tracker", "[pickle][cycles]") {
  // GLOBAL os system, DUP, DUP, SETITEM (g[g] = g), then a bad opcode.
  CHECK(survivors_after_tracker("cos\nsystem\n22s\xff"s, true) == 0);
  // The fuzzer's own input: the same cycle through a name with odd bytes.
  CHECK(survivors_after_tracker("cos\nsystem\x01\x00\x00\x00\x00\x00\x02\x01'\n22s\n22CCC2CCCCCCCCCCC."s, true) == 0);
}

TEST_CASE("cycles through BUILD, APPEND and persistent ids on opaque values are freed", "[pickle][cycles]") {
  // GLOBAL m f, DUP, BUILD: the global's state is the global itself.
  CHECK(survivors_after_tracker("\x80\x02" "cm\nf\n2b."s, false) == 0);
  // EXT1 7, DUP, APPEND: an extension object appended to itself.
  CHECK(survivors_after_tracker("\x80\x02\x82\x07" "2a."s, false) == 0);
  // A persistent id node whose pid list later receives the node: pid = [];
  // p = persistent_load(pid); pid.append(p).
  CHECK(survivors_after_tracker("\x80\x02]q\x00Qq\x01h\x00h\x01" "a\xff"s, true) == 0);
  CHECK(survivors_after_tracker("\x80\x02]q\x00Qq\x01h\x00h\x01" "a0."s, false) == 0);
}

TEST_CASE("a node returned by persistent_load that gains state is tracked", "[pickle][cycles]") {
  // BINPERSID on an int; the loader's node then BUILDs with a list holding it.
  const std::string bytes = "\x80\x02K\x01Qq\x00]h\x00" "ab."s;
  std::weak_ptr<PyValue> weak;
  {
    PickleOptions options;
    options.tracker = std::make_shared<PyNodeTracker>();
    options.persistent_load = [](const PyRef&) {
      auto v = std::make_shared<PyValue>();
      v->kind = PyKind::storage;
      return v;
    };
    PickleResult r = unpickle(span_of(bytes), options);
    REQUIRE(r.value->kind == PyKind::storage);
    REQUIRE(r.value->state);
    CHECK(r.value->state->items.at(0).get() == r.value.get());
    weak = r.value;
  }
  CHECK(weak.expired());
}

TEST_CASE("STACK_GLOBAL with computed operands pushes an opaque global", "[pickle]") {
  // str('os') via REDUCE, then STACK_GLOBAL with the result and 'system',
  // then a call on the computed global.
  const std::string bytes =
      "\x80\x04" "cbuiltins\nstr\n\x8c\x02os\x85R\x8c\x06system\x93\x8c\x04true\x85R."s;
  PickleOptions options;
  options.tracker = std::make_shared<PyNodeTracker>();
  std::vector<uint8_t> ops;
  options.observer = [&](const PickleEvent& ev) { ops.push_back(ev.opcode); };
  PickleResult r = unpickle(span_of(bytes), options);
  REQUIRE(r.value->kind == PyKind::object);
  const PyRef& g = r.value->callable;
  REQUIRE(g->kind == PyKind::global);
  CHECK(g->module.empty());
  CHECK(g->name.empty());
  REQUIRE(g->args);
  REQUIRE(g->args->items.size() == 2);
  CHECK(g->args->items[0]->kind == PyKind::object);
  CHECK(g->args->items[1]->s == "system");
  CHECK(py_repr(r.value).find("<computed global>") != std::string::npos);
  CHECK(std::count(ops.begin(), ops.end(), uint8_t(0x93)) == 1);

  // Operands whose type is known not to be str fail, as in CPython.
  CHECK_THROWS_AS(unpickle(span_of("\x80\x04K\x01\x8c\x01x\x93."s), options), Error);
}
