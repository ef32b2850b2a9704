// Hugging Face checkpoint folders: a folder holding model.safetensors or
// pytorch_model.bin, or shards listed by an index file
// (model.safetensors.index.json / pytorch_model.bin.index.json, whose
// "weight_map" names the shard of every key), opened as one model.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/model.h"

namespace ptscope {

// The model for `path` when it is a checkpoint folder or an index file;
// nullptr when it is an ordinary file (then load_model reads it by its bytes).
// Throws Error naming the shard or key when the index and the shards disagree:
// a missing shard, a key absent from the shard the index names, a key found
// in two shards.
std::unique_ptr<Model> open_checkpoint(const std::string& path, const LoadOptions& options = {});

// The shard files an index file names (paths beside it, sorted, each once);
// empty when `path` is not a checkpoint index. Throws Error on a malformed index.
std::vector<std::string> checkpoint_index_shards(const std::string& path);

}  // namespace ptscope
