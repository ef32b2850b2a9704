// ptscope-dump-npy: writes a model's tensors as NumPy .npy files, one per
// tensor, straight from the file mapping and without PyTorch.
//
//   ptscope-dump-npy FILE OUTDIR [--tensor NAME]...
//
// Files are named after the tensor ("fc1.weight.npy"; characters other than
// letters, digits, '.', '_' and '-' become '_'). Data is written C-contiguous
// whatever the strides. bfloat16 and float8 have no NumPy dtype: they are
// converted to float32 ('<f4'); complex32 becomes complex64. Quantized
// tensors are written as their raw integers (scale and zero point are not in
// .npy). Tensors without bytes (meta, sparse) and packed sub-byte dtypes are
// skipped with a note. Exit status: 0 done, 1 a --tensor was not found,
// 2 the file could not be read, 64 bad arguments.
#include <bit>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <ptscope/ptscope.h>
#include <ptscope/report/format.h>

namespace {

using ptscope::DType;

// How a dtype is written: its .npy descriptor and whether the elements must
// be converted (to float32, or to complex64 pairs) first.
struct NpyType {
  std::string descr;
  enum class Convert { none, to_float32, to_complex64 } convert = Convert::none;
};

std::optional<NpyType> npy_type(DType d) {
  const char e = std::endian::native == std::endian::little ? '<' : '>';
  auto native = [e](const char* code) { return NpyType{std::string(1, e) + code}; };
  switch (d) {
    case DType::bool_: return NpyType{"|b1"};
    case DType::uint8: case DType::quint8: case DType::bits8: return NpyType{"|u1"};
    case DType::int8: case DType::qint8: return NpyType{"|i1"};
    case DType::int16: return native("i2");
    case DType::int32: case DType::qint32: return native("i4");
    case DType::int64: return native("i8");
    case DType::uint16: case DType::bits16: return native("u2");
    case DType::uint32: return native("u4");
    case DType::uint64: return native("u8");
    case DType::float16: return native("f2");
    case DType::float32: return native("f4");
    case DType::float64: return native("f8");
    case DType::complex64: return native("c8");
    case DType::complex128: return native("c16");
    case DType::complex32: return NpyType{std::string(1, e) + "c8", NpyType::Convert::to_complex64};
    case DType::bfloat16: case DType::float8_e5m2: case DType::float8_e4m3fn: case DType::float8_e5m2fnuz:
    case DType::float8_e4m3fnuz: case DType::float8_e8m0fnu:
      return NpyType{std::string(1, e) + "f4", NpyType::Convert::to_float32};
    default: return std::nullopt;  // packed sub-byte kinds
  }
}

// Format 1.0 header: magic, version, little-endian header length, then a
// Python dict literal padded with spaces to a multiple of 64 bytes, '\n' last.
std::string npy_header(const std::string& descr, const std::vector<int64_t>& shape) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";  // a one-element Python tuple
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string h = "\x93NUMPY";
  h += '\x01';
  h += '\x00';
  h += char(dict.size() & 0xff);
  h += char(dict.size() >> 8);
  return h + dict;
}

std::vector<uint8_t> element_bytes(const ptscope::TensorView& t, NpyType::Convert convert) {
  if (convert == NpyType::Convert::none) return t.contiguous_bytes();
  // to_doubles() yields one value per real element, real then imaginary for complex.
  const std::vector<double> values = t.to_doubles();
  std::vector<uint8_t> out(values.size() * sizeof(float));
  for (size_t i = 0; i < values.size(); ++i) {
    const float f = float(values[i]);
    std::memcpy(out.data() + i * sizeof f, &f, sizeof f);
  }
  return out;
}

std::string file_name(const std::string& tensor) {
  std::string s = tensor.empty() ? "tensor" : tensor;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  if (s == "." || s == "..") s = "_";
  return s + ".npy";
}

// Writes one tensor; returns false (with the reason) when it was skipped.
bool dump(const ptscope::TensorView& t, const std::filesystem::path& dir, std::string& note) {
  const auto type = npy_type(t.dtype());
  if (!type) {
    note = "no NumPy dtype for " + std::string(ptscope::dtype_name(t.dtype()));
    return false;
  }
  if (!t.has_data() && t.numel() > 0) {
    note = "no data in the file (" + std::string(ptscope::layout_name(t.tensor().layout)) + " layout or missing record)";
    return false;
  }
  const std::vector<uint8_t> data = element_bytes(t, type->convert);
  const std::filesystem::path path = dir / file_name(t.name());
  std::ofstream out(path, std::ios::binary);
  const std::string header = npy_header(type->descr, t.shape());
  out.write(header.data(), std::streamsize(header.size()));
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
  if (!out.flush()) throw ptscope::Error(ptscope::ErrorCode::io, "cannot write " + path.string());
  note = path.string() + " " + type->descr;
  if (type->convert == NpyType::Convert::to_float32)
    note += " (converted from " + std::string(ptscope::dtype_name(t.dtype())) + ")";
  if (type->convert == NpyType::Convert::to_complex64) note += " (converted from complex32)";
  if (t.tensor().quant.scheme != ptscope::QScheme::none)
    note += " (raw quantized values; " + std::string(ptscope::qscheme_name(t.tensor().quant.scheme)) + ")";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional, wanted;
  bool bad = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tensor" && i + 1 < argc) wanted.push_back(argv[++i]);
    else if (!arg.empty() && arg[0] == '-') bad = true;
    else positional.push_back(arg);
  }
  if (bad || positional.size() != 2) {
    std::cerr << "usage: ptscope-dump-npy FILE OUTDIR [--tensor NAME]...\n";
    return 64;
  }
  try {
    const auto model = ptscope::open(positional[0]);
    const std::filesystem::path dir = positional[1];
    std::filesystem::create_directories(dir);

    std::vector<ptscope::TensorView> selected;
    int missing = 0;
    if (wanted.empty()) {
      selected = ptscope::tensors(*model);
    } else {
      for (const std::string& name : wanted) {
        if (auto t = ptscope::find_tensor(*model, name)) {
          selected.push_back(std::move(*t));
        } else {
          std::cerr << "ptscope-dump-npy: no tensor named '" << name << "'\n";
          ++missing;
        }
      }
    }
    int written = 0;
    for (const ptscope::TensorView& t : selected) {
      std::string note;
      const bool ok = dump(t, dir, note);
      written += ok;
      std::cout << (ok ? "wrote   " : "skipped ") << t.name() << " " << ptscope::dtype_name(t.dtype())
                << ptscope::format_shape(t.shape()) << ": " << note << "\n";
    }
    std::cout << written << " of " << selected.size() << " tensors written to " << dir.string() << "\n";
    return missing ? 1 : 0;
  } catch (const ptscope::Error& e) {
    std::cerr << "ptscope-dump-npy: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // filesystem errors
    std::cerr << "ptscope-dump-npy: " << e.what() << "\n";
    return 2;
  }
}
