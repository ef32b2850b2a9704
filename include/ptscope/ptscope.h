// ptscope's public C++ API: the one header an embedding program includes.
//
//   #include <ptscope/ptscope.h>
//
//   auto model = ptscope::open("model.pt");            // throws ptscope::Error
//   for (const ptscope::TensorView& t : ptscope::tensors(*model))
//     use(t.name(), t.dtype(), t.shape(), t.bytes());   // zero-copy views
//   auto stats = ptscope::compute_stats(*model);
//   std::cout << ptscope::render(stats, ptscope::Format::json);
//
//   auto opened = ptscope::try_open("model.pt");        // errors as values
//   if (!opened) std::cerr << opened.error().what();
//
// The types these functions take and return live in the headers included
// below (core/, stats/, audit/, graph/, report/); they are part of the API
// too. Error handling, thread safety, lifetimes and the stability promise
// are in docs/api.md.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "audit/audit.h"
#include "audit/report.h"
#include "core/error.h"
#include "core/model.h"
#include "core/tensor.h"
#include "graph/graph.h"
#include "graph/input_inference.h"
#include "ptscope/version.h"
#include "report/report_inputs.h"
#include "stats/model_stats.h"

namespace ptscope {

// ---------------------------------------------------------------- version

// Version of the library actually linked ("0.1.0"); PTSCOPE_VERSION_STRING
// in <ptscope/version.h> is the version of the headers compiled against.
const char* version() noexcept;
// Whether the library was built with the CUDA executor.
bool has_cuda() noexcept;

// ----------------------------------------------------------------- Result

// A value or the ptscope::Error that prevented it. The try_* functions
// return one instead of throwing.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // The value; throws the stored Error when there is none.
  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; throws Error(usage) when the result holds a value.
  const Error& error() const {
    if (ok()) throw Error(ErrorCode::usage, "ptscope::Result::error() called on a successful result");
    return std::get<1>(v_);
  }

 private:
  void check() const {
    if (!ok()) throw std::get<1>(v_);
  }
  std::variant<T, Error> v_;
};

// Runs fn() and captures what it throws: ptscope::Error as is, std::bad_alloc
// as ErrorCode::limit_exceeded, anything else (a bug in ptscope) as
// ErrorCode::corrupt with a message starting "internal error: ".
template <class Fn>
auto try_invoke(Fn&& fn) -> Result<std::invoke_result_t<Fn>> {
  try {
    return std::invoke(std::forward<Fn>(fn));
  } catch (const Error& e) {
    return e;
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::limit_exceeded, "out of memory");
  } catch (const std::exception& e) {
    return Error(ErrorCode::corrupt, std::string("internal error: ") + e.what());
  } catch (...) {
    return Error(ErrorCode::corrupt, "internal error: unknown exception");
  }
}

// ---------------------------------------------------------------- opening

// Opens any PyTorch file kind (see FileKind); never executes anything from
// it. The file is memory-mapped; the Model is immutable and may be shared
// between threads. Throws Error.
std::shared_ptr<const Model> open(const std::string& path, const LoadOptions& options = {});
// The same for bytes already in memory (they are copied once); `name`
// labels them in messages.
std::shared_ptr<const Model> open_bytes(std::vector<uint8_t> bytes, const std::string& name = "<memory>",
                                        const LoadOptions& options = {});
Result<std::shared_ptr<const Model>> try_open(const std::string& path, const LoadOptions& options = {});

// ---------------------------------------------------------------- tensors

// One entry of a model's tensor table as a typed, strided view of bytes that
// stay in the file mapping (or in the buffer a compressed or byte-swapped
// record was decoded into). A view owns a reference to its storage, so it
// stays valid after the Model is gone.
class TensorView {
 public:
  TensorView(std::string name, TensorRole role, std::shared_ptr<const Tensor> tensor);

  const std::string& name() const { return name_; }  // state_dict-style dotted name
  TensorRole role() const { return role_; }
  DType dtype() const { return t_->dtype; }
  const std::vector<int64_t>& shape() const { return t_->shape; }
  const std::vector<int64_t>& strides() const { return t_->strides; }  // in elements
  int64_t storage_offset() const { return t_->storage_offset; }         // in elements
  int64_t numel() const { return t_->numel(); }
  size_t itemsize() const { return ptscope::itemsize(t_->dtype); }
  bool is_contiguous() const { return t_->is_contiguous(); }
  // False for tensors without bytes: meta tensors, sparse layouts (their
  // components are in tensor().sparse_parts), records missing from the file.
  bool has_data() const;

  // The bytes from element 0 to the end of the last element the view
  // touches: numel() × itemsize() for a contiguous view. Empty without data.
  std::span<const uint8_t> bytes() const;
  // The elements as T without copying. T must match the dtype (float:
  // float32, double: float64, bool: bool, intN_t/uintN_t: the same-width
  // integer dtype, int8_t/uint8_t/int32_t also the qint8/quint8/qint32 raw
  // values) and the view must be contiguous and aligned for T; otherwise
  // throws Error(usage). float16, bfloat16 and float8 have no C++20 type:
  // read them with bytes(), for_each_as_double() or to_doubles().
  template <class T> std::span<const T> values() const;
  // A C-contiguous (row-major) copy of the elements, whatever the strides.
  std::vector<uint8_t> contiguous_bytes() const;
  // Every element converted to double in row-major order (see
  // for_each_as_double in core/tensor.h). Throws Error when there is no data.
  std::vector<double> to_doubles() const;

  const Tensor& tensor() const { return *t_; }
  const std::shared_ptr<const Tensor>& shared_tensor() const { return t_; }

 private:
  // Pointer to element 0 after the checks of values<T>(); throws Error.
  const uint8_t* checked_data(bool type_matches, size_t alignment, const char* type_name) const;

  std::string name_;
  TensorRole role_;
  std::shared_ptr<const Tensor> t_;
};

// Views of every tensor of the model, in file order.
std::vector<TensorView> tensors(const Model& model);
// The tensor with this exact name, if any.
std::optional<TensorView> find_tensor(const Model& model, std::string_view name);

// --------------------------------------------------------------- analyses

// Per-tensor statistics, model summary, rankings and recommendations
// (docs/stats.md). Runs on options.stats.threads worker threads (0: all).
ModelStats compute_stats(const Model& model, const ModelStatsOptions& options = {});
Result<ModelStats> try_compute_stats(const Model& model, const ModelStatsOptions& options = {});

// Static security audit of a file (docs/audit.md). Problems in the file
// become findings or report errors; only an unreadable path throws.
audit::AuditReport run_audit(const std::string& path, const audit::AuditOptions& options = {});
Result<audit::AuditReport> try_run_audit(const std::string& path, const audit::AuditOptions& options = {});

// The op graph of options.method (forward) for concrete input shapes, given
// in options.inputs or inferred from the model, with per-node cost; the
// totals are Graph::totals(). Needs TorchScript code in the file. `calls`
// receives each module's forward calls (for per-module rows in reports).
graph::Graph build_op_graph(const Model& model, const graph::GraphOptions& options = {},
                            std::vector<graph::ModuleCall>* calls = nullptr);
Result<graph::Graph> try_build_op_graph(const Model& model, const graph::GraphOptions& options = {},
                                        std::vector<graph::ModuleCall>* calls = nullptr);

// ---------------------------------------------------------------- reports

// text: the report the CLI prints; json: the CLI's --json document with its
// schema id ("ptscope.info/1", "ptscope.stats/1", "ptscope.audit/1",
// "ptscope.graph/1");
// sarif: SARIF 2.1.0, audit reports only (others throw Error(usage)).
enum class Format { text, json, sarif };

std::string render(const Model& model, Format format = Format::text);
std::string render(const ModelStats& stats, Format format = Format::text, const ModelStatsOptions& options = {});
std::string render(const audit::AuditReport& report, Format format = Format::text);
// GraphReport{&model, &graph, &calls (or nullptr), method}.
std::string render(const GraphReport& report, Format format = Format::text);

// ------------------------------------------------------------ definitions

namespace detail {
// The C++ element types TensorView::values<T>() accepts, and their dtypes.
template <class T> struct Element;
#define PTSCOPE_ELEMENT(T, ...)                                                  \
  template <> struct Element<T> {                                                \
    static constexpr const char* name = #T;                                      \
    static bool matches(DType d) {                                               \
      for (DType m : {__VA_ARGS__})                                              \
        if (d == m) return true;                                                 \
      return false;                                                              \
    }                                                                            \
  };
PTSCOPE_ELEMENT(float, DType::float32)
PTSCOPE_ELEMENT(double, DType::float64)
PTSCOPE_ELEMENT(bool, DType::bool_)
PTSCOPE_ELEMENT(int8_t, DType::int8, DType::qint8)
PTSCOPE_ELEMENT(uint8_t, DType::uint8, DType::quint8)
PTSCOPE_ELEMENT(int16_t, DType::int16)
PTSCOPE_ELEMENT(uint16_t, DType::uint16)
PTSCOPE_ELEMENT(int32_t, DType::int32, DType::qint32)
PTSCOPE_ELEMENT(uint32_t, DType::uint32)
PTSCOPE_ELEMENT(int64_t, DType::int64)
PTSCOPE_ELEMENT(uint64_t, DType::uint64)
#undef PTSCOPE_ELEMENT
}  // namespace detail

template <class T> std::span<const T> TensorView::values() const {
  using E = detail::Element<T>;
  const uint8_t* p = checked_data(E::matches(dtype()), alignof(T), E::name);
  return {reinterpret_cast<const T*>(p), p ? static_cast<size_t>(numel()) : 0};
}

}  // namespace ptscope
