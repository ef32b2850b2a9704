class DigitRecognitionModel(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv_stack_1 : __torch__.torch.nn.modules.container.Sequential
  conv_stack_2 : __torch__.torch.nn.modules.container.___torch_mangle_1.Sequential
  linear_classifier : __torch__.torch.nn.modules.container.___torch_mangle_2.Sequential
  def forward(self: __torch__.DigitRecognitionModel,
    X: Tensor) -> Tensor:
    conv_stack_1 = self.conv_stack_1
    X0 = (conv_stack_1).forward(X, )
    linear_classifier = self.linear_classifier
    return (linear_classifier).forward(X0, )
