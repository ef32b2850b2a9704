class BasicBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  conv1 : __torch__.torch.nn.modules.conv.___torch_mangle_7.Conv1d
  bn1 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_8.BatchNorm1d
  relu : __torch__.torch.nn.modules.activation.___torch_mangle_9.ReLU
  downsample : __torch__.torch.nn.modules.container.___torch_mangle_12.Sequential
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_13.Conv1d
  bn2 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_14.BatchNorm1d
  conv3 : __torch__.torch.nn.modules.conv.___torch_mangle_15.Conv1d
  bn3 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_16.BatchNorm1d
  def forward(self: __torch__.___torch_mangle_17.BasicBlock,
    argument_1: Tensor) -> Tensor:
    _0 = self.downsample
    _1 = self.bn3
    _2 = self.conv3
    _3 = self.bn2
    _4 = self.conv2
    _5 = self.relu
    _6 = (self.bn1).forward((self.conv1).forward(argument_1, ), )
    _7 = (_3).forward((_4).forward((_5).forward(_6, ), ), )
    _8 = (_1).forward((_2).forward((_5).forward1(_7, ), ), )
    input = torch.add_(_8, (_0).forward(argument_1, ), alpha=1)
    return (_5).forward2(input, )
