op_version_set = 1
class Module(Module):
  __parameters__ = ["weight", "bias", ]
  weight : Tensor
  training : bool
  bias : Tensor
  def forward(self: __torch__.torch.nn.modules.module.___torch_mangle_2.Module,
    argument_1: Tensor) -> Tensor:
    input = torch.addmm(self.bias, argument_1, torch.t(self.weight), beta=1, alpha=1)
    return input
