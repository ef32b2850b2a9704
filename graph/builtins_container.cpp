// Builtins on containers: lists, tuples and module containers (len and
// indexing, the list methods, the builders and iterators: list(), range, zip,
// sum ...) and dicts (dict(), keys/values/items, get, setdefault, update).
#include <algorithm>
#include <cmath>

#include "graph/builtins_support.h"

namespace ptscope::graph::builtin {
namespace {

// dict.keys() / values() / items() as a list, in insertion order; `part` is
// what one entry contributes.
template <class Part>
std::optional<Val> entries(Interpreter& in, Vals& a, const char* op, Part part) {
  const Val& d = arg(in, a, 0, op);
  if (d.kind != VKind::dict) return std::nullopt;
  Vals out;
  for (const auto& [k, v] : d.as<DictBox>().items) out.push_back(part(k, v));
  return Val::list(std::move(out));
}

// len, x[i], x[i] = v, del x[i] (module containers included).
void register_sequence_access(Table& m) {
  m["aten::len"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "len");
    switch (c.kind) {
      case VKind::list:
      case VKind::tuple: return Val::integer(int64_t(c.items().size()));
      case VKind::string: return Val::integer(int64_t(c.str().size()));
      case VKind::dict: return Val::integer(int64_t(c.as<DictBox>().items.size()));
      case VKind::tensor:
        if (meta(c).shape.empty()) in.fail("len() of a 0-d tensor", ErrorCode::corrupt);
        return Val::integer(meta(c).shape[0]);
      case VKind::object: return Val::integer(in.module_len(c));
      default: in.fail(std::string("len() of a ") + vkind_name(c.kind), ErrorCode::corrupt);
    }
  };
  m["builtins::len"] = m["aten::len"];
  m["aten::__getitem__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "__getitem__");
    const Val& k = arg(in, a, 1, "__getitem__");
    switch (c.kind) {
      case VKind::list:
      case VKind::tuple: return c.items()[size_t(wrap_index(in, to_int(in, k), c.items().size(), "list"))];
      case VKind::string:
        return Val::string(std::string(1, c.str()[size_t(wrap_index(in, to_int(in, k), c.str().size(), "string"))]));
      case VKind::dict: {
        if (Val* v = c.as<DictBox>().find(k)) return *v;
        in.fail("key " + val_repr(k) + " is not in the dict", ErrorCode::corrupt);
      }
      case VKind::object: {
        // Module containers: ModuleList[i] / ModuleDict["k"]
        std::string key;
        if (k.kind == VKind::string) {
          key = k.str();
        } else {
          int64_t i = to_int(in, k);
          if (i < 0) i += in.module_len(c);
          key = std::to_string(i);
        }
        return in.get_attr(c, key);
      }
      case VKind::tensor: return in.call_op("aten::select", {c, Val::integer(0), k});
      default: in.fail(std::string("cannot index a ") + vkind_name(c.kind), ErrorCode::corrupt);
    }
  };
  m["aten::_set_item"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "_set_item");
    const Val& k = arg(in, a, 1, "_set_item");
    const Val& v = arg(in, a, 2, "_set_item");
    if (v.box && v.box == c.box) in.fail("a container cannot contain itself", ErrorCode::corrupt);
    if (c.kind == VKind::list) {
      c.items()[size_t(wrap_index(in, to_int(in, k), c.items().size(), "list"))] = v;
      return c;
    }
    if (c.kind == VKind::dict) {
      auto& d = c.as<DictBox>();
      if (Val* slot = d.find(k)) *slot = v;
      else d.items.emplace_back(k, v);
      return c;
    }
    if (c.is_tensor()) return in.call_op("aten::index_put_", {c, Val::list({k}), v});
    in.fail(std::string("cannot assign into a ") + vkind_name(c.kind), ErrorCode::corrupt);
  };
  m["aten::__delitem__"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "__delitem__");
    const Val& k = arg(in, a, 1, "__delitem__");
    if (c.kind == VKind::list) {
      auto& items = c.items();
      items.erase(items.begin() + wrap_index(in, to_int(in, k), items.size(), "list"));
      return Val();
    }
    if (c.kind == VKind::dict) {
      auto& items = c.as<DictBox>().items;
      for (auto it = items.begin(); it != items.end(); ++it)
        if (val_equal(it->first, k)) {
          items.erase(it);
          return Val();
        }
      in.fail("key " + val_repr(k) + " is not in the dict", ErrorCode::corrupt);
    }
    in.fail(std::string("cannot delete from a ") + vkind_name(c.kind), ErrorCode::corrupt);
  };
}

// list.append and the other list methods, sorted().
void register_list_methods(Table& m) {
  m["aten::append"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& l = arg(in, a, 0, "append");
    if (l.kind != VKind::list) return std::nullopt;
    // TorchScript's types cannot describe a list inside itself (and the cycle would leak).
    if (arg(in, a, 1, "append").box == l.box) in.fail("a list cannot contain itself", ErrorCode::corrupt);
    l.items().push_back(arg(in, a, 1, "append"));
    return l;
  };
  m["aten::extend"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& l = arg(in, a, 0, "extend");
    const Val& r = arg(in, a, 1, "extend");
    if (l.kind != VKind::list || !r.is_sequence()) return std::nullopt;
    Vals add = r.items();
    for (auto& x : add) l.items().push_back(std::move(x));
    return Val();
  };
  m["aten::insert"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& l = arg(in, a, 0, "insert");
    if (l.kind != VKind::list) return std::nullopt;
    if (arg(in, a, 2, "insert").box == l.box) in.fail("a list cannot contain itself", ErrorCode::corrupt);
    auto& items = l.items();
    int64_t i = to_int(in, arg(in, a, 1, "insert"));
    if (i < 0) i += int64_t(items.size());
    i = std::clamp<int64_t>(i, 0, int64_t(items.size()));
    items.insert(items.begin() + i, arg(in, a, 2, "insert"));
    return Val();
  };
  m["aten::pop"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "pop");
    if (c.kind == VKind::list) {
      auto& items = c.items();
      if (items.empty()) in.fail("pop from an empty list", ErrorCode::corrupt);
      int64_t i = a.size() > 1 ? wrap_index(in, to_int(in, a[1]), items.size(), "list") : int64_t(items.size()) - 1;
      Val v = items[size_t(i)];
      items.erase(items.begin() + i);
      return v;
    }
    if (c.kind == VKind::dict) {
      auto& items = c.as<DictBox>().items;
      const Val& k = arg(in, a, 1, "pop");
      for (auto it = items.begin(); it != items.end(); ++it)
        if (val_equal(it->first, k)) {
          Val v = it->second;
          items.erase(it);
          return v;
        }
      if (a.size() > 2) return a[2];
      in.fail("key " + val_repr(k) + " is not in the dict", ErrorCode::corrupt);
    }
    return std::nullopt;
  };
  m["aten::clear"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "clear");
    if (c.kind == VKind::list) c.items().clear();
    else if (c.kind == VKind::dict) c.as<DictBox>().items.clear();
    else return std::nullopt;
    return Val();
  };
  m["aten::reverse"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "reverse");
    if (c.kind != VKind::list) return std::nullopt;
    std::reverse(c.items().begin(), c.items().end());
    return Val();
  };
  m["aten::remove"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "remove");
    if (c.kind != VKind::list) return std::nullopt;
    auto& items = c.items();
    for (auto it = items.begin(); it != items.end(); ++it)
      if (val_equal(*it, arg(in, a, 1, "remove"))) {
        items.erase(it);
        return Val();
      }
    in.fail("list.remove(x): x not in list", ErrorCode::corrupt);
  };
  m["aten::index"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "index");
    if (c.kind != VKind::list) return std::nullopt;
    const auto& items = c.items();
    for (size_t k = 0; k < items.size(); ++k)
      if (val_equal(items[k], arg(in, a, 1, "index"))) return Val::integer(int64_t(k));
    in.fail("list.index(x): x not in list", ErrorCode::corrupt);
  };
  m["aten::count"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "count");
    if (c.kind == VKind::list) {
      int64_t n = 0;
      for (const auto& x : c.items()) n += val_equal(x, arg(in, a, 1, "count"));
      return Val::integer(n);
    }
    if (c.kind == VKind::string && a.size() > 1 && a[1].kind == VKind::string && !a[1].str().empty()) {
      int64_t n = 0;
      for (size_t p = c.str().find(a[1].str()); p != std::string::npos; p = c.str().find(a[1].str(), p + a[1].str().size()))
        ++n;
      return Val::integer(n);
    }
    return std::nullopt;
  };
  m["aten::sort"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "sort");
    if (c.kind != VKind::list) return std::nullopt;
    bool reverse = a.size() > 1 ? in.truthy(a[1]) : (kwarg(kw, "reverse") && in.truthy(*kwarg(kw, "reverse")));
    auto& items = c.items();
    std::stable_sort(items.begin(), items.end(), [&](const Val& x, const Val& y) {
      return reverse ? compare_vals(in, y, x, "sort") < 0 : compare_vals(in, x, y, "sort") < 0;
    });
    return Val();
  };
  m["builtins::sorted"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "sorted");
    if (!c.is_sequence()) in.fail("sorted() of a non-sequence", ErrorCode::corrupt);
    Val copy = Val::list(c.items());
    Vals args{copy};
    table().at("aten::sort")(in, args, kw);
    return copy;
  };
  m["aten::sorted"] = m["builtins::sorted"];
}

// list()/tuple(), slices, range/enumerate/zip, any/all/sum and the size helpers.
void register_sequence_builders(Table& m) {
  m["aten::list"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty()) return Val::list({});
    const Val& c = a[0];
    if (c.is_sequence()) {
      Val l = Val::list(c.items());
      if (c.kind == VKind::list) l.as<SeqBox>().elem_type = c.as<SeqBox>().elem_type;
      return l;
    }
    if (c.kind == VKind::string) {
      Vals items;
      for (char ch : c.str()) items.push_back(Val::string(std::string(1, ch)));
      return Val::list(std::move(items));
    }
    if (c.kind == VKind::dict) {
      Vals items;
      for (const auto& [k, v] : c.as<DictBox>().items) items.push_back(k);
      return Val::list(std::move(items));
    }
    if (c.is_tensor()) return std::nullopt;
    in.fail(std::string("list() of a ") + vkind_name(c.kind), ErrorCode::corrupt);
  };
  m["builtins::list"] = m["aten::list"];
  m["aten::copy"] = m["aten::list"];
  m["builtins::tuple"] = [](Interpreter& in, Vals& a, Kwargs& kw) -> std::optional<Val> {
    auto l = table().at("aten::list")(in, a, kw);
    Val t = Val::tuple(l->items());
    return t;
  };
  m["aten::slice"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.empty() || any_tensor(a)) return std::nullopt;
    const Val& c = a[0];
    Val lo = a.size() > 1 ? a[1] : Val();
    Val hi = a.size() > 2 ? a[2] : Val();
    Val st = a.size() > 3 ? a[3] : Val::integer(1);
    if (c.kind == VKind::string) {
      int64_t b, e, s;
      slice_bounds(in, lo, hi, st, int64_t(c.str().size()), b, e, s);
      std::string out;
      for (int64_t k = b; s > 0 ? k < e : k > e; k += s) out += c.str()[size_t(k)];
      return Val::string(out);
    }
    if (!c.is_sequence()) in.fail(std::string("cannot slice a ") + vkind_name(c.kind), ErrorCode::corrupt);
    const auto& items = c.items();
    int64_t b, e, s;
    slice_bounds(in, lo, hi, st, int64_t(items.size()), b, e, s);
    Vals out;
    for (int64_t k = b; s > 0 ? k < e : k > e; k += s) out.push_back(items[size_t(k)]);
    return c.kind == VKind::list ? Val::list(std::move(out)) : Val::tuple(std::move(out));
  };
  m["builtins::range"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    int64_t lo = 0, hi = 0, st = 1;
    if (a.size() == 1) hi = to_int(in, a[0]);
    else if (a.size() >= 2) lo = to_int(in, a[0]), hi = to_int(in, a[1]);
    if (a.size() == 3) st = to_int(in, a[2]);
    if (st == 0) in.fail("range() step must not be zero", ErrorCode::corrupt);
    Vals out;
    for (int64_t k = lo; st > 0 ? k < hi : k > hi; k += st) {
      out.push_back(Val::integer(k));
      if (out.size() > (size_t(1) << 24)) in.fail("range() longer than 16M elements", ErrorCode::limit_exceeded);
    }
    return Val::list(std::move(out));
  };
  m["builtins::enumerate"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& c = arg(in, a, 0, "enumerate");
    if (!c.is_sequence()) in.fail("enumerate() of a non-sequence", ErrorCode::corrupt);
    int64_t start = a.size() > 1 ? to_int(in, a[1]) : 0;
    Vals out;
    for (const auto& x : c.items()) out.push_back(Val::tuple({Val::integer(start++), x}));
    return Val::list(std::move(out));
  };
  m["builtins::zip"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    size_t n = std::numeric_limits<size_t>::max();
    for (const auto& c : a) {
      if (!c.is_sequence()) in.fail("zip() of a non-sequence", ErrorCode::corrupt);
      n = std::min(n, c.items().size());
    }
    Vals out;
    for (size_t k = 0; !a.empty() && k < n; ++k) {
      Vals row;
      for (const auto& c : a) row.push_back(c.items()[k]);
      out.push_back(Val::tuple(std::move(row)));
    }
    return Val::list(std::move(out));
  };
  m["aten::__range_length"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    int64_t lo = to_int(in, arg(in, a, 0, "__range_length")), hi = to_int(in, arg(in, a, 1, "__range_length")),
            st = to_int(in, arg(in, a, 2, "__range_length"));
    if (st == 0) in.fail("range() step must not be zero", ErrorCode::corrupt);
    if (st > 0 ? lo >= hi : lo <= hi) return Val::integer(0);
    return Val::integer(st > 0 ? (hi - lo + st - 1) / st : (lo - hi - st - 1) / -st);
  };
  m["aten::__derive_index"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    return Val::integer(to_int(in, arg(in, a, 1, "__derive_index")) +
                        to_int(in, arg(in, a, 0, "__derive_index")) * to_int(in, arg(in, a, 2, "__derive_index")));
  };
  m["aten::any"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || !a[0].is_sequence()) return std::nullopt;
    for (const auto& x : a[0].items())
      if (in.truthy(x)) return Val::boolean(true);
    return Val::boolean(false);
  };
  m["aten::all"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || !a[0].is_sequence()) return std::nullopt;
    for (const auto& x : a[0].items())
      if (!in.truthy(x)) return Val::boolean(false);
    return Val::boolean(true);
  };
  m["builtins::any"] = m["aten::any"];
  m["builtins::all"] = m["aten::all"];
  m["aten::sum"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    if (a.size() != 1 || !a[0].is_sequence()) return std::nullopt;
    bool all_int = true;
    double s = 0;
    for (const auto& x : a[0].items()) {
      all_int = all_int && is_int_like(x);
      s += to_float(in, x);
    }
    return number(s, all_int);
  };
  m["builtins::sum"] = m["aten::sum"];
  m["aten::list_with_default"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& l = arg(in, a, 0, "list_with_default");
    const Val& d = arg(in, a, 1, "list_with_default");
    if (!l.is_sequence() || !d.is_sequence()) return std::nullopt;
    Vals out = l.items();
    const auto& defaults = d.items();
    for (size_t k = 0; k < out.size(); ++k)
      if (out[k].is_none()) {
        size_t from_end = out.size() - k;
        if (from_end > defaults.size()) in.fail("list_with_default: too few defaults", ErrorCode::corrupt);
        out[k] = defaults[defaults.size() - from_end];
      }
    return Val::list(std::move(out));
  };
  m["aten::_infer_size"] = [](Interpreter& in, Vals& a, Kwargs&) -> std::optional<Val> {
    const Val& x = arg(in, a, 0, "_infer_size");
    const Val& y = arg(in, a, 1, "_infer_size");
    if (!x.is_sequence() || !y.is_sequence()) return std::nullopt;
    const auto& p = x.items();
    const auto& q = y.items();
    size_t n = std::max(p.size(), q.size());
    Vals out(n);
    for (size_t k = 0; k < n; ++k) {
      int64_t u = k + p.size() >= n ? to_int(in, p[k + p.size() - n]) : 1;
      int64_t v = k + q.size() >= n ? to_int(in, q[k + q.size() - n]) : 1;
      if (u != v && u != 1 && v != 1) in.fail("sizes do not broadcast", ErrorCode::corrupt);
      out[k] = Val::integer(u == 1 ? v : u);
    }
    return Val::list(std::move(out));
  };
}

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
  m["aten::keys"] = [](Interpreter& in, Vals& a, Kwargs&) {
    return entries(in, a, "keys", [](const Val& k, const Val&) { return k; });
  };
  m["aten::values"] = [](Interpreter& in, Vals& a, Kwargs&) {
    return entries(in, a, "values", [](const Val&, const Val& v) { return v; });
  };
  m["aten::items"] = [](Interpreter& in, Vals& a, Kwargs&) {
    return entries(in, a, "items", [](const Val& k, const Val& v) { return Val::tuple({k, v}); });
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

}  // namespace

void register_containers(Table& m) {
  register_sequence_access(m);
  register_list_methods(m);
  register_sequence_builders(m);
  register_dicts(m);
}

}  // namespace ptscope::graph::builtin
