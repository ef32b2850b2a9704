class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  __annotations__["0"] = __torch__.model.segnet.___torch_mangle_36.make_dense
  __annotations__["1"] = __torch__.model.segnet.___torch_mangle_40.make_dense
  def forward(self: __torch__.torch.nn.modules.container.___torch_mangle_41.Sequential,
    argument_1: Tensor) -> Tensor:
    _0 = getattr(self, "1")
    _1 = (getattr(self, "0")).forward(argument_1, )
    return (_0).forward(_1, )
