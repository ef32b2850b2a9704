// Reference cycles built through the memo are freed once the parse's tracker
// goes away; without one they would leak (shared_ptr never frees a cycle).
#include <catch2/catch.hpp>

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
