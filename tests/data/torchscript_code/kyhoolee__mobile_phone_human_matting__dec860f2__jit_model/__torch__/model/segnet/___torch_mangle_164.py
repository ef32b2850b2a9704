class make_dense(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_161.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_162.BatchNorm2d
  act : __torch__.torch.nn.modules.activation.___torch_mangle_163.ReLU
  def forward(self: __torch__.model.segnet.___torch_mangle_164.make_dense,
    argument_1: Tensor) -> Tensor:
    _0 = self.act
    _1 = (self.bn).forward((self.conv).forward(argument_1, ), )
    input = torch.cat([argument_1, (_0).forward(_1, )], 1)
    return input
