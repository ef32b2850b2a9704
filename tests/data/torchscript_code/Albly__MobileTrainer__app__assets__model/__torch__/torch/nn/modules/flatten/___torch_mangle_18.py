class Flatten(Module):
  __parameters__ = []
  training : bool
  def forward(self: __torch__.torch.nn.modules.flatten.___torch_mangle_18.Flatten,
    argument_1: Tensor) -> Tensor:
    return torch.flatten(argument_1, 1, -1)
