class MaxPool1d(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.torch.nn.modules.pooling.MaxPool1d,
    argument_1: Tensor) -> Tensor:
    input = torch.max_pool1d(argument_1, [2], [2], [0], [1], False)
    return input
  def forward1(self: __torch__.torch.nn.modules.pooling.MaxPool1d,
    argument_1: Tensor) -> Tensor:
    input = torch.max_pool1d(argument_1, [2], [2], [0], [1], False)
    return input
