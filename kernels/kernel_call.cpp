// KernelCall's typed argument access (kernels/kernel_call.h).
#include "kernels/kernel_call.h"

#include <optional>
#include <string>
#include <type_traits>

namespace ptscope::kernels {
namespace {

// KernelArg is ArgValue with data: the same alternatives in the same order.
static_assert(std::variant_size_v<KernelArg> == std::variant_size_v<graph::ArgValue>);

[[noreturn]] void bad_arg(const KernelCall& c, size_t i, const char* want) {
  if (i >= c.args.size())
    kernel_fail("kernel argument " + std::to_string(i) + " missing (" + std::to_string(c.args.size()) + " bound)");
  kernel_fail("kernel argument " + std::to_string(i) + ": expected " + want + ", got " +
              graph::arg_kind_name(c.args[i].index()));
}

// A number argument as T: bool and int always, float only for a floating T
// (a float is never truncated to an int); std::nullopt for anything else.
template <class T>
std::optional<T> number_of(const KernelArg& a) {
  if constexpr (std::is_floating_point_v<T>)
    if (auto* d = std::get_if<double>(&a)) return T(*d);
  if (auto* v = std::get_if<int64_t>(&a)) return T(*v);
  if (auto* b = std::get_if<bool>(&a)) return T(*b);
  return std::nullopt;
}

template <class T>
T number_arg(const KernelCall& c, size_t i, const char* want) {
  if (i < c.args.size())
    if (const auto v = number_of<T>(c.args[i])) return *v;
  bad_arg(c, i, want);
}

}  // namespace

const CpuTensor& KernelCall::tensor(size_t i) const {
  if (i < args.size())
    if (auto* t = std::get_if<CpuTensor>(&args[i]); t && t->defined()) return *t;
  bad_arg(*this, i, "Tensor");
}

const CpuTensor* KernelCall::opt_tensor(size_t i) const {
  if (i >= args.size() || std::holds_alternative<graph::NoneArg>(args[i])) return nullptr;
  if (auto* t = std::get_if<CpuTensor>(&args[i])) return t->defined() ? t : nullptr;
  bad_arg(*this, i, "Tensor?");
}

const std::vector<CpuTensor>& KernelCall::tensors(size_t i) const {
  if (i < args.size())
    if (auto* t = std::get_if<std::vector<CpuTensor>>(&args[i])) return *t;
  bad_arg(*this, i, "Tensor[]");
}

bool KernelCall::is_none(size_t i) const {
  return i >= args.size() || std::holds_alternative<graph::NoneArg>(args[i]);
}

int64_t KernelCall::int_arg(size_t i) const { return number_arg<int64_t>(*this, i, "int"); }
double KernelCall::float_arg(size_t i) const { return number_arg<double>(*this, i, "float"); }

std::optional<int64_t> KernelCall::opt_int(size_t i) const {
  return is_none(i) ? std::nullopt : std::optional<int64_t>(int_arg(i));
}
std::optional<double> KernelCall::opt_float(size_t i) const {
  return is_none(i) ? std::nullopt : std::optional<double>(float_arg(i));
}

bool KernelCall::bool_arg(size_t i) const {
  if (i < args.size())
    if (auto* b = std::get_if<bool>(&args[i])) return *b;
  bad_arg(*this, i, "bool");
}

std::string KernelCall::str_arg(size_t i) const {
  if (i < args.size())
    if (auto* s = std::get_if<std::string>(&args[i])) return *s;
  bad_arg(*this, i, "str");
}

std::vector<int64_t> KernelCall::ints(size_t i) const {
  if (i < args.size()) {
    if (auto* v = std::get_if<std::vector<int64_t>>(&args[i])) return *v;
    if (auto* n = std::get_if<int64_t>(&args[i])) return {*n};
  }
  bad_arg(*this, i, "int[]");
}

std::vector<int64_t> KernelCall::ints_n(size_t i, size_t n, const std::vector<int64_t>& fallback) const {
  std::vector<int64_t> v = ints(i);
  if (v.empty()) v = fallback;
  if (v.size() == 1 && n > 1) v.assign(n, v[0]);
  if (v.size() != n)
    kernel_fail("kernel argument " + std::to_string(i) + ": expected " + std::to_string(n) + " ints, got " +
                std::to_string(v.size()));
  return v;
}

bool KernelCall::scalar_is_float(size_t i) const { return i < args.size() && std::holds_alternative<double>(args[i]); }

const CpuTensor& KernelCall::out(size_t i) const {
  if (i >= outputs.size())
    kernel_fail("kernel output " + std::to_string(i) + " missing (" + std::to_string(outputs.size()) + " given)");
  return outputs[i];
}

void KernelCall::set_output(size_t i, CpuTensor t) {
  if (outputs.size() <= i) outputs.resize(i + 1);
  outputs[i] = std::move(t);
}

CpuTensor KernelCall::allocate_output(size_t i, const Shape& shape, DType dtype) {
  if (!allocate) kernel_fail("kernel needs new storage but the call has no allocator");
  CpuTensor t = allocate(shape, dtype);
  set_output(i, t);
  return t;
}

}  // namespace ptscope::kernels
