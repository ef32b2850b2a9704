// What the builtin families (graph/builtins_*.cpp) share: the one table they
// register their entries into, and the argument helpers (Python's int/float
// conversions, floor division, index wrapping, comparison, str.format).
// call_builtin() (graph/builtins.cpp) builds the table once and looks ops up in it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/interpreter.h"

namespace ptscope::graph::builtin {

// One builtin: nullopt when the arguments are not its (tensor operands of
// aten::add, say, which the op registry handles).
using Fn = std::optional<Val> (*)(Interpreter&, Vals&, Kwargs&);
using Table = std::unordered_map<std::string_view, Fn>;

// The one table of builtins, built on first use (builtins.cpp); entries may
// call each other through it (aten::min is builtins::min on numbers).
const Table& table();

// The families, each in its own file (builtins_<family>.cpp); table()
// registers them in this order.
void register_numbers(Table& m);          // arithmetic, comparisons, math.*
void register_containers(Table& m);       // lists, tuples, module containers, dicts
void register_strings(Table& m);
void register_conversions(Table& m);      // int(), float(), item(), tolist(), torch.tensor()
void register_tensor_metadata(Table& m);  // size, dim, dtype, device ...
void register_runtime(Table& m);          // grad mode, asserts, devices, xnnpack prepacked ops

// ------------------------------------------------ helpers (builtins.cpp)
bool any_tensor(const Vals& a);
// a[i], or a corrupt-input error naming `op` when there are fewer arguments.
const Val& arg(Interpreter& in, const Vals& a, size_t i, const char* op);
const Val* kwarg(const Kwargs& kw, std::string_view name);
bool is_int_like(const Val& v);
int64_t int_of(const Val& v);
// Python's int() and float(); a tensor converts only when its one value is known.
int64_t to_int(Interpreter& in, const Val& v, const char* what = "int()");
double to_float(Interpreter& in, const Val& v, const char* what = "float()");
Val number(double x, bool as_int);
int64_t floor_div(Interpreter& in, int64_t a, int64_t b);
int64_t py_mod(Interpreter& in, int64_t a, int64_t b);
const TensorMeta& meta(const Val& v);
int64_t wrap_index(Interpreter& in, int64_t i, size_t n, const char* what);
int64_t wrap_dim(Interpreter& in, int64_t d, int64_t rank);
void slice_bounds(Interpreter& in, const Val& lo, const Val& hi, const Val& st, int64_t n, int64_t& b, int64_t& e,
                  int64_t& s);
int compare_vals(Interpreter& in, const Val& a, const Val& b, const char* op);
std::string format_string(Interpreter& in, const std::string& fmt, const Vals& args, size_t first);
Val dict_val();
bool nested_shape(const Val& v, size_t depth, std::vector<int64_t>& shape, std::vector<double>& flat, bool& any_float,
                  bool& all_bool);
Val scalar_tensor(Interpreter& in, std::vector<double> values, std::vector<int64_t> shape, DType dtype);
std::optional<DType> dtype_kwarg(Interpreter& in, const Kwargs& kw);

}  // namespace ptscope::graph::builtin
