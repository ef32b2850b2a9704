class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  __annotations__["0"] = __torch__.torch.nn.modules.conv.___torch_mangle_10.Conv1d
  __annotations__["1"] = __torch__.torch.nn.modules.batchnorm.___torch_mangle_11.BatchNorm1d
  def forward(self: __torch__.torch.nn.modules.container.___torch_mangle_12.Sequential,
    argument_1: Tensor) -> Tensor:
    _0 = getattr(self, "1")
    _1 = (getattr(self, "0")).forward(argument_1, )
    return (_0).forward(_1, )
