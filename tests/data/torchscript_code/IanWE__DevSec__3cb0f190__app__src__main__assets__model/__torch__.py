class ResEncoder(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  layer1 : __torch__.torch.nn.modules.container.___torch_mangle_6.Sequential
  layer2 : __torch__.torch.nn.modules.container.___torch_mangle_18.Sequential
  layer3 : __torch__.torch.nn.modules.container.___torch_mangle_27.Sequential
  pool : __torch__.torch.nn.modules.pooling.MaxPool1d
  fc : __torch__.torch.nn.modules.linear.Linear
  softmax : __torch__.torch.nn.modules.activation.Softmax
  def forward(self: __torch__.ResEncoder,
    input: Tensor) -> Tensor:
    _0 = self.fc
    _1 = self.softmax
    _2 = self.layer3
    _3 = self.layer2
    _4 = self.pool
    _5 = (_4).forward((self.layer1).forward(input, ), )
    _6 = (_2).forward((_4).forward1((_3).forward(_5, ), ), )
    _7 = torch.slice(_6, 0, 0, 9223372036854775807, 1)
    _8 = torch.slice(_7, 1, 64, 9223372036854775807, 1)
    _9 = torch.slice(_8, 2, 0, 9223372036854775807, 1)
    _10 = torch.slice(_6, 0, 0, 9223372036854775807, 1)
    input0 = torch.slice(torch.slice(_10, 1, 0, 64, 1), 2, 0, 9223372036854775807, 1)
    x = torch.mul(_9, (_1).forward(input0, ))
    x0 = torch.sum(x, [2], False, dtype=None)
    _11 = ops.prim.NumToTensor(torch.size(x0, 0))
    input1 = torch.view(x0, [int(_11), -1])
    return (_0).forward(input1, )
class BasicBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  conv1 : __torch__.torch.nn.modules.conv.Conv1d
  bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm1d
  relu : __torch__.torch.nn.modules.activation.ReLU
  downsample : __torch__.torch.nn.modules.container.Sequential
  conv2 : __torch__.torch.nn.modules.conv.___torch_mangle_2.Conv1d
  bn2 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_3.BatchNorm1d
  conv3 : __torch__.torch.nn.modules.conv.___torch_mangle_4.Conv1d
  bn3 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_5.BatchNorm1d
  def forward(self: __torch__.BasicBlock,
    input: Tensor) -> Tensor:
    _12 = self.downsample
    _13 = self.bn3
    _14 = self.conv3
    _15 = self.bn2
    _16 = self.conv2
    _17 = self.relu
    _18 = (self.bn1).forward((self.conv1).forward(input, ), )
    _19 = (_16).forward((_17).forward(_18, ), )
    _20 = (_17).forward1((_15).forward(_19, ), )
    _21 = (_13).forward((_14).forward(_20, ), )
    input2 = torch.add_(_21, (_12).forward(input, ), alpha=1)
    return (_17).forward2(input2, )
