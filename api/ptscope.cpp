// The facade of include/ptscope/ptscope.h: thin wrappers over the library's
// entry points, plus tensor views and report rendering in one place.
#include "ptscope/ptscope.h"

#include <cstring>

#include "report/graph_report.h"
#include "report/info_report.h"
#include "stats/stats_json.h"
#include "stats/stats_report.h"

namespace ptscope {

const char* version() noexcept { return PTSCOPE_VERSION; }

bool has_cuda() noexcept {
#ifdef PTSCOPE_WITH_CUDA
  return true;
#else
  return false;
#endif
}

std::shared_ptr<const Model> open(const std::string& path, const LoadOptions& options) {
  return load_model(path, options);
}

std::shared_ptr<const Model> open_bytes(std::vector<uint8_t> bytes, const std::string& name,
                                        const LoadOptions& options) {
  return load_model(MappedFile::from_bytes(std::move(bytes), name), options);
}

Result<std::shared_ptr<const Model>> try_open(const std::string& path, const LoadOptions& options) {
  return try_invoke([&] { return open(path, options); });
}

// ---- tensors

TensorView::TensorView(std::string name, TensorRole role, std::shared_ptr<const Tensor> tensor)
    : name_(std::move(name)), role_(role), t_(std::move(tensor)) {
  if (!t_) throw Error(ErrorCode::usage, "TensorView of '" + name_ + "': null tensor");
}

bool TensorView::has_data() const { return t_->layout == Layout::strided && t_->data() != nullptr; }

std::span<const uint8_t> TensorView::bytes() const {
  if (!has_data() || t_->numel() == 0) return {};
  // The reader checks views against their storage; checked again here because
  // every accessor below indexes memory through this span.
  for (int64_t s : t_->strides)
    if (s < 0) throw Error(ErrorCode::corrupt, "tensor '" + name_ + "' has a negative stride");
  const uint64_t end = t_->min_storage_bytes();
  if (t_->strides.size() != t_->shape.size() || t_->storage_offset < 0 || end > t_->storage->data.size())
    throw Error(ErrorCode::corrupt, "tensor '" + name_ + "' reaches past the end of its storage");
  // min_storage_bytes() is measured from the storage start, data() from element 0.
  const uint64_t skipped = uint64_t(t_->storage_offset) * itemsize();
  return {t_->data(), size_t(end - skipped)};
}

const uint8_t* TensorView::checked_data(bool type_matches, size_t alignment, const char* type_name) const {
  auto fail = [&](const std::string& why) {
    throw Error(ErrorCode::usage, "tensor '" + name_ + "' (" + std::string(dtype_name(dtype())) + "): cannot view as " +
                                      type_name + ": " + why);
  };
  if (!type_matches) fail("dtype does not match");
  if (!is_contiguous()) fail("not contiguous (use contiguous_bytes())");
  if (numel() == 0) return nullptr;
  if (!has_data()) fail("no data in the file");
  const uint8_t* p = bytes().data();
  if (reinterpret_cast<uintptr_t>(p) % alignment != 0)
    fail("data is not aligned in the file (use contiguous_bytes())");
  return p;
}

std::vector<uint8_t> TensorView::contiguous_bytes() const {
  const int64_t n = numel();
  if (n == 0) return {};
  if (!has_data()) throw Error(ErrorCode::usage, "tensor '" + name_ + "' has no data in the file");
  const size_t item = itemsize();
  const uint8_t* base = bytes().data();
  std::vector<uint8_t> out(size_t(n) * item);
  if (is_contiguous()) {
    std::memcpy(out.data(), base, out.size());
    return out;
  }
  // Odometer over the index space, innermost dimension fastest: row-major order.
  const auto& shape = t_->shape;
  const auto& strides = t_->strides;
  std::vector<int64_t> index(shape.size(), 0);
  int64_t offset = 0;  // in elements, relative to element 0
  for (int64_t k = 0; k < n; ++k) {
    std::memcpy(out.data() + size_t(k) * item, base + offset * int64_t(item), item);
    for (size_t d = shape.size(); d-- > 0;) {
      offset += strides[d];
      if (++index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

std::vector<double> TensorView::to_doubles() const {
  (void)bytes();  // bounds check; for_each_as_double throws when there is no data
  std::vector<double> out;
  out.reserve(size_t(numel()));
  for_each_as_double(*t_, [&](double v) { out.push_back(v); });
  return out;
}

std::vector<TensorView> tensors(const Model& model) {
  std::vector<TensorView> out;
  out.reserve(model.tensors.size());
  for (const NamedTensor& nt : model.tensors)
    if (nt.tensor) out.emplace_back(nt.name, nt.role, nt.tensor);
  return out;
}

std::optional<TensorView> find_tensor(const Model& model, std::string_view name) {
  for (const NamedTensor& nt : model.tensors)
    if (nt.tensor && nt.name == name) return TensorView(nt.name, nt.role, nt.tensor);
  return std::nullopt;
}

// ---- analyses

ModelStats compute_stats(const Model& model, const ModelStatsOptions& options) {
  return compute_model_stats(model, options);
}

Result<ModelStats> try_compute_stats(const Model& model, const ModelStatsOptions& options) {
  return try_invoke([&] { return compute_stats(model, options); });
}

audit::AuditReport run_audit(const std::string& path, const audit::AuditOptions& options) {
  return audit::audit_file(path, options);
}

Result<audit::AuditReport> try_run_audit(const std::string& path, const audit::AuditOptions& options) {
  return try_invoke([&] { return run_audit(path, options); });
}

graph::Graph build_op_graph(const Model& model, const graph::GraphOptions& options,
                            std::vector<graph::ModuleCall>* calls) {
  return graph::build_graph(model, options, calls);
}

Result<graph::Graph> try_build_op_graph(const Model& model, const graph::GraphOptions& options,
                                        std::vector<graph::ModuleCall>* calls) {
  return try_invoke([&] { return build_op_graph(model, options, calls); });
}

// ---- reports

namespace {
// Names in model files need not be UTF-8: replace bad bytes rather than throw.
std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

[[noreturn]] void no_sarif(const char* what) {
  throw Error(ErrorCode::usage, std::string("SARIF output exists only for audit reports, not for ") + what);
}
}  // namespace

std::string render(const Model& model, Format format) {
  switch (format) {
    case Format::text: return render_info_text(model);
    case Format::json: return json_text(info_json(model));
    case Format::sarif: break;
  }
  no_sarif("model info");
}

std::string render(const ModelStats& stats, Format format, const ModelStatsOptions& options) {
  switch (format) {
    case Format::text: return render_stats_text(stats, options);
    case Format::json: return json_text(model_stats_json(stats, options));
    case Format::sarif: break;
  }
  no_sarif("statistics");
}

std::string render(const audit::AuditReport& report, Format format) {
  audit::RunInfo run;
  run.tool_version = version();
  run.torch_version = report.torch_version;
  const std::vector<audit::AuditReport> reports{report};
  switch (format) {
    case Format::text: return audit::render_text(reports, run);
    case Format::json: return audit::render_json(reports, run);
    case Format::sarif: return audit::render_sarif(reports, run);
  }
  throw Error(ErrorCode::usage, "unknown report format");
}

std::string render(const GraphReport& report, Format format) {
  if (!report.model || !report.graph) throw Error(ErrorCode::usage, "GraphReport needs a model and a graph");
  switch (format) {
    case Format::text: return render_graph_text(report);
    case Format::json: return json_text(graph_json(report));
    case Format::sarif: break;
  }
  no_sarif("graphs");
}

}  // namespace ptscope
