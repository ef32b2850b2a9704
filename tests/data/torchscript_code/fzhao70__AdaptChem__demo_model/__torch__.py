class DemoModel(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  network : __torch__.torch.nn.modules.container.Sequential
  def forward(self: __torch__.DemoModel,
    x: Tensor) -> Tensor:
    network = self.network
    return (network).forward(x, )
