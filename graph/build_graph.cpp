// build_graph: the method run on shape-only tensors, for the inputs given
// with --input or inferred. The method's signature says how each argument is
// passed; the search (graph/input_search.h) proposes shapes for the tensors
// not given; full runs confirm them: the first combination the model accepts
// wins, with a size search when a failure says the input is too big or small.
#include "graph/export_graph.h"
#include "graph/input_inference.h"
#include "graph/input_search.h"

#include <algorithm>

namespace ptscope::graph {
namespace {

using inference::Candidate;
using inference::ParamPlan;
using inference::Slot;
using inference::is_retryable;
using inference::shape_text;
using inference::size_direction;

std::string type_text(const ts::Param& p) { return p.annotation ? ts::to_source(*p.annotation) : "Tensor"; }

// How the method's arguments are passed, the tensors to fill, and notes on
// the arguments not passed as tensors.
struct ArgumentPlan {
  std::vector<Slot> slots;
  std::vector<ParamPlan> plan;
  std::vector<std::string> notes;
};

ArgumentPlan plan_arguments(const ts::FunctionDef* def, const GraphOptions& options) {
  std::vector<const ts::Param*> params;
  for (size_t k = 1; k < def->params.size(); ++k) params.push_back(&def->params[k]);

  // Explicit specs: by name, then the rest in argument order.
  std::vector<std::string> param_names;
  for (const auto* p : params) param_names.push_back(p->name);
  const std::vector<const InputSpec*> given = match_input_specs(
      options.inputs, param_names,
      [&](const InputSpec& spec) {
        std::string names;
        for (const auto& n : param_names) names += (names.empty() ? "" : ", ") + n;
        return "--input " + spec.name + ": " + options.method + "() has no argument '" + spec.name +
               "' (arguments: " + (names.empty() ? "none" : names) + ")";
      },
      [&] {
        return std::to_string(options.inputs.size()) + " --input values for " + std::to_string(params.size()) +
               " arguments of " + options.method + "()";
      });

  ArgumentPlan planned;
  std::vector<Slot>& slots = planned.slots;
  std::vector<ParamPlan>& plan = planned.plan;
  std::vector<std::string>& notes = planned.notes;
  for (size_t k = 0; k < params.size(); ++k) {
    const ts::Param& p = *params[k];
    ParamPlan pp;
    pp.name = p.name;
    const std::string type = type_text(p);
    const InputSpec* spec = given[k];
    auto add_slot = [&](const std::string& name, const InputSpec* s) {
      Slot slot;
      slot.name = name;
      if (s) {
        Candidate c;
        c.shape = s->shape;
        c.dtype = s->dtype.value_or(DType::float32);
        c.why = "given";
        slot.fixed = c;
      }
      slots.push_back(std::move(slot));
      pp.slots.push_back(slots.size() - 1);
    };
    if (spec && spec->scalar) {
      pp.kind = ParamPlan::scalar;
      pp.scalar_value = spec->scalar_is_bool  ? Val::boolean(*spec->scalar != 0)
                        : spec->scalar_is_int ? Val::integer(int64_t(*spec->scalar))
                                              : Val::floating(*spec->scalar);
    } else if (spec) {
      pp.kind = ParamPlan::tensor;
      add_slot(p.name, spec);
    } else if (p.default_value || p.kind == ts::ParamKind::var_positional || p.kind == ts::ParamKind::var_keyword) {
      pp.kind = ParamPlan::omit;
      if (p.default_value) notes.push_back("argument '" + p.name + "' left at its default (" + ts::to_source(*p.default_value) + ")");
    } else if (type == "Tensor") {
      pp.kind = ParamPlan::tensor;
      add_slot(p.name, nullptr);
    } else if (type.rfind("Optional[", 0) == 0) {
      pp.kind = ParamPlan::none;
      notes.push_back("argument '" + p.name + "' (" + type + ") passed as None");
    } else if (type == "List[Tensor]") {
      pp.kind = ParamPlan::tensor_list;
      add_slot(p.name + "[0]", nullptr);
      notes.push_back("argument '" + p.name + "' (List[Tensor]) given one tensor");
    } else if (type.rfind("Tuple[", 0) == 0 && p.annotation && p.annotation->is<ts::Subscript>()) {
      const ts::Expr& idx = *p.annotation->as<ts::Subscript>()->index;
      std::vector<const ts::Expr*> elts;
      if (const ts::Tuple* t = idx.as<ts::Tuple>()) {
        for (const auto& e : t->elts) elts.push_back(e.get());
      } else {
        elts.push_back(&idx);
      }
      for (const ts::Expr* e : elts)
        if (ts::to_source(*e) != "Tensor")
          throw Error(ErrorCode::unsupported, "cannot infer argument '" + p.name + ": " + type + "' of " + options.method +
                                                  "(); only tensors and tuples of tensors are inferred");
      pp.kind = ParamPlan::tensor_tuple;
      for (size_t i = 0; i < elts.size(); ++i) add_slot(p.name + "[" + std::to_string(i) + "]", nullptr);
    } else {
      throw Error(ErrorCode::usage, "cannot infer a value for argument '" + p.name + ": " + type + "' of " +
                                        options.method + "(); pass it with --input " + p.name + "=VALUE");
    }
    plan.push_back(std::move(pp));
  }
  return planned;
}

}  // namespace

Graph build_graph(const Model& model, const GraphOptions& options, std::vector<ModuleCall>* calls) {
  // torch.export programs are already aten graphs: no interpreter, no inference.
  if (model.exported) return build_exported_graph(model, options, calls);
  // The method and its parameters, from a throwaway interpreter.
  auto cache = std::make_shared<SourceCache>();
  Graph scratch;
  ShapeBackend scratch_backend;
  Interpreter probe_in(model, scratch, scratch_backend, options.limits, cache);
  Val root = probe_in.root();
  const ts::FunctionDef* def = probe_in.find_method(root, options.method);
  if (!def) {
    std::string methods;
    if (root.is(VKind::object) && root.as<ObjBox>().cls)
      for (const auto& m : root.as<ObjBox>().cls->def->methods())
        if (m.name.rfind("__", 0) != 0) methods += (methods.empty() ? "" : ", ") + m.name;
    throw Error(ErrorCode::usage, "the model has no method '" + options.method + "'" +
                                      (methods.empty() ? "" : " (it has: " + methods + "; pass --method)"));
  }

  ArgumentPlan planned = plan_arguments(def, options);
  std::vector<Slot>& slots = planned.slots;
  const std::vector<ParamPlan>& plan = planned.plan;
  const std::vector<std::string>& notes = planned.notes;
  inference::find_candidates(model, options, cache, plan, slots);

  // One full run with the chosen inputs; fills `out` or records the error.
  struct Outcome {
    std::optional<Error> error;
    int direction = 0;  // for a size search: grow (+1) or shrink (-1)
  };
  auto run_once = [&](const std::vector<Candidate*>& chosen, Graph& out) -> Outcome {
    Graph g;
    ShapeBackend shape_backend;
    TensorBackend* backend = options.full_run_backend ? options.full_run_backend(g) : &shape_backend;
    Interpreter in(model, g, *backend, options.limits, cache);
    try {
      Val result = in.call_method(in.root(), options.method, {}, make_args(in, plan, slots, chosen, nullptr));
      // Outputs: every tensor in the (possibly nested) result.
      std::vector<Val> stack{result};
      while (!stack.empty()) {
        Val v = stack.back();
        stack.pop_back();
        if (v.is_tensor()) g.outputs.push_back(v.as<TensorBox>().meta.value_id);
        else if (v.is_sequence())
          for (auto it = v.items().rbegin(); it != v.items().rend(); ++it) stack.push_back(*it);
        else if (v.kind == VKind::dict)
          for (auto it = v.as<DictBox>().items.rbegin(); it != v.as<DictBox>().items.rend(); ++it) stack.push_back(it->second);
      }
      for (size_t s = 0; s < slots.size(); ++s) {
        const Candidate& c = *chosen[s];
        std::string text = "input '" + slots[s].name + "': " + shape_text(c.shape) + " " + std::string(dtype_name(c.dtype));
        text += slots[s].fixed ? " (given)" : " (inferred from " + c.why + ")";
        g.notes.push_back(text);
      }
      for (auto& n : notes) g.notes.push_back(n);
      if (calls) *calls = in.module_calls();
      out = std::move(g);
      return {};
    } catch (const Error& e) {
      Outcome o{e, 0};
      if (in.last_failure()) o.direction = size_direction(*in.last_failure());
      return o;
    }
  };
  // Full runs: the first candidate combination the model accepts wins.
  std::optional<Error> first_error;
  std::string first_inputs;
  int runs = 0;
  for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
    std::vector<Candidate*> chosen(slots.size(), nullptr);
    std::string described;
    size_t inferred = 0, last_inferred = 0;
    for (size_t s = 0; s < slots.size(); ++s) {
      chosen[s] = slots[s].fixed ? &*slots[s].fixed : &slots[s].candidates[slots[s].chosen];
      if (!slots[s].fixed) {
        ++inferred;
        last_inferred = s;
        described += (described.empty() ? "" : ", ") + slots[s].name + "=" + shape_text(chosen[s]->shape) + ":" +
                     std::string(dtype_name(chosen[s]->dtype));
      }
    }
    Graph g;
    Outcome o = run_once(chosen, g);
    ++runs;
    if (!o.error) {
      if (attempt > 0 && first_error)
        g.notes.push_back("the first inferred input (" + first_inputs + ") failed: " + first_error->what());
      return g;
    }
    if (!first_error) {
      first_error = o.error;
      first_inputs = described;
    }
    if (!is_retryable(*o.error) || described.empty()) break;

    // A single inferred input with spatial dims and a failure that says
    // "bigger" or "smaller": search the size the model accepts.
    Candidate* c = chosen[last_inferred];
    if (inferred == 1 && o.direction != 0 && !c->free_dims.empty()) {
      Candidate trial = *c;
      const int64_t start = trial.shape[size_t(trial.free_dims[0])];
      int64_t lo = o.direction > 0 ? start : 0, hi = o.direction > 0 ? 0 : start;  // 0: no bound yet
      chosen[last_inferred] = &trial;
      for (int step = 0; step < 32; ++step) {
        int64_t v = hi == 0 ? lo * 2 : (lo + hi) / 2;
        if (v <= lo || (hi && v >= hi) || v > 65536) break;
        for (int d : trial.free_dims) trial.shape[size_t(d)] = v;
        Graph found;
        Outcome t = run_once(chosen, found);
        ++runs;
        if (!t.error) {
          // Prefer the roundest size the model also accepts (16 over 17 for a
          // patch-4 ViT whose patch grid floors 17 to 4).
          for (int64_t align : {64, 32, 16, 8}) {
            const int64_t r = v - v % align;
            if (r == v || r <= lo) continue;
            Candidate round = trial;
            for (int d : trial.free_dims) round.shape[size_t(d)] = r;
            chosen[last_inferred] = &round;
            Graph rounded;
            const Outcome ro = run_once(chosen, rounded);
            ++runs;
            chosen[last_inferred] = &trial;
            if (!ro.error) {
              found = std::move(rounded);
              break;
            }
          }
          found.notes.push_back("input size found by search over " + std::to_string(runs) + " runs (the first guess, " +
                                first_inputs + ", failed: " + first_error->what() + ")");
          return found;
        }
        if (t.direction > 0) lo = v;
        else if (t.direction < 0) hi = v;
        else break;
      }
    }

    // Odometer over the inferred slots' candidates.
    bool advanced = false;
    for (size_t s = 0; s < slots.size() && !advanced; ++s) {
      if (slots[s].fixed) continue;
      if (slots[s].chosen + 1 < slots[s].candidates.size()) {
        ++slots[s].chosen;
        advanced = true;
      } else {
        slots[s].chosen = 0;
      }
    }
    if (!advanced) break;
  }
  std::string msg = first_error->what();
  if (!first_inputs.empty() && is_retryable(*first_error)) msg += " (with inferred input " + first_inputs + "; pass --input to choose the shape)";
  throw Error(*first_error, msg);
}

}  // namespace ptscope::graph
