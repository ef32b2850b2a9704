class ModuleList(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  __annotations__["0"] = __torch__.torch.nn.modules.pooling.___torch_mangle_9.AvgPool2d
  __annotations__["1"] = __torch__.torch.nn.modules.pooling.___torch_mangle_10.AvgPool2d
  __annotations__["2"] = __torch__.torch.nn.modules.pooling.___torch_mangle_11.AvgPool2d
  __annotations__["3"] = __torch__.torch.nn.modules.pooling.___torch_mangle_12.AvgPool2d
