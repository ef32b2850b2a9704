// Statement execution: blocks, assignments, if/while/for, return/break/continue,
// raise and assert, with the step budget checked on every statement.
#include "graph/interpreter.h"

namespace ptscope::graph {

using namespace ts;

Interpreter::Flow Interpreter::exec_block(const Block& block) {
  for (const auto& s : block) {
    Flow f = exec(*s);
    if (f != Flow::normal) return f;
  }
  return Flow::normal;
}

Interpreter::Flow Interpreter::exec(const Stmt& s) {
  step();
  loc_ = s.loc;
  Frame& frame = *frames_.back();
  if (const Assign* a = s.as<Assign>()) {
    Val v = eval(*a->value);
    for (const auto& t : a->targets) assign(*t, v);
    return Flow::normal;
  }
  if (const ExprStmt* e = s.as<ExprStmt>()) {
    eval(*e->value);
    return Flow::normal;
  }
  if (const If* i = s.as<If>()) {
    Val test = eval(*i->test);
    loc_ = s.loc;
    return exec_block(truthy(test, "if condition") ? i->body : i->orelse);
  }
  if (const Return* r = s.as<Return>()) {
    frame.ret = r->value ? eval(*r->value) : Val();
    return Flow::return_;
  }
  if (const AnnAssign* a = s.as<AnnAssign>()) {
    if (!a->value) return Flow::normal;
    Val v = eval(*a->value);
    annotate_value(*a->annotation, v);
    assign(*a->target, v);
    return Flow::normal;
  }
  if (const For* f = s.as<For>()) return exec_for(*f);
  if (const While* w = s.as<While>()) {
    int64_t n = 0;
    while (true) {
      loc_ = s.loc;
      Val test = eval(*w->test);
      loc_ = s.loc;
      if (!truthy(test, "while condition")) break;
      if (++n > limits_.max_loop_iterations)
        fail("while loop ran more than " + std::to_string(limits_.max_loop_iterations) + " iterations",
             ErrorCode::limit_exceeded);
      Flow fl = exec_block(w->body);
      if (fl == Flow::break_) return Flow::normal;
      if (fl == Flow::return_) return fl;
    }
    return exec_block(w->orelse);
  }
  if (const AugAssign* a = s.as<AugAssign>()) {
    Val cur = eval(*a->target);
    Val rhs = eval(*a->value);
    assign(*a->target, binary(a->op, cur, rhs));
    return Flow::normal;
  }
  if (s.is<Pass>()) return Flow::normal;
  if (s.is<Break>()) return Flow::break_;
  if (s.is<Continue>()) return Flow::continue_;
  if (const Raise* r = s.as<Raise>()) {
    std::string msg = r->exc ? val_str(eval(*r->exc)) : "exception";
    loc_ = s.loc;
    fail("the model raises: " + msg, ErrorCode::unsupported);
  }
  if (const Assert* a = s.as<Assert>()) {
    Val test = eval(*a->test);
    loc_ = s.loc;
    if (!truthy(test, "assert")) {
      std::string msg = a->msg ? val_str(eval(*a->msg)) : "";
      loc_ = s.loc;
      fail("assertion failed" + (msg.empty() ? std::string() : ": " + msg), ErrorCode::unsupported);
    }
    return Flow::normal;
  }
  if (const With* w = s.as<With>()) {
    for (const auto& item : w->items) {
      Val ctx = eval(*item.context);
      if (item.var) assign(*item.var, ctx);
    }
    return exec_block(w->body);
  }
  if (const Delete* d = s.as<Delete>()) {
    for (const auto& t : d->targets) {
      if (const Name* n = t->as<Name>()) {
        frame.vars.erase(n->id);
      } else if (const Subscript* sub = t->as<Subscript>()) {
        Val container = eval(*sub->value);
        Val key = eval(*sub->index);
        call_op("aten::__delitem__", {container, key});
      }
    }
    return Flow::normal;
  }
  if (const FunctionDef* def = s.as<FunctionDef>()) {
    // A nested def (fork bodies): it sees the enclosing frame's variables.
    auto closure = std::make_shared<std::unordered_map<std::string_view, Val>>(frame.vars);
    if (frame.closure)
      for (const auto& [k, v] : *frame.closure) closure->emplace(k, v);
    Val fn = Val::function(def, def->name, def->loc.file);
    fn.as<FuncBox>().closure = closure;
    frame.vars[def->name] = fn;
    return Flow::normal;
  }
  if (s.is<Global>() || s.is<Import>()) return Flow::normal;
  fail("unsupported statement");
}

Interpreter::Flow Interpreter::exec_for(const For& f) {
  int64_t count = 0;
  auto body = [&](Val item) -> std::optional<Flow> {
    if (++count > limits_.max_loop_iterations)
      fail("for loop ran more than " + std::to_string(limits_.max_loop_iterations) + " iterations",
           ErrorCode::limit_exceeded);
    assign(*f.target, std::move(item));
    Flow fl = exec_block(f.body);
    if (fl == Flow::break_) return Flow::normal;
    if (fl == Flow::return_) return fl;
    return std::nullopt;
  };
  const Loc loop_loc = loc_;
  // range() without materialising the list
  if (const Call* c = f.iter->as<Call>(); c && is_name(*c->func, "range") && c->keywords.empty()) {
    Vals a;
    for (const auto& e : c->args) a.push_back(eval(*e));
    loc_ = loop_loc;
    int64_t lo = 0, hi = 0, st = 1;
    auto as_int = [&](const Val& v) -> int64_t {
      if (v.kind == VKind::integer) return v.i;
      if (v.kind == VKind::boolean) return v.b;
      return call_op("builtins::int", {v}).i;
    };
    if (a.size() == 1) hi = as_int(a[0]);
    else if (a.size() >= 2) lo = as_int(a[0]), hi = as_int(a[1]);
    if (a.size() == 3) st = as_int(a[2]);
    if (a.empty() || a.size() > 3) fail("range() takes 1 to 3 arguments", ErrorCode::usage);
    if (st == 0) fail("range() step must not be zero", ErrorCode::usage);
    for (int64_t k = lo; st > 0 ? k < hi : k > hi; k += st)
      if (auto fl = body(Val::integer(k))) return *fl;
    return exec_block(f.orelse);
  }
  Val it = eval(*f.iter);
  loc_ = loop_loc;
  Vals items;
  switch (it.kind) {
    case VKind::list:
    case VKind::tuple: items = it.items(); break;  // a copy: the body may mutate the list
    case VKind::dict:
      for (const auto& [k, v] : it.as<DictBox>().items) items.push_back(k);
      break;
    case VKind::string:
      for (char ch : it.str()) items.push_back(Val::string(std::string(1, ch)));
      break;
    case VKind::object:
      if (it.as<ObjBox>().is_module) {
        int64_t n = module_len(it);
        for (int64_t k = 0; k < n; ++k) items.push_back(get_attr(it, std::to_string(k)));
        break;
      }
      [[fallthrough]];
    case VKind::tensor: {
      if (it.kind == VKind::tensor) {
        Val n = call_op("aten::len", {it});
        for (int64_t k = 0; k < n.i; ++k) items.push_back(call_op("aten::select", {it, Val::integer(0), Val::integer(k)}));
        break;
      }
      [[fallthrough]];
    }
    default: fail(std::string("cannot iterate over a ") + vkind_name(it.kind));
  }
  for (auto& item : items)
    if (auto fl = body(std::move(item))) return *fl;
  return exec_block(f.orelse);
}

void Interpreter::assign(const Expr& target, Val value) {
  if (const Name* n = target.as<Name>()) {
    frames_.back()->vars[n->id] = std::move(value);
    return;
  }
  if (target.is<Tuple>() || target.is<List>()) {
    const ExprList& elts = target.is<Tuple>() ? target.as<Tuple>()->elts : target.as<List>()->elts;
    Vals items;
    if (value.is_sequence()) {
      items = value.items();
    } else if (value.is_tensor()) {
      Val n = call_op("aten::len", {value});
      for (int64_t k = 0; k < n.i; ++k) items.push_back(call_op("aten::select", {value, Val::integer(0), Val::integer(k)}));
    } else {
      fail(std::string("cannot unpack a ") + vkind_name(value.kind));
    }
    if (items.size() != elts.size())
      fail("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(elts.size()) + " names",
           ErrorCode::corrupt);
    for (size_t k = 0; k < elts.size(); ++k) assign(*elts[k], std::move(items[k]));
    return;
  }
  if (const Attribute* a = target.as<Attribute>()) {
    set_attr(eval(*a->value), a->attr, std::move(value));
    return;
  }
  if (const Subscript* s = target.as<Subscript>()) {
    Val container = eval(*s->value);
    Val key = eval(*s->index);
    call_op("aten::_set_item", {container, key, std::move(value)});
    return;
  }
  fail("unsupported assignment target");
}

// Records an empty list's element type from its annotation (List[Tensor] → "Tensor").
void Interpreter::annotate_value(const Expr& type, const Val& v) {
  if (v.kind != VKind::list) return;
  const Subscript* s = type.as<Subscript>();
  if (!s || !is_name(*s->value, "List")) return;
  if (const Name* elem = s->index->as<Name>()) v.as<SeqBox>().elem_type = elem->id;
  else if (const Subscript* inner = s->index->as<Subscript>(); inner && is_name(*inner->value, "Optional"))
    if (const Name* e = inner->index->as<Name>()) v.as<SeqBox>().elem_type = e->id + "?";
}

}  // namespace ptscope::graph
