#include "graph/values.h"

#include <iterator>
#include <sstream>
#include <type_traits>

#include "core/format.h"

namespace ptscope::graph {
namespace {

std::string tensor_string(const TensorMeta& t) {
  // A None entry of a Tensor?[] list (aten::index) travels as an undefined tensor.
  if (t.dtype == DType::undefined) return "None";
  return format_shape(t.shape) + ":" + std::string(dtype_name(t.dtype));
}

std::string double_string(double d) {
  std::ostringstream os;
  os.precision(17);
  os << d;
  std::string s = os.str();
  // Keep floats recognisable as floats ("1.0", not "1").
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

const char* arg_kind_name(size_t variant_index) {
  static constexpr const char* kNames[] = {"None",  "bool",    "int",    "float",   "str",
                                           "int[]", "float[]", "Tensor", "Tensor[]"};
  static_assert(std::size(kNames) == std::variant_size_v<ArgValue>);
  return variant_index < std::size(kNames) ? kNames[variant_index] : "?";
}

std::string arg_to_string(const ArgValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, NoneArg>) {
          return "None";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "True" : "False";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          return double_string(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return "'" + x + "'";
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          return format_shape(x);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          std::string s = "[";
          for (size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + double_string(x[i]);
          return s + "]";
        } else if constexpr (std::is_same_v<T, TensorMeta>) {
          return tensor_string(x);
        } else {
          std::string s = "[";
          for (size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + tensor_string(x[i]);
          return s + "]";
        }
      },
      v);
}

}  // namespace ptscope::graph
