// bytecode.pkl of lite-interpreter (.ptl) archives: a tuple of
// (version, (qualname, (('instructions', ...), ('operators', ...), ...), schema), ...).
#include "core/error.h"
#include "parser/loaders.h"

namespace ptscope {
namespace {

// Named sections are (name, value) pairs.
PyRef section(const PyRef& table, std::string_view name) {
  if (!table || table->kind != PyKind::tuple) return nullptr;
  for (const auto& item : table->items)
    if (item->kind == PyKind::tuple && item->items.size() == 2 && item->items[0]->kind == PyKind::string &&
        item->items[0]->s == name)
      return item->items[1];
  return nullptr;
}

int64_t int_of(const PyRef& v) { return v && v->kind == PyKind::integer ? v->i : 0; }
std::string str_of(const PyRef& v) { return v && v->kind == PyKind::string ? v->s : std::string(); }

}  // namespace

MobileBytecode decode_mobile_bytecode(const PyRef& root, std::vector<std::string>& warnings) {
  MobileBytecode bc;
  if (!root || root->kind != PyKind::tuple) {
    warnings.push_back("bytecode.pkl is not a tuple; lite-interpreter bytecode skipped");
    return bc;
  }
  size_t first = 0;
  if (!root->items.empty() && root->items[0]->kind == PyKind::integer) {
    bc.version = root->items[0]->i;
    first = 1;
  } else {
    bc.version = 3;  // files before the version field existed
  }
  if (bc.version < 3 || bc.version > 9)
    warnings.push_back("bytecode version " + std::to_string(bc.version) + " lies outside 4..9, the range PyTorch reads");
  for (size_t i = first; i < root->items.size(); ++i) {
    const PyRef& fn = root->items[i];
    if (fn->kind != PyKind::tuple || fn->items.size() < 2) continue;
    MobileFunction f;
    f.qualname = str_of(fn->items[0]);
    const PyRef& table = fn->items[1];
    if (PyRef ins = section(table, "instructions"))
      for (const auto& in : ins->items)
        if (in->kind == PyKind::tuple && in->items.size() >= 3)
          f.instructions.emplace_back(str_of(in->items[0]), int_of(in->items[1]), int_of(in->items[2]));
    if (PyRef ops = section(table, "operators"))
      for (const auto& op : ops->items)
        if (op->kind == PyKind::tuple && op->items.size() >= 2) {
          std::string name = str_of(op->items[0]);
          std::string overload = str_of(op->items[1]);
          f.operators.push_back(overload.empty() ? name : name + "." + overload);
        }
    if (PyRef consts = section(table, "constants")) f.n_constants = consts->items.size();
    if (PyRef types = section(table, "types"))
      for (const auto& t : types->items) f.types.push_back(str_of(t));
    f.register_size = int_of(section(table, "register_size"));
    bc.functions.push_back(std::move(f));
  }
  return bc;
}

}  // namespace ptscope
