// A tolerant index of the classes declared in a TorchScript archive's code/
// files: which are modules, and which attributes are parameters and buffers.
// It reads only class headers and their declaration lines, so the tensor table
// is available even for code the full front end cannot parse.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace ptscope {

struct ClassDecl {
  std::string qualname;  // "__torch__.torch.nn.modules.conv.Conv2d"
  std::string base;      // "Module", "NamedTuple", "Enum", "Interface", "" ...
  std::vector<std::string> parameters;
  std::vector<std::string> buffers;
  std::vector<std::string> attributes;  // declared attribute names in slot order
  bool is_module() const { return base == "Module"; }
};

class ClassIndex {
 public:
  // path is an archive-relative code path ("code/__torch__/a/b.py").
  void add_source(const std::string& path, const std::string& text);
  const ClassDecl* find(const std::string& qualname) const;
  size_t size() const { return classes_.size(); }

 private:
  std::map<std::string, ClassDecl> classes_;
};

// "code/__torch__/torch/nn/modules/conv.py" → "__torch__.torch.nn.modules.conv".
std::string qualifier_from_code_path(const std::string& path);

}  // namespace ptscope
