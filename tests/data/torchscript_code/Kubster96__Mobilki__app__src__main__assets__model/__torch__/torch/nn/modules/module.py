op_version_set = 1
class Module(Module):
  __parameters__ = ["weight", "bias", ]
  training : bool
  weight : Tensor
  bias : Tensor
  def forward(self: __torch__.torch.nn.modules.module.Module,
    input: Tensor) -> Tensor:
    _0 = self.bias
    output = torch.matmul(input, torch.t(self.weight))
    return torch.add_(output, _0, alpha=1)
  def forward1(self: __torch__.torch.nn.modules.module.Module,
    input: Tensor) -> Tensor:
    _1 = self.bias
    output = torch.matmul(input, torch.t(self.weight))
    return torch.add_(output, _1, alpha=1)
