class BasicBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  conv1 : __torch__.torch.nn.modules.conv.___torch_mangle_19.Conv1d
  bn1 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_20.BatchNorm1d
  relu : __torch__.torch.nn.modules.activation.___torch_mangle_21.ReLU
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_22.Conv1d
  bn2 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_23.BatchNorm1d
  conv3 : __torch__.torch.nn.modules.conv.___torch_mangle_24.Conv1d
  bn3 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_25.BatchNorm1d
  def forward(self: __torch__.___torch_mangle_26.BasicBlock,
    argument_1: Tensor) -> Tensor:
    _0 = self.bn3
    _1 = self.conv3
    _2 = self.bn2
    _3 = self.conv2
    _4 = self.relu
    _5 = (self.bn1).forward((self.conv1).forward(argument_1, ), )
    _6 = (_2).forward((_3).forward((_4).forward(_5, ), ), )
    _7 = (_0).forward((_1).forward((_4).forward1(_6, ), ), )
    input = torch.add_(_7, argument_1, alpha=1)
    return (_4).forward2(input, )
