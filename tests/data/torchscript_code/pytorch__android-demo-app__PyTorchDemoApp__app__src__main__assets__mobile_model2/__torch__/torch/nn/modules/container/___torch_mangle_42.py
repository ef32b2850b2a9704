class ModuleList(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  __annotations__["0"] = __torch__.torch.nn.modules.container.___torch_mangle_36.Sequential
  __annotations__["1"] = __torch__.torch.nn.modules.container.___torch_mangle_38.Sequential
  __annotations__["2"] = __torch__.torch.nn.modules.container.___torch_mangle_40.Sequential
  __annotations__["3"] = __torch__.torch.nn.modules.conv.___torch_mangle_41.Conv2d
  def forward(self: __torch__.torch.nn.modules.container.___torch_mangle_42.ModuleList) -> None:
    _0 = uninitialized(None)
    ops.prim.RaiseException("")
    return _0
  def __len__(self: __torch__.torch.nn.modules.container.___torch_mangle_42.ModuleList) -> int:
    return 4
