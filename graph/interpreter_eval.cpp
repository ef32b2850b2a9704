// Expression evaluation: names, literals, attributes, subscripts, calls and
// the special forms (isinstance, annotate ...), operators and truthiness.
#include "graph/interpreter.h"

#include <cmath>
#include <iterator>
#include <limits>

#include "core/enum_names.h"

namespace ptscope::graph {

using namespace ts;

namespace {

// Dotted text of an attribute chain (`__torch__.a.B`), or "" when it is not one.
std::string dotted(const Expr& e) {
  if (const Name* n = e.as<Name>()) return n->id;
  if (const Attribute* a = e.as<Attribute>()) {
    std::string base = dotted(*a->value);
    return base.empty() ? "" : base + "." + a->attr;
  }
  return "";
}

}  // namespace

Val Interpreter::lookup(const std::string& name) {
  Frame& f = *frames_.back();
  auto it = f.vars.find(name);
  // An uninitialized(T) placeholder may be copied around; only using it is an error.
  if (it != f.vars.end()) return it->second;
  if (f.closure) {
    auto c = f.closure->find(name);
    if (c != f.closure->end()) return c->second;
  }
  if (name == "torch" || name == "ops" || name == "__torch__" || name == "math" || name == "CONSTANTS")
    return Val::ns(name);
  if (name == "inf") return Val::floating(std::numeric_limits<double>::infinity());
  if (name == "nan") return Val::floating(std::numeric_limits<double>::quiet_NaN());
  static const char* const kBuiltins[] = {"int", "float", "bool", "str", "len", "range", "print", "list", "tuple",
                                          "dict", "min", "max", "abs", "sorted", "round", "divmod", "sum", "any",
                                          "all", "ord", "chr", "enumerate", "zip", "hash", "complex", "pow"};
  for (const char* b : kBuiltins)
    if (name == b) return Val::ns(std::string("builtins.") + b);
  fail("name '" + name + "' is not defined", ErrorCode::corrupt);
}

Val Interpreter::eval(const Expr& e) {
  if (const Call* c = e.as<Call>()) return eval_call(e, *c);
  if (const Name* n = e.as<Name>()) return lookup(n->id);
  if (const Attribute* a = e.as<Attribute>()) return eval_attribute(*a);
  if (const IntLit* i = e.as<IntLit>()) return Val::integer(i->value);
  if (e.is<NoneLit>()) return Val();
  if (const BoolLit* b = e.as<BoolLit>()) return Val::boolean(b->value);
  if (const FloatLit* fl = e.as<FloatLit>()) return Val::floating(fl->value);
  if (const StrLit* s = e.as<StrLit>()) {
    if (s->kind == StrKind::fstring) fail("f-strings are not supported");
    return Val::string(s->value);
  }
  if (const Subscript* s = e.as<Subscript>()) return eval_subscript(*s);
  if (const Tuple* t = e.as<Tuple>()) {
    Vals items;
    items.reserve(t->elts.size());
    for (const auto& x : t->elts) items.push_back(eval(*x));
    return Val::tuple(std::move(items));
  }
  if (const List* l = e.as<List>()) {
    Vals items;
    eval_spread(l->elts, items);
    return Val::list(std::move(items));
  }
  if (const UnaryOp* u = e.as<UnaryOp>()) {
    Val v = eval(*u->operand);
    switch (u->op) {
      case UnaryOpKind::not_: return Val::boolean(!truthy(v, "not"));
      case UnaryOpKind::neg: return call_op("aten::neg", {v});
      case UnaryOpKind::pos: return v;
      case UnaryOpKind::invert: return call_op("aten::__invert__", {v});
    }
  }
  if (const BinOp* b = e.as<BinOp>()) {
    Val l = eval(*b->left);
    Val r = eval(*b->right);
    return binary(b->op, l, r);
  }
  if (const BoolOp* b = e.as<BoolOp>()) {
    Val l = eval(*b->left);
    bool t = truthy(l, b->op == BoolOpKind::and_ ? "and" : "or");
    if (b->op == BoolOpKind::and_ ? !t : t) return l;
    return eval(*b->right);
  }
  if (const Compare* c = e.as<Compare>()) {
    Val left = eval(*c->left);
    Val result;
    for (size_t k = 0; k < c->ops.size(); ++k) {
      Val right = eval(*c->comparators[k]);
      result = compare(c->ops[k], left, right);
      if (k + 1 < c->ops.size() && !truthy(result, "comparison")) return result;
      left = std::move(right);
    }
    return result;
  }
  if (const IfExp* i = e.as<IfExp>()) return truthy(eval(*i->test), "conditional expression") ? eval(*i->body) : eval(*i->orelse);
  if (const Dict* d = e.as<Dict>()) {
    Val v;
    v.kind = VKind::dict;
    auto box = std::make_shared<DictBox>();
    for (size_t k = 0; k < d->keys.size(); ++k) {
      Val key = eval(*d->keys[k]);
      Val value = eval(*d->values[k]);
      if (Val* slot = box->find(key)) *slot = std::move(value);
      else box->items.emplace_back(std::move(key), std::move(value));
    }
    v.box = box;
    return v;
  }
  if (e.is<ImagLit>()) {
    Val c;
    c.kind = VKind::complex;
    auto box = std::make_shared<ComplexBox>();
    box->im = e.as<ImagLit>()->value;
    c.box = box;
    return c;
  }
  if (const Set* s = e.as<Set>()) {
    Vals items;
    for (const auto& x : s->elts) items.push_back(eval(*x));
    return Val::list(std::move(items));
  }
  if (e.is<EllipsisLit>()) return Val::ns("builtins.Ellipsis");
  raise_at(e.loc, "unsupported expression: " + to_source(e), ErrorCode::unsupported);
}

Val Interpreter::eval_attribute(const Attribute& a) {
  if (is_name(*a.value, "CONSTANTS") && frames_.back()->vars.count("CONSTANTS") == 0) {
    if (a.attr.size() < 2 || a.attr[0] != 'c') fail("bad constant reference CONSTANTS." + a.attr, ErrorCode::corrupt);
    size_t index = 0;
    try {
      index = std::stoul(a.attr.substr(1));
    } catch (const std::exception&) {
      fail("bad constant reference CONSTANTS." + a.attr, ErrorCode::corrupt);
    }
    if (index >= model_.constants.size())
      fail("CONSTANTS." + a.attr + " is out of range (constants.pkl has " + std::to_string(model_.constants.size()) +
               ")",
           ErrorCode::corrupt);
    if (constants_.size() != model_.constants.size()) constants_.resize(model_.constants.size(), Val::uninit());
    Val& slot = constants_[index];
    if (slot.kind == VKind::uninit) {
      const PyRef& c = model_.constants[index];
      slot = c && c->kind == PyKind::tensor ? tensor_val(c->tensor, "CONSTANTS." + a.attr, true) : from_py(c, "CONSTANTS", a.attr);
      if (slot.is(VKind::object) && slot.as<ObjBox>().path.empty()) slot.as<ObjBox>().path = "CONSTANTS." + a.attr;
    }
    return slot;
  }
  Val base = eval(*a.value);
  return get_attr(base, a.attr);
}

Val Interpreter::eval_subscript(const Subscript& s) {
  Val base = eval(*s.value);
  if (const Slice* sl = s.index->as<Slice>()) {
    Val lo = sl->lower ? eval(*sl->lower) : Val();
    Val hi = sl->upper ? eval(*sl->upper) : Val();
    Val st = sl->step ? eval(*sl->step) : Val::integer(1);
    if (base.is_tensor())
      return call_op("aten::slice", {base, Val::integer(0), lo, hi, st});
    return call_op("aten::slice", {base, lo, hi, st});
  }
  if (base.is_tensor()) {
    // Python indexing on tensors: ints select, slices slice, None adds a dim, one dim at a time.
    std::vector<const Expr*> idx;
    if (const Tuple* t = s.index->as<Tuple>()) {
      for (const auto& x : t->elts) idx.push_back(x.get());
    } else {
      idx.push_back(s.index.get());
    }
    Val cur = base;
    int64_t dim = 0;
    for (const Expr* x : idx) {
      if (const Slice* sl = x->as<Slice>()) {
        Val lo = sl->lower ? eval(*sl->lower) : Val();
        Val hi = sl->upper ? eval(*sl->upper) : Val();
        Val st = sl->step ? eval(*sl->step) : Val::integer(1);
        cur = call_op("aten::slice", {cur, Val::integer(dim), lo, hi, st});
        ++dim;
      } else if (x->is<NoneLit>()) {
        cur = call_op("aten::unsqueeze", {cur, Val::integer(dim)});
        ++dim;
      } else {
        Val k = eval(*x);
        if (k.is_tensor()) {
          cur = call_op("aten::index", {cur, Val::list({k})});
          ++dim;
        } else {
          cur = call_op("aten::select", {cur, Val::integer(dim), k});
        }
      }
    }
    return cur;
  }
  Val key = eval(*s.index);
  return call_op("aten::__getitem__", {base, key});
}

void Interpreter::eval_spread(const ExprList& elts, Vals& out) {
  out.reserve(out.size() + elts.size());
  for (const auto& x : elts) {
    if (const Starred* st = x->as<Starred>()) {
      Val v = eval(*st->value);
      if (!v.is_sequence()) fail("cannot unpack a non-sequence with *");
      for (const auto& y : v.items()) out.push_back(y);
    } else {
      out.push_back(eval(*x));
    }
  }
}

void Interpreter::eval_args(const Call& c, Vals& args, Kwargs& kwargs) {
  eval_spread(c.args, args);
  for (const auto& k : c.keywords) {
    if (k.name.empty()) fail("**kwargs calls are not supported");
    kwargs.emplace_back(k.name, eval(*k.value));
  }
}

Val Interpreter::eval_call(const Expr& e, const Call& c) {
  step();
  if (const Name* n = c.func->as<Name>()) {
    auto& vars = frames_.back()->vars;
    if (!vars.count(n->id)) {
      static const char* const kForms[] = {"annotate", "unchecked_cast", "uninitialized", "isinstance",
                                           "getattr",  "hasattr",        "fork",          "range"};
      for (const char* f : kForms)
        if (n->id == f) return special_form(e, n->id, c);
    }
  }
  if (const Attribute* a = c.func->as<Attribute>()) {
    Val recv = eval(*a->value);
    if (recv.kind == VKind::klass && a->attr == "__new__") return new_object(recv.as<ClassBox>().cls);
    Vals args;
    Kwargs kwargs;
    eval_args(c, args, kwargs);
    loc_ = e.loc;
    switch (recv.kind) {
      case VKind::object:
        if (find_method(recv, a->attr)) return call_method(recv, a->attr, std::move(args), std::move(kwargs));
        return call_value(get_attr(recv, a->attr), std::move(args), std::move(kwargs));
      case VKind::ns: {
        if (recv.str() == "CONSTANTS") break;
        Val fn = get_attr(recv, a->attr);
        loc_ = e.loc;
        return call_value(fn, std::move(args), std::move(kwargs));
      }
      case VKind::tensor:
      case VKind::list:
      case VKind::string:
      case VKind::dict: {
        // Python method syntax: x.size(0), l.append(v), "{}".format(v)
        args.insert(args.begin(), recv);
        std::string op = "aten::" + a->attr;
        if (recv.kind == VKind::list && a->attr == "copy") op = "aten::list";
        return call_op(op, std::move(args), std::move(kwargs));
      }
      default: break;
    }
    Val fn = get_attr(recv, a->attr);
    loc_ = e.loc;
    return call_value(fn, std::move(args), std::move(kwargs));
  }
  Val fn = eval(*c.func);
  Vals args;
  Kwargs kwargs;
  eval_args(c, args, kwargs);
  loc_ = e.loc;
  return call_value(fn, std::move(args), std::move(kwargs));
}

Val Interpreter::special_form(const Expr& e, const std::string& name, const Call& c) {
  auto need = [&](size_t n) {
    if (c.args.size() < n) raise_at(e.loc, name + "() needs " + std::to_string(n) + " arguments", ErrorCode::corrupt);
  };
  if (name == "annotate" || name == "unchecked_cast") {
    need(2);
    Val v = eval(*c.args[1]);
    if (name == "annotate") annotate_value(*c.args[0], v);
    // Traced code passes sizes as 0-d tensors where a number is expected
    // (`torch.arange(0, annotate(number, _2))`): TorchScript's implicit
    // Tensor → Scalar/int/float conversion, on the tensor's known value.
    const Name* target = c.args[0]->as<Name>();
    if (v.is_tensor() && target && (target->id == "number" || target->id == "int" || target->id == "float")) {
      auto values = tensor_values(v);
      if (!values || values->size() != 1) data_dependent(name + "(" + target->id + ", ...) of a computed tensor");
      const auto& info = dtype_info(v.as<TensorBox>().meta.dtype);
      const bool integral = !info.is_floating && !info.is_complex && target->id != "float";
      return integral || target->id == "int" ? Val::integer(int64_t((*values)[0])) : Val::floating((*values)[0]);
    }
    return v;
  }
  if (name == "uninitialized") return Val::uninit();
  if (name == "isinstance") {
    need(2);
    Val v = eval(*c.args[0]);
    return Val::boolean(matches_type(v, *c.args[1]));
  }
  if (name == "getattr" || name == "hasattr") {
    need(2);
    Val obj = eval(*c.args[0]);
    Val attr = eval(*c.args[1]);
    loc_ = e.loc;
    if (attr.kind != VKind::string) fail(name + "() needs a string attribute name", ErrorCode::corrupt);
    if (name == "hasattr") return Val::boolean(has_attr(obj, attr.str()));
    if (c.args.size() > 2 && !has_attr(obj, attr.str())) return eval(*c.args[2]);
    return get_attr(obj, attr.str());
  }
  if (name == "fork") {
    need(1);
    Val fn = eval(*c.args[0]);
    Vals args;
    for (size_t k = 1; k < c.args.size(); ++k) args.push_back(eval(*c.args[k]));
    Kwargs kwargs;
    for (const auto& kw : c.keywords) kwargs.emplace_back(kw.name, eval(*kw.value));
    loc_ = e.loc;
    Val fut;
    fut.kind = VKind::future;
    auto box = std::make_shared<FutureBox>();
    box->value = call_value(fn, std::move(args), std::move(kwargs));
    fut.box = box;
    return fut;
  }
  // range() outside a for statement: a list
  Vals args;
  Kwargs kwargs;
  eval_args(c, args, kwargs);
  loc_ = e.loc;
  return call_op("builtins::range", std::move(args), std::move(kwargs));
}

bool Interpreter::matches_type(const Val& v, const Expr& type) {
  if (const Tuple* alts = type.as<Tuple>()) {
    for (const auto& t : alts->elts)
      if (matches_type(v, *t)) return true;
    return false;
  }
  if (const Name* n = type.as<Name>()) {
    const std::string& t = n->id;
    if (t == "Tensor") return v.is_tensor();
    if (t == "int") return v.kind == VKind::integer;
    if (t == "float") return v.kind == VKind::floating;
    if (t == "bool") return v.kind == VKind::boolean;
    if (t == "str") return v.kind == VKind::string;
    if (t == "complex") return v.kind == VKind::complex;
    if (t == "number" || t == "Scalar") return v.is_number();
    if (t == "NoneType" || t == "None") return v.is_none();
    if (t == "Device") return v.kind == VKind::device;
    if (t == "Any") return true;
    if (t == "list" || t == "List") return v.kind == VKind::list;
    if (t == "tuple" || t == "Tuple") return v.kind == VKind::tuple;
    if (t == "dict" || t == "Dict") return v.kind == VKind::dict;
    return false;
  }
  if (type.is<NoneLit>()) return v.is_none();
  if (const Subscript* s = type.as<Subscript>()) {
    std::string head = dotted(*s->value);
    std::vector<const Expr*> params;
    if (const Tuple* t = s->index->as<Tuple>()) {
      for (const auto& x : t->elts) params.push_back(x.get());
    } else {
      params.push_back(s->index.get());
    }
    if (head == "Optional") return v.is_none() || matches_type(v, *params[0]);
    if (head == "Union") {
      for (const Expr* p : params)
        if (matches_type(v, *p)) return true;
      return false;
    }
    if (head == "List") {
      if (v.kind != VKind::list) return false;
      const auto& box = v.as<SeqBox>();
      if (box.items.empty()) {
        const Name* elem = params[0]->as<Name>();
        return box.elem_type.empty() || !elem || box.elem_type == elem->id;
      }
      for (const auto& x : box.items)
        if (!matches_type(x, *params[0])) return false;
      return true;
    }
    if (head == "Tuple") {
      if (v.kind != VKind::tuple) return false;
      const auto& items = v.items();
      if (params.size() == 1 && params[0]->is<Tuple>() && params[0]->as<Tuple>()->elts.empty()) return items.empty();
      if (items.size() != params.size()) return false;
      for (size_t k = 0; k < items.size(); ++k)
        if (!matches_type(items[k], *params[k])) return false;
      return true;
    }
    if (head == "Dict") {
      if (v.kind != VKind::dict) return false;
      for (const auto& [k, x] : v.as<DictBox>().items)
        if (!matches_type(k, *params[0]) || (params.size() > 1 && !matches_type(x, *params[1]))) return false;
      return true;
    }
    if (head == "Future") return v.kind == VKind::future;
    return false;
  }
  std::string qual = dotted(type);
  if (!qual.empty()) {
    if (v.kind == VKind::object) return v.as<ObjBox>().qualname == qual;
    if (v.kind == VKind::tuple) return v.as<SeqBox>().named == qual;
    if (v.kind == VKind::enum_value) return v.as<EnumBox>().qualname == qual;
  }
  return false;
}

Val Interpreter::binary(BinOpKind op, const Val& a, const Val& b) {
  // The op TorchScript's compiler emits for each operator, in BinOpKind's order.
  static constexpr const char* kOps[] = {"aten::add",        "aten::sub",        "aten::mul",    "aten::div",
                                         "aten::floordiv",   "aten::remainder",  "aten::pow",    "aten::matmul",
                                         "aten::__lshift__", "aten::__rshift__", "aten::__or__", "aten::__xor__",
                                         "aten::__and__"};
  static_assert(std::size(kOps) == enum_count(BinOpKind::bit_and));
  const char* name = enum_name(op, kOps, nullptr);
  if (op == BinOpKind::floordiv && (a.is_tensor() || b.is_tensor())) name = "aten::floor_divide";
  return call_op(name, {a, b});
}

Val Interpreter::compare(CmpOpKind op, const Val& a, const Val& b) {
  switch (op) {
    case CmpOpKind::eq: return call_op("aten::eq", {a, b});
    case CmpOpKind::ne: return call_op("aten::ne", {a, b});
    case CmpOpKind::lt: return call_op("aten::lt", {a, b});
    case CmpOpKind::le: return call_op("aten::le", {a, b});
    case CmpOpKind::gt: return call_op("aten::gt", {a, b});
    case CmpOpKind::ge: return call_op("aten::ge", {a, b});
    case CmpOpKind::is: return Val::boolean(val_identical(a, b));
    case CmpOpKind::is_not: return Val::boolean(!val_identical(a, b));
    case CmpOpKind::in: return call_op("aten::__contains__", {b, a});
    case CmpOpKind::not_in: return Val::boolean(!truthy(call_op("aten::__contains__", {b, a})));
  }
  return Val();
}

bool Interpreter::truthy(const Val& v, const char* context) {
  switch (v.kind) {
    case VKind::none: return false;
    case VKind::boolean: return v.b;
    case VKind::integer: return v.i != 0;
    case VKind::floating: return v.f != 0;
    case VKind::string: return !v.str().empty();
    case VKind::list:
    case VKind::tuple: return !v.items().empty();
    case VKind::dict: return !v.as<DictBox>().items.empty();
    case VKind::tensor: {
      if (v.as<TensorBox>().placeholder >= 0 && observer_) return truthy(observer_->consumed("builtins::bool", {v}, {}), context);
      if (auto values = tensor_values(v); values && values->size() == 1) return (*values)[0] != 0;
      if (v.as<TensorBox>().meta.numel() != 1)
        fail("bool() of a tensor with " + std::to_string(v.as<TensorBox>().meta.numel()) +
                 " elements is ambiguous (" + context + ")",
             ErrorCode::corrupt);
      data_dependent(std::string(context) == "bool()" ? "bool() of a tensor"
                                                      : std::string("bool() of a tensor (") + context + ")");
    }
    case VKind::uninit: fail("an uninitialized value is used", ErrorCode::corrupt);
    default: return true;
  }
}

}  // namespace ptscope::graph
