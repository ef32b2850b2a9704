class DenseBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  dense_layers : __torch__.torch.nn.modules.container.___torch_mangle_155.Sequential
  def forward(self: __torch__.model.segnet.___torch_mangle_156.DenseBlock,
    argument_1: Tensor) -> Tensor:
    _0 = (self.dense_layers).forward(argument_1, )
    return _0
