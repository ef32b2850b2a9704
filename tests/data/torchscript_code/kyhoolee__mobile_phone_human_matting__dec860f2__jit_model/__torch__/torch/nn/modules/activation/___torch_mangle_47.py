class PReLU(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_47.PReLU,
    argument_1: Tensor) -> Tensor:
    input = torch.prelu(argument_1, self.weight)
    return input
