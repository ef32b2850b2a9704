class KachekNet(Module):
  __parameters__ = []
  training : bool
  conv11 : __torch__.torch.nn.modules.conv.___torch_mangle_13.Conv2d
  funcAct11 : __torch__.torch.nn.modules.activation.___torch_mangle_14.ReLU
  conv12 : __torch__.torch.nn.modules.conv.___torch_mangle_15.Conv2d
  funcAct12 : __torch__.torch.nn.modules.activation.___torch_mangle_16.ReLU
  pool12 : __torch__.torch.nn.modules.pooling.___torch_mangle_17.MaxPool2d
  flat : __torch__.torch.nn.modules.flatten.___torch_mangle_18.Flatten
  fc11 : __torch__.torch.nn.modules.linear.___torch_mangle_19.Linear
  fc12 : __torch__.torch.nn.modules.linear.___torch_mangle_20.Linear
  sm11 : __torch__.torch.nn.modules.activation.___torch_mangle_21.Softmax
  def forward(self: __torch__.___torch_mangle_22.KachekNet,
    input: Tensor) -> Tensor:
    _0 = self.sm11
    _1 = self.fc12
    _2 = self.fc11
    _3 = self.flat
    _4 = self.pool12
    _5 = self.funcAct12
    _6 = self.conv12
    _7 = (self.funcAct11).forward((self.conv11).forward(input, ), )
    input0 = torch.view(_7, [-1, 1, 100, 13])
    _8 = (_5).forward((_6).forward(input0, ), )
    _9 = (_2).forward((_3).forward((_4).forward(_8, ), ), )
    return (_0).forward((_1).forward(_9, ), )
