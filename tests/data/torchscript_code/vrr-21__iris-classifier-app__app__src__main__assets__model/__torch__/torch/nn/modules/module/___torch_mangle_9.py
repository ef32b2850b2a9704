op_version_set = 1
class Module(Module):
  __parameters__ = []
  training : bool
  classifier : __torch__.torch.nn.modules.module.___torch_mangle_8.Module
  def forward(self: __torch__.torch.nn.modules.module.___torch_mangle_9.Module,
    input: Tensor) -> Tensor:
    return (self.classifier).forward(input, )
