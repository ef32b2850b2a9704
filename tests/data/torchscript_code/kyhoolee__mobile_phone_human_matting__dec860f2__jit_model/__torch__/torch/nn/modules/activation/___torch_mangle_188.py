class PReLU(Module):
  __parameters__ = ["weight", ]
  __buffers__ = []
  weight : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_188.PReLU,
    argument_1: Tensor) -> Tensor:
    s3_heatmap = torch.prelu(argument_1, self.weight)
    return s3_heatmap
  def forward1(self: __torch__.torch.nn.modules.activation.___torch_mangle_188.PReLU,
    argument_1: Tensor) -> Tensor:
    s2_heatmap = torch.prelu(argument_1, self.weight)
    return s2_heatmap
  def forward2(self: __torch__.torch.nn.modules.activation.___torch_mangle_188.PReLU,
    argument_1: Tensor) -> Tensor:
    s1_heatmap = torch.prelu(argument_1, self.weight)
    return s1_heatmap
  def forward3(self: __torch__.torch.nn.modules.activation.___torch_mangle_188.PReLU,
    argument_1: Tensor) -> Tensor:
    s0_heatmap = torch.prelu(argument_1, self.weight)
    return s0_heatmap
