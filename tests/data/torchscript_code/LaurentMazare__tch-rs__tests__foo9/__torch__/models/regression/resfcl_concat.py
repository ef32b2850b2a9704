class RegResFClConcatModel(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
  embedding_length : int
  max_distance : int
  num_hidden_layers : int
  hidden_length : int
  input_linear : __torch__.torch.nn.modules.linear.Linear
  input_values : __torch__.torch.nn.modules.activation.ReLU
  hidden_layers : __torch__.torch.nn.modules.container.ModuleList
  output_linear : __torch__.torch.nn.modules.linear.___torch_mangle_1.Linear
  output_values : __torch__.torch.nn.modules.flatten.Flatten
  def forward(self: __torch__.models.regression.resfcl_concat.RegResFClConcatModel,
    s: Tensor,
    t: Tensor) -> Tensor:
    x = torch.cat([s, t], 1)
    input_linear = self.input_linear
    x0 = (input_linear).forward(x, )
    input_values = self.input_values
    x1 = (input_values).forward(x0, )
    hidden_layers = self.hidden_layers
    _0 = getattr(hidden_layers, "0")
    _1 = getattr(hidden_layers, "1")
    x2 = (_0).forward(x1, )
    x3 = (_1).forward(x2, )
    output_linear = self.output_linear
    x4 = (output_linear).forward(x3, )
    output_values = self.output_values
    return (output_values).forward(x4, )
