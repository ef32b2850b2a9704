class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  __annotations__["0"] = __torch__.BasicBlock
  def forward(self: __torch__.torch.nn.modules.container.___torch_mangle_6.Sequential,
    input: Tensor) -> Tensor:
    _0 = (getattr(self, "0")).forward(input, )
    return _0
