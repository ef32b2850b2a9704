// Builtins on dicts: dict(), keys/values/items, get, setdefault, update.
#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {

void register_dicts(Table& m) {
  m["aten::dict"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    Val d = dict_val();
    if (!a.empty()) {
      if (a[0].kind == VKind::dict) {
        d.as<DictBox>().items = a[0].as<DictBox>().items;
      } else if (a[0].is_sequence()) {
        for (const auto& kv : a[0].items()) {
          if (!kv.is_sequence() || kv.items().size() != 2) in.fail("dict() needs key/value pairs", ErrorCode::corrupt);
          d.as<DictBox>().items.emplace_back(kv.items()[0], kv.items()[1]);
        }
      }
    }
    return d;
  };
  m["builtins::dict"] = m["aten::dict"];
  m["aten::keys"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "keys");
    if (d.kind != VKind::dict) return std::nullopt;
    Vals out;
    for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(k);
    return Val::list(std::move(out));
  };
  m["aten::values"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "values");
    if (d.kind != VKind::dict) return std::nullopt;
    Vals out;
    for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(v);
    return Val::list(std::move(out));
  };
  m["aten::items"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "items");
    if (d.kind != VKind::dict) return std::nullopt;
    Vals out;
    for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(Val::tuple({k, v}));
    return Val::list(std::move(out));
  };
  m["aten::get"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "get");
    if (d.kind != VKind::dict) return std::nullopt;
    if (Val* v = d.as<DictBox>().find(arg(in, a, 1, "get"))) return *v;
    return a.size() > 2 ? a[2] : Val();
  };
  m["aten::setdefault"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "setdefault");
    if (d.kind != VKind::dict) return std::nullopt;
    if (Val* v = d.as<DictBox>().find(arg(in, a, 1, "setdefault"))) return *v;
    Val dflt = a.size() > 2 ? a[2] : Val();
    d.as<DictBox>().items.emplace_back(a[1], dflt);
    return dflt;
  };
  m["aten::update"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& d = arg(in, a, 0, "update");
    const Val& o = arg(in, a, 1, "update");
    if (d.kind != VKind::dict || o.kind != VKind::dict) return std::nullopt;
    for (const auto& [k, v] : o.as<DictBox>().items) {
      if (Val* slot = d.as<DictBox>().find(k)) *slot = v;
      else d.as<DictBox>().items.emplace_back(k, v);
    }
    return Val();
  };
}

}  // namespace ptscope::graph::builtin
