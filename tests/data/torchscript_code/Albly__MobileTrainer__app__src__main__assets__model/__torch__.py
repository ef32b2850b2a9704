class KachekNetV2(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  conv11 : __torch__.torch.nn.modules.conv.___torch_mangle_13.Conv2d
  funcAct11 : __torch__.torch.nn.modules.activation.___torch_mangle_14.ReLU
  conv12 : __torch__.torch.nn.modules.conv.___torch_mangle_15.Conv2d
  funcAct12 : __torch__.torch.nn.modules.activation.___torch_mangle_16.ReLU
  conv13 : __torch__.torch.nn.modules.conv.___torch_mangle_17.Conv2d
  funcAct13 : __torch__.torch.nn.modules.activation.___torch_mangle_18.ReLU
  conv14 : __torch__.torch.nn.modules.conv.___torch_mangle_19.Conv2d
  funcAct14 : __torch__.torch.nn.modules.activation.___torch_mangle_20.ReLU
  flat : __torch__.torch.nn.modules.flatten.___torch_mangle_21.Flatten
  fc11 : __torch__.torch.nn.modules.linear.___torch_mangle_22.Linear
  fc12 : __torch__.torch.nn.modules.linear.___torch_mangle_23.Linear
  fc13 : __torch__.torch.nn.modules.linear.___torch_mangle_24.Linear
  sm11 : __torch__.torch.nn.modules.activation.___torch_mangle_25.Softmax
  def forward(self: __torch__.KachekNetV2,
    input: Tensor) -> Tensor:
    _0 = self.sm11
    _1 = self.fc13
    _2 = self.fc12
    _3 = self.fc11
    _4 = self.flat
    _5 = self.funcAct14
    _6 = self.conv14
    _7 = self.funcAct13
    _8 = self.conv13
    _9 = self.funcAct12
    _10 = self.conv12
    _11 = (self.funcAct11).forward((self.conv11).forward(input, ), )
    input0 = torch.view(_11, [-1, 1, 135, 15])
    _12 = (_9).forward((_10).forward(input0, ), )
    _13 = (_6).forward((_7).forward((_8).forward(_12, ), ), )
    input1 = torch.add_((_5).forward(_13, ), input0, alpha=1)
    _14 = (_3).forward((_4).forward(input1, ), )
    _15 = (_0).forward((_1).forward((_2).forward(_14, ), ), )
    return _15
