class Foo2(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.Foo2,
    x: Tensor,
    y: Tensor) -> Tuple[Tensor, Tensor]:
    _0 = (torch.add(torch.mul(x, 2), y), torch.sub(x, y))
    return _0
