class ReLU(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.torch.nn.modules.activation.ReLU,
    argument_1: Tensor) -> Tensor:
    return torch.relu(argument_1)
  def forward1(self: __torch__.torch.nn.modules.activation.ReLU,
    argument_1: Tensor) -> Tensor:
    return torch.relu(argument_1)
  def forward2(self: __torch__.torch.nn.modules.activation.ReLU,
    input: Tensor) -> Tensor:
    return torch.relu(input)
class Softmax(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.torch.nn.modules.activation.Softmax,
    input: Tensor) -> Tensor:
    return torch.softmax(input, 1, None)
