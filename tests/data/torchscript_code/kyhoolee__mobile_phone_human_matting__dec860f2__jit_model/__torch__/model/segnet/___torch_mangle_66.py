class ResidualDenseBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_53.Conv2d
  dense_block : __torch__.model.segnet.___torch_mangle_63.DenseBlock
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_64.BatchNorm2d
  act : __torch__.torch.nn.modules.activation.___torch_mangle_65.PReLU
  def forward(self: __torch__.model.segnet.___torch_mangle_66.ResidualDenseBlock,
    argument_1: Tensor) -> Tensor:
    _0 = self.act
    _1 = self.bn
    _2 = (self.dense_block).forward((self.conv).forward(argument_1, ), )
    input = torch.add(argument_1, _2, alpha=1)
    _3 = (_0).forward((_1).forward(input, ), )
    return _3
