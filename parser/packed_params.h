// Weights that live inside custom-class objects instead of module attributes:
// TorchBind packed params of quantized convolutions and linears (static and
// dynamic), the XNNPACK op contexts optimize_for_mobile creates, and quantized
// modules whose __getstate__ returns a tuple. Finds the weight and bias in the
// object's state and names them by the module that owns them.
#pragma once
#include <optional>
#include <string>

#include "parser/pickle.h"

namespace ptscope {

struct PackedWeights {
  std::shared_ptr<Tensor> weight;  // the quantized or float weight (2-D or more)
  std::shared_ptr<Tensor> bias;    // may be null
};

// True for the TorchBind classes that pack a layer's weight: __torch__.torch.classes.quantized.*
// (Conv2dPackedParamsBase, Conv3dPackedParamsBase, LinearPackedParamsBase, ...) and
// __torch__.torch.classes.xnnpack.* (Conv2dOpContext, TransposeConv2dOpContext, LinearOpContext).
bool is_packed_weight_class(const PyValue& object);

// The weight and bias in a packed object's state or a quantized module's __getstate__ tuple,
// whatever the serialization version: the weight is the first floating or quantized tensor of
// two or more dimensions (configuration tensors are integer), the bias the first floating 1-D
// tensor after it whose length matches an output dimension. nullopt when there is no weight.
std::optional<PackedWeights> find_packed_weights(const PyRef& state);

// The module path that owns a packed object found at `path`: trailing "_packed_params"
// components dropped (with the counter the hoisting pass appends), and the prefix of conv
// packed params hoisted onto the root by freezing ("_jit_pass_hoist_conv_packed_params.")
// removed: "_jit_pass_hoist_conv_packed_params.features.1.conv.0.0._packed_params.2" →
// "features.1.conv.0.0".
std::string packed_owner_path(const std::string& path);

}  // namespace ptscope
