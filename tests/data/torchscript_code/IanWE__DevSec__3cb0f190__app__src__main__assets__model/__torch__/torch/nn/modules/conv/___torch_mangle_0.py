class Conv1d(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  def forward(self: __torch__.torch.nn.modules.conv.___torch_mangle_0.Conv1d,
    input: Tensor) -> Tensor:
    input0 = torch._convolution(input, self.weight, None, [1], [0], [1], False, [0], 1, False, False, True, True)
    return input0
