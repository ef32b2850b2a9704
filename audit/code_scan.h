// What the code of a TorchScript or lite-interpreter archive does when it is
// loaded: torch.jit.load runs every __setstate__ (and what it calls) of the
// module tree, and mobile bytecode likewise. Static text analysis of the
// code/ sources and of the operator names of bytecode.pkl.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ptscope::audit {

struct CodeHazard {
  std::string where;  // "__setstate__ of class M" / "anywhere in the code"
  std::string what;   // "aten::from_file maps a file", "op of the custom namespace 'evil'"
  size_t offset = 0;  // in the text
};

// TorchScript Python source of one code/ member.
std::vector<CodeHazard> scan_torchscript_source(std::string_view source);
// Raw bytes of a bytecode.pkl (operator names are plain strings in it).
std::vector<CodeHazard> scan_mobile_bytecode(std::string_view bytes);

// Op namespaces that ship with torch and torchvision (no file or process access).
bool standard_op_namespace(std::string_view ns);

}  // namespace ptscope::audit
