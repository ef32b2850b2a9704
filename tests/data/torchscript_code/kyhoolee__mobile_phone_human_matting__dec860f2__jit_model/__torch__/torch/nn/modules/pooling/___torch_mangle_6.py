class AvgPool2d(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.pooling.___torch_mangle_6.AvgPool2d,
    argument_1: Tensor) -> Tensor:
    input_cascade3 = torch.avg_pool2d(argument_1, [3, 3], [2, 2], [1, 1], False, True, None)
    return input_cascade3
