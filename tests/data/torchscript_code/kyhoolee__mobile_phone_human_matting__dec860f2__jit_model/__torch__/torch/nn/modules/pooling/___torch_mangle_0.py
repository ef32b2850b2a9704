class AvgPool2d(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.pooling.___torch_mangle_0.AvgPool2d,
    input: Tensor) -> Tensor:
    input0 = torch.avg_pool2d(input, [3, 3], [2, 2], [1, 1], False, True, None)
    return input0
