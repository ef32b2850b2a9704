class InputProjection(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  pool : __torch__.torch.nn.modules.container.___torch_mangle_13.ModuleList
  def forward(self: __torch__.model.segnet.___torch_mangle_14.InputProjection,
    input: Tensor) -> Tensor:
    _0 = getattr(self.pool, "3")
    _1 = getattr(self.pool, "2")
    _2 = getattr(self.pool, "1")
    _3 = (getattr(self.pool, "0")).forward(input, )
    _4 = (_0).forward((_1).forward((_2).forward(_3, ), ), )
    return _4
