// Names every tensor in an unpickled object the way a state_dict would, and
// recovers the module tree (pickled nn.Modules and TorchScript modules).
#pragma once
#include <memory>
#include <vector>

#include "core/model.h"
#include "parser/class_index.h"

namespace ptscope {

// torch.save objects: dict keys, list indices, nn.Module state_dict names,
// other objects' attribute names, joined with '.'. Returns the module tree
// when the root (or a value inside it) is a pickled nn.Module, else nullptr.
std::unique_ptr<ModuleNode> name_saved_object(const PyRef& root, std::vector<NamedTensor>& out);

// TorchScript: walks the root module object using the class declarations
// (__parameters__/__buffers__, which attributes are submodules).
std::unique_ptr<ModuleNode> name_script_module(const PyRef& root, const ClassIndex& classes,
                                               std::vector<NamedTensor>& out);

// String form of a dict key for a dotted path.
std::string key_to_path_component(const PyRef& key);

}  // namespace ptscope
