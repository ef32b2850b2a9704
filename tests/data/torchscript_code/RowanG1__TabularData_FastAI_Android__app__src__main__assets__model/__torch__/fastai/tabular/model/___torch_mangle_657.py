class TabularModel(Module):
  __parameters__ = []
  __buffers__ = []
  mobile_optimized : bool
  def forward(self: __torch__.fastai.tabular.model.___torch_mangle_657.TabularModel,
    x_cat: Tensor,
    x_cont: Tensor) -> Tensor:
    input = torch.batch_norm(x_cont, CONSTANTS.c0, CONSTANTS.c1, CONSTANTS.c2, CONSTANTS.c3, False, 0.10000000000000001, 1.0000000000000001e-05, True)
    _0 = ops.prepacked.linear_clamp_run(input, CONSTANTS.c4)
    input0 = torch.relu_(_0)
    input1 = torch.batch_norm(input0, CONSTANTS.c5, CONSTANTS.c6, CONSTANTS.c7, CONSTANTS.c8, False, 0.10000000000000001, 1.0000000000000001e-05, True)
    _1 = ops.prepacked.linear_clamp_run(input1, CONSTANTS.c9)
    input2 = torch.relu_(_1)
    input3 = torch.batch_norm(input2, CONSTANTS.c10, CONSTANTS.c11, CONSTANTS.c12, CONSTANTS.c13, False, 0.10000000000000001, 1.0000000000000001e-05, True)
    _2 = ops.prepacked.linear_clamp_run(input3, CONSTANTS.c14)
    return _2
