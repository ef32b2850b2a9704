class PReLU(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_24.PReLU,
    argument_1: Tensor) -> Tensor:
    s0 = torch.prelu(argument_1, self.weight)
    return s0
