class SimpleModel(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  linear : __torch__.torch.nn.modules.linear.___torch_mangle_2.Linear
  def forward(self: __torch__.___torch_mangle_3.SimpleModel,
    x: Tensor) -> Tensor:
    linear = self.linear
    return (linear).forward(x, )
