// A tensor as it lies in the file: a typed, strided view into a storage whose
// bytes stay in the mapping (zero copy) unless they had to be inflated or swapped.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"
#include "core/shape.h"

namespace ptscope {

struct Storage {
  std::string key;            // record key ("0", "data/0" resolved, legacy pointer id, ...)
  std::string record;         // archive member or stream region it came from
  std::string location;       // "cpu", "cuda:0", ...
  DType dtype = DType::uint8; // dtype the storage was declared with
  uint64_t declared_bytes = 0;  // numel × itemsize from the pickle
  uint64_t file_offset = 0;   // absolute offset of the bytes in the file (0 if not a plain view)
  bool swapped = false;       // bytes were byte-swapped from big-endian
  bool compressed = false;    // record was deflated in the archive
  Blob data;                  // exactly declared_bytes long (or empty when data is missing)
  bool data_missing = false;  // e.g. meta tensors, or skip_data records
};

enum class Layout : uint8_t { strided, sparse_coo, sparse_csr, sparse_csc, sparse_bsr, sparse_bsc, mkldnn, jagged };
const char* layout_name(Layout layout);

enum class QScheme : uint8_t {
  none = 255, per_tensor_affine = 0, per_channel_affine = 1, per_tensor_symmetric = 2,
  per_channel_symmetric = 3, per_channel_affine_float_qparams = 4,
};
const char* qscheme_name(QScheme scheme);

struct Tensor;
struct Quantization {
  QScheme scheme = QScheme::none;
  double scale = 1.0;
  int64_t zero_point = 0;
  std::shared_ptr<Tensor> scales;       // per-channel
  std::shared_ptr<Tensor> zero_points;  // per-channel
  int64_t axis = 0;
};

struct Tensor {
  DType dtype = DType::float32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements
  int64_t storage_offset = 0;    // in elements
  std::shared_ptr<Storage> storage;
  Layout layout = Layout::strided;
  bool requires_grad = false;
  bool conj = false, neg = false;  // math bits
  Quantization quant;
  std::string rebuild;           // which rebuild function made it ("_rebuild_tensor_v2", ...)
  std::string subclass;          // tensor subclass from _rebuild_from_type_v2, if any
  // Sparse tensors keep their components instead of a storage.
  std::vector<std::shared_ptr<Tensor>> sparse_parts;

  int64_t numel() const;
  bool is_contiguous() const;
  uint64_t nbytes() const { return uint64_t(numel()) * itemsize(dtype); }
  // Byte extent [first, last+1) that this view touches within its storage.
  uint64_t min_storage_bytes() const;
  // Pointer to element 0 of the view, or nullptr when the data is missing.
  const uint8_t* data() const;
};

// Calls fn(double value) for each element of the view in row-major order,
// converting any dtype (half, bf16, float8, ints, bool) to double; quantized
// tensors yield their raw integer values, complex yields the real part
// followed by the imaginary part. Throws if the data is missing.
template <class Fn> void for_each_as_double(const Tensor& t, Fn&& fn);
double element_as_double(DType dtype, const uint8_t* p);

}  // namespace ptscope

#include "core/tensor_iter.h"
