class BasicConv(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  out_channels : int
  relu : None
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_20.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_18.BatchNorm2d
  def forward(self: __torch__.vision.nn.mb_tiny_RFB.___torch_mangle_21.BasicConv,
    x: Tensor) -> Tensor:
    x0 = (self.conv).forward(x, )
    return (self.bn).forward(x0, )
