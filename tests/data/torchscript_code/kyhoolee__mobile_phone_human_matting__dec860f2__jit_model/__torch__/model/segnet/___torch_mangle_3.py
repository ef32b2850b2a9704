class InputProjection(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  pool : __torch__.torch.nn.modules.container.___torch_mangle_2.ModuleList
  def forward(self: __torch__.model.segnet.___torch_mangle_3.InputProjection,
    input: Tensor) -> Tensor:
    _0 = getattr(self.pool, "1")
    _1 = (getattr(self.pool, "0")).forward(input, )
    return (_0).forward(_1, )
