class BasicConv(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  out_channels : int
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_26.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_27.BatchNorm2d
  relu : __torch__.torch.nn.modules.activation.ReLU
  def forward(self: __torch__.vision.nn.mb_tiny_RFB.___torch_mangle_28.BasicConv,
    x: Tensor) -> Tensor:
    x0 = (self.conv).forward(x, )
    x1 = (self.bn).forward(x0, )
    return (self.relu).forward(x1, )
