class Upsample(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.upsampling.Upsample,
    argument_1: Tensor) -> Tensor:
    heatmap_3 = torch.upsample_bilinear2d(argument_1, None, False, [2., 2.])
    return heatmap_3
  def forward1(self: __torch__.torch.nn.modules.upsampling.Upsample,
    argument_1: Tensor) -> Tensor:
    heatmap_2 = torch.upsample_bilinear2d(argument_1, None, False, [2., 2.])
    return heatmap_2
  def forward2(self: __torch__.torch.nn.modules.upsampling.Upsample,
    argument_1: Tensor) -> Tensor:
    heatmap_1 = torch.upsample_bilinear2d(argument_1, None, False, [2., 2.])
    return heatmap_1
  def forward3(self: __torch__.torch.nn.modules.upsampling.Upsample,
    argument_1: Tensor) -> Tensor:
    heatmap_0 = torch.upsample_bilinear2d(argument_1, None, False, [2., 2.])
    return heatmap_0
