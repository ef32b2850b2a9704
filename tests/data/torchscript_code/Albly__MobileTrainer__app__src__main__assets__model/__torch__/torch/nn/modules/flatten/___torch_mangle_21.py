class Flatten(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.torch.nn.modules.flatten.___torch_mangle_21.Flatten,
    input: Tensor) -> Tensor:
    return torch.flatten(input, 1, -1)
