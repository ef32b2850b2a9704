class Softmax(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_25.Softmax,
    argument_1: Tensor) -> Tensor:
    return torch.softmax(argument_1, 1, None)
