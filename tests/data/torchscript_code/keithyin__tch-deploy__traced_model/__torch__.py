class Model(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  bigru : __torch__.torch.nn.modules.rnn.GRU
  linear : __torch__.torch.nn.modules.linear.Linear
  def forward(self: __torch__.Model,
    batch_feature: Tensor) -> Tensor:
    linear = self.linear
    bigru = self.bigru
    input = torch.sum((bigru).forward(batch_feature, ), [1])
    _0 = torch.softmax((linear).forward(input, ), 1)
    return _0
