class OnnxablePolicy(Module):
  __parameters__ = []
  __buffers__ = []
  def forward(self: __torch__.___torch_mangle_25.OnnxablePolicy,
    observation: Tensor) -> Tuple[Tensor, Tensor]:
    _0 = torch.matmul(observation, CONSTANTS.c0)
    input = torch.tanh(torch.add(_0, CONSTANTS.c1))
    _1 = torch.add(torch.matmul(input, CONSTANTS.c2), CONSTANTS.c3)
    input0 = torch.tanh(_1)
    _2 = torch.matmul(observation, CONSTANTS.c4)
    input1 = torch.tanh(torch.add(_2, CONSTANTS.c5))
    _3 = torch.add(torch.matmul(input1, CONSTANTS.c6), CONSTANTS.c7)
    input2 = torch.tanh(_3)
    _4 = torch.add(torch.matmul(input0, CONSTANTS.c8), CONSTANTS.c9)
    _5 = torch.add(torch.matmul(input2, CONSTANTS.c10), CONSTANTS.c11)
    return (_4, _5)
