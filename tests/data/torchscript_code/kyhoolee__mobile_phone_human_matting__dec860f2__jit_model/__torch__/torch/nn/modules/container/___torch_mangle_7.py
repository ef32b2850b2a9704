class ModuleList(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  __annotations__["0"] = __torch__.torch.nn.modules.pooling.___torch_mangle_4.AvgPool2d
  __annotations__["1"] = __torch__.torch.nn.modules.pooling.___torch_mangle_5.AvgPool2d
  __annotations__["2"] = __torch__.torch.nn.modules.pooling.___torch_mangle_6.AvgPool2d
