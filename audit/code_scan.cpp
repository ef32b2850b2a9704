#include "audit/code_scan.h"

#include <set>
#include <unordered_set>

namespace ptscope::audit {
namespace {

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

size_t indent_of(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return n;
}

struct Line {
  std::string_view text;
  size_t offset;
};

std::vector<Line> split_lines(std::string_view s) {
  std::vector<Line> out;
  size_t at = 0;
  while (at <= s.size()) {
    size_t nl = s.find('\n', at);
    if (nl == std::string_view::npos) nl = s.size();
    out.push_back({s.substr(at, nl - at), at});
    at = nl + 1;
  }
  return out;
}

// "ops.<ns>." occurrences: TorchScript prints custom and builtin ops that way.
void find_ops(std::string_view text, size_t base, const std::string& where, std::vector<CodeHazard>& out) {
  for (size_t at = text.find("ops."); at != std::string_view::npos; at = text.find("ops.", at + 4)) {
    if (at > 0 && ident_char(text[at - 1]) && text.substr(at >= 6 ? at - 6 : 0, 6) != "torch.") continue;
    size_t end = at + 4;
    while (end < text.size() && ident_char(text[end])) ++end;
    const std::string_view ns = text.substr(at + 4, end - at - 4);
    if (ns.empty() || standard_op_namespace(ns)) continue;
    out.push_back({where, "calls an op of the custom namespace '" + std::string(ns) +
                              "' (registered by a native library: arbitrary native code)", base + at});
  }
}

}  // namespace

bool standard_op_namespace(std::string_view ns) {
  static const std::unordered_set<std::string_view> names = {
      "aten", "prim", "prims", "quantized", "_quantized", "quantized_decomposed", "prepacked", "torchvision",
      "profiler", "cuda", "mkldnn", "mkldnn_prepacked", "fbgemm", "_caffe2", "_c10d_functional", "c10d",
      "c10d_functional", "_dtensor", "higher_order", "sparse", "xnnpack", "vulkan", "mps", "cudnn", "onednn",
      "inductor", "_inductor_test", "debugprims", "rngprims", "_nested_tensor", "torchaudio", "torchtext"};
  return names.count(ns) > 0;
}

std::vector<CodeHazard> scan_torchscript_source(std::string_view source) {
  std::vector<CodeHazard> out;
  // aten::from_file anywhere: a model has no reason to map files.
  for (size_t at = source.find("from_file"); at != std::string_view::npos; at = source.find("from_file", at + 9)) {
    out.push_back({"the code", "uses aten::from_file, which maps a file (writable with shared=True)", at});
    if (out.size() >= 8) break;
  }
  // Methods that run at load: __setstate__, then every self.<method> they call, transitively.
  const auto lines = split_lines(source);
  struct Def {
    size_t begin, end;  // line range of the body
  };
  std::vector<std::pair<std::string, Def>> defs;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view l = lines[i].text;
    const size_t ind = indent_of(l);
    if (l.substr(ind, 4) != "def ") continue;
    size_t e = ind + 4;
    while (e < l.size() && ident_char(l[e])) ++e;
    const std::string name(l.substr(ind + 4, e - ind - 4));
    size_t j = i + 1;
    while (j < lines.size() && (lines[j].text.find_first_not_of(" \t\r") == std::string_view::npos ||
                                indent_of(lines[j].text) > ind))
      ++j;
    defs.push_back({name, {i, j}});
  }
  std::set<std::string> todo{"__setstate__"}, done;
  while (!todo.empty() && done.size() < 256) {
    const std::string name = *todo.begin();
    todo.erase(todo.begin());
    if (!done.insert(name).second) continue;
    for (const auto& [n, d] : defs) {
      if (n != name) continue;
      for (size_t i = d.begin; i < d.end; ++i) {
        const std::string_view l = lines[i].text;
        find_ops(l, lines[i].offset, "load-time method " + name, out);
        for (size_t at = l.find("self."); at != std::string_view::npos; at = l.find("self.", at + 5)) {
          size_t e = at + 5;
          while (e < l.size() && ident_char(l[e])) ++e;
          if (e < l.size() && l[e] == '(') todo.insert(std::string(l.substr(at + 5, e - at - 5)));
        }
      }
    }
  }
  return out;
}

std::vector<CodeHazard> scan_mobile_bytecode(std::string_view bytes) {
  std::vector<CodeHazard> out;
  for (size_t at = bytes.find("::"); at != std::string_view::npos && out.size() < 16; at = bytes.find("::", at + 2)) {
    size_t b = at;
    while (b > 0 && ident_char(bytes[b - 1])) --b;
    size_t e = at + 2;
    while (e < bytes.size() && ident_char(bytes[e])) ++e;
    const std::string_view ns = bytes.substr(b, at - b), op = bytes.substr(at + 2, e - at - 2);
    if (ns.empty() || op.empty()) continue;
    // Raw pickle bytes: the name may run into the next opcode byte.
    if (ns == "aten" && op.substr(0, 9) == "from_file")
      out.push_back({"the bytecode", "uses aten::from_file, which maps a file (writable with shared=True)", b});
    else if (!standard_op_namespace(ns) && ns != "__torch__" && ns != "torch")
      out.push_back({"the bytecode", "uses the op " + std::string(ns) + "::" + std::string(op) +
                                         " of a custom namespace (registered by a native library)", b});
  }
  return out;
}

}  // namespace ptscope::audit
