class BasicRFB(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  scale : float
  out_channels : int
  branch0 : __torch__.torch.nn.modules.container.___torch_mangle_22.Sequential
  branch1 : __torch__.torch.nn.modules.container.___torch_mangle_25.Sequential
  branch2 : __torch__.torch.nn.modules.container.___torch_mangle_33.Sequential
  ConvLinear : __torch__.vision.nn.mb_tiny_RFB.___torch_mangle_36.BasicConv
  shortcut : __torch__.vision.nn.mb_tiny_RFB.___torch_mangle_37.BasicConv
  relu : __torch__.torch.nn.modules.activation.___torch_mangle_38.ReLU
  def forward(self: __torch__.vision.nn.mb_tiny_RFB.BasicRFB,
    x: Tensor) -> Tensor:
    x0 = (self.branch0).forward(x, )
    x1 = (self.branch1).forward(x, )
    x2 = (self.branch2).forward(x, )
    out = torch.cat([x0, x1, x2], 1)
    out0 = (self.ConvLinear).forward(out, )
    short = (self.shortcut).forward(x, )
    out1 = torch.add(torch.mul(out0, self.scale), short, alpha=1)
    return (self.relu).forward(out1, )
class BasicConv(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  out_channels : int
  relu : None
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_15.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_16.BatchNorm2d
  def forward(self: __torch__.vision.nn.mb_tiny_RFB.BasicConv,
    x: Tensor) -> Tensor:
    x0 = (self.conv).forward(x, )
    return (self.bn).forward(x0, )
