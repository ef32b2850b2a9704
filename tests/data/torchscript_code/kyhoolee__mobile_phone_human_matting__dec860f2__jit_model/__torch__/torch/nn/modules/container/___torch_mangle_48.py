class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  __annotations__["0"] = __torch__.torch.nn.modules.batchnorm.___torch_mangle_46.BatchNorm2d
  __annotations__["1"] = __torch__.torch.nn.modules.activation.___torch_mangle_47.PReLU
  def forward(self: __torch__.torch.nn.modules.container.___torch_mangle_48.Sequential,
    input: Tensor) -> Tensor:
    _0 = getattr(self, "1")
    _1 = (getattr(self, "0")).forward(input, )
    return (_0).forward(_1, )
