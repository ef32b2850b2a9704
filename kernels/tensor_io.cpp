#include "kernels/tensor_io.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"
#include "kernels/graph_runner.h"

namespace ptscope::kernels {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::io, "cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// numpy descr ("<f4", "|b1", ...) ↔ DType.
std::optional<DType> dtype_from_descr(const std::string& d) {
  static const std::pair<const char*, DType> table[] = {
      {"f2", DType::float16}, {"f4", DType::float32}, {"f8", DType::float64}, {"i1", DType::int8},
      {"i2", DType::int16},   {"i4", DType::int32},   {"i8", DType::int64},   {"u1", DType::uint8},
      {"b1", DType::bool_},
  };
  if (d.size() != 3 || d[0] == '>') return std::nullopt;
  for (const auto& [code, dt] : table)
    if (d.compare(1, 2, code) == 0) return dt;
  return std::nullopt;
}

const char* descr_of(DType d) {
  switch (d) {
    case DType::float16: return "<f2";
    case DType::float32: return "<f4";
    case DType::float64: return "<f8";
    case DType::int8: return "|i1";
    case DType::int16: return "<i2";
    case DType::int32: return "<i4";
    case DType::int64: return "<i8";
    case DType::uint8: return "|u1";
    case DType::bool_: return "|b1";
    default: throw Error(ErrorCode::unsupported, "no .npy type for " + std::string(dtype_name(d)));
  }
}

// Host tensor in the executor's dtype from raw bytes in the file's dtype.
TensorBuffer from_bytes(const char* bytes, const std::vector<int64_t>& shape, DType file_dtype) {
  TensorBuffer raw(shape, file_dtype);
  std::memcpy(raw.tensor().data, bytes, size_t(shape_numel(shape)) * itemsize(file_dtype));
  const DType want = exec_dtype(file_dtype);
  if (want == file_dtype) return raw;
  TensorBuffer out(shape, want);
  convert(raw.tensor(), out.tensor());
  return out;
}

}  // namespace

std::vector<int64_t> embedding_bounds(const graph::Graph& g) {
  std::vector<int64_t> bounds(g.inputs.size(), 0);
  for (const auto& n : g.nodes) {
    if (n.op.rfind("aten::embedding", 0) != 0 || n.inputs.size() < 2) continue;
    const auto& weight = g.values[size_t(n.inputs[0])].meta;
    if (weight.shape.empty()) continue;
    // Follow the indices back through shape ops and casts to a graph input.
    int v = n.inputs[1];
    for (int hops = 0; hops < 64; ++hops) {
      const int p = g.values[size_t(v)].producer;
      if (p < 0) break;
      const auto& pn = g.nodes[size_t(p)];
      const bool passes = pn.category == graph::OpCategory::shape || pn.op.rfind("aten::to", 0) == 0 ||
                          pn.op == "aten::contiguous" || pn.op.rfind("aten::clone", 0) == 0;
      if (!passes || pn.inputs.empty()) break;
      v = pn.inputs[0];
    }
    for (size_t k = 0; k < g.inputs.size(); ++k)
      if (g.inputs[k] == v) bounds[k] = bounds[k] ? std::min(bounds[k], weight.shape[0]) : weight.shape[0];
  }
  return bounds;
}

TensorBuffer random_input(const std::vector<int64_t>& shape, DType dtype, uint64_t seed, int64_t id_bound) {
  const DType d = exec_dtype(dtype);
  TensorBuffer out(shape, d);
  const CpuTensor& t = out.tensor();
  std::mt19937_64 rng(seed);
  const int64_t n = t.numel();
  const auto& info = dtype_info(d);
  if (d == DType::bool_) {
    std::fill_n(t.ptr<bool>(), n, true);
  } else if (info.is_floating) {
    std::normal_distribution<double> normal(0.0, 1.0);
    visit_dtype(d, [&](auto zero) {
      using T = decltype(zero);
      for (int64_t k = 0; k < n; ++k) t.ptr<T>()[k] = cast_value<T>(normal(rng));
    });
  } else {
    std::uniform_int_distribution<int64_t> ids(0, std::max<int64_t>(id_bound, 1) - 1);
    visit_dtype(d, [&](auto zero) {
      using T = decltype(zero);
      for (int64_t k = 0; k < n; ++k) t.ptr<T>()[k] = cast_value<T>(id_bound > 0 ? ids(rng) : int64_t(1));
    });
  }
  return out;
}

std::vector<TensorBuffer> random_inputs(const graph::Graph& g, uint64_t seed) {
  const auto bounds = embedding_bounds(g);
  std::vector<TensorBuffer> out;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const auto& m = g.values[size_t(g.inputs[k])].meta;
    out.push_back(random_input(m.shape, m.dtype, seed + k, bounds[k]));
  }
  return out;
}

TensorBuffer read_npy(const std::string& path) {
  const std::string data = read_file(path);
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0) throw Error(ErrorCode::usage, path + " is not a .npy file");
  const int major = uint8_t(data[6]);
  size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = uint8_t(data[8]) | (size_t(uint8_t(data[9])) << 8);
    start = 10;
  } else {
    if (data.size() < 12) throw Error(ErrorCode::usage, path + ": truncated .npy header");
    for (int k = 0; k < 4; ++k) header_len |= size_t(uint8_t(data[8 + k])) << (8 * k);
    start = 12;
  }
  if (start + header_len > data.size()) throw Error(ErrorCode::usage, path + ": truncated .npy header");
  const std::string header = data.substr(start, header_len);
  auto field = [&](const char* key) {
    size_t p = header.find(key);
    if (p == std::string::npos) throw Error(ErrorCode::usage, path + ": .npy header lacks " + key);
    return header.substr(p + std::strlen(key));
  };
  std::string descr = field("'descr':");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  auto dtype = dtype_from_descr(descr);
  if (!dtype) throw Error(ErrorCode::usage, path + ": unsupported .npy dtype " + descr);
  if (field("'fortran_order':").find("True") < 2) throw Error(ErrorCode::usage, path + ": Fortran-order .npy is not supported");
  std::string shape_text = field("'shape':");
  shape_text = shape_text.substr(shape_text.find('(') + 1);
  shape_text = shape_text.substr(0, shape_text.find(')'));
  std::vector<int64_t> shape;
  std::stringstream ss(shape_text);
  for (std::string item; std::getline(ss, item, ',');)
    if (item.find_first_of("0123456789") != std::string::npos) shape.push_back(std::stoll(item));
  const size_t bytes = size_t(shape_numel(shape)) * itemsize(*dtype);
  if (data.size() - start - header_len < bytes) throw Error(ErrorCode::usage, path + ": .npy data is truncated");
  return from_bytes(data.data() + start + header_len, shape, *dtype);
}

void write_npy(const std::string& path, const CpuTensor& t) {
  std::string shape = "(";
  for (size_t k = 0; k < t.shape.size(); ++k) shape += (k ? ", " : "") + std::to_string(t.shape[k]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + descr_of(t.dtype) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::io, "cannot write " + path);
  f.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
  f.write(len, 2);
  f << header;
  TensorBuffer storage;
  CpuTensor c = contiguous(t, storage);
  f.write(static_cast<const char*>(c.data), std::streamsize(size_t(c.numel()) * c.itemsize()));
}

std::vector<TensorBuffer> read_inputs(const graph::Graph& g, const std::vector<std::string>& files) {
  std::vector<TensorBuffer> out;
  auto meta = [&](size_t k) -> const graph::TensorMeta& { return g.values[size_t(g.inputs[k])].meta; };
  auto describe = [&](size_t k) {
    return "input " + std::to_string(k) + " ('" + g.values[size_t(g.inputs[k])].name + "', " +
           shape_string(meta(k).shape) + " " + std::string(dtype_name(meta(k).dtype)) + ")";
  };
  if (files.size() == 1 && g.inputs.size() != 1 && !ends_with(files[0], ".npy")) {
    const std::string data = read_file(files[0]);
    uint64_t want = 0;
    for (size_t k = 0; k < g.inputs.size(); ++k) want += meta(k).nbytes();
    if (data.size() != want)
      throw Error(ErrorCode::usage, files[0] + " has " + std::to_string(data.size()) + " bytes; the " +
                                        std::to_string(g.inputs.size()) + " inputs take " + std::to_string(want));
    size_t at = 0;
    for (size_t k = 0; k < g.inputs.size(); ++k) {
      out.push_back(from_bytes(data.data() + at, meta(k).shape, meta(k).dtype));
      at += meta(k).nbytes();
    }
    return out;
  }
  if (files.size() != g.inputs.size())
    throw Error(ErrorCode::usage, std::to_string(files.size()) + " input files for " + std::to_string(g.inputs.size()) +
                                      " tensor inputs (give one per input, or one raw file with all of them)");
  for (size_t k = 0; k < files.size(); ++k) {
    if (ends_with(files[k], ".npy")) {
      TensorBuffer t = read_npy(files[k]);
      if (t.tensor().shape != meta(k).shape)
        throw Error(ErrorCode::usage, files[k] + " holds " + shape_string(t.tensor().shape) + ", " + describe(k) + " expected");
      const DType want = exec_dtype(meta(k).dtype);
      if (t.tensor().dtype != want) {
        TensorBuffer c(meta(k).shape, want);
        convert(t.tensor(), c.tensor());
        t = c;
      }
      out.push_back(t);
    } else {
      const std::string data = read_file(files[k]);
      if (data.size() != meta(k).nbytes())
        throw Error(ErrorCode::usage, files[k] + " has " + std::to_string(data.size()) + " bytes, " + describe(k) +
                                          " takes " + std::to_string(meta(k).nbytes()));
      out.push_back(from_bytes(data.data(), meta(k).shape, meta(k).dtype));
    }
  }
  return out;
}

void write_outputs(const std::string& path, const std::vector<TensorBuffer>& outputs) {
  if (ends_with(path, ".npy") && outputs.size() == 1) return write_npy(path, outputs[0].tensor());
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::io, "cannot write " + path);
  for (const auto& o : outputs) {
    TensorBuffer storage;
    CpuTensor c = contiguous(o.tensor(), storage);
    f.write(static_cast<const char*>(c.data), std::streamsize(size_t(c.numel()) * c.itemsize()));
  }
  if (!f) throw Error(ErrorCode::io, "error writing " + path);
}

}  // namespace ptscope::kernels
