class ResNetv2(Module):
  __parameters__ = []
  __buffers__ = []
  mobile_optimized : bool
  def forward(self: __torch__.sage.models.___torch_mangle_66.ResNetv2,
    x: Tensor) -> Tensor:
    _0 = "expected 2D or 3D input (got {}D input)"
    _1 = ops.prepacked.conv2d_clamp_run(torch.unsqueeze(x, 2), CONSTANTS.c0)
    x0 = torch.squeeze(_1, 2)
    _2 = torch.dim(x0)
    if torch.ne(_2, 2):
      _3 = torch.ne(_2, 3)
    else:
      _3 = False
    if _3:
      ops.prim.RaiseException(torch.format(_0, _2), "builtins.ValueError")
    else:
      pass
    x1 = torch.batch_norm(x0, CONSTANTS.c1, CONSTANTS.c2, CONSTANTS.c3, CONSTANTS.c4, False, 0.10000000000000001, 1.0000000000000001e-05, True)
    x2 = torch.relu_(x1)
    x3 = torch.max_pool1d(x2, [3], [2], [1])
    _4 = torch.unsqueeze(x3, 2)
    _5 = ops.prepacked.conv2d_clamp_run(_4, CONSTANTS.c5)
    _6 = ops.prepacked.conv2d_clamp_run(_4, CONSTANTS.c6)
    out = torch.squeeze(_6, 2)
    x4 = torch.permute(out, [0, 2, 1])
    x5 = torch.layer_norm(x4, [4])
    out0 = torch.permute(x5, [0, 2, 1])
    result = torch.relu(out0)
    _7 = ops.prepacked.conv2d_clamp_run(torch.unsqueeze(result, 2), CONSTANTS.c7)
    out1 = torch.squeeze(_7, 2)
    x6 = torch.permute(out1, [0, 2, 1])
    x7 = torch.layer_norm(x6, [4])
    out2 = torch.permute(x7, [0, 2, 1])
    input = torch.squeeze(_5, 2)
    x8 = torch.permute(input, [0, 2, 1])
    x9 = torch.layer_norm(x8, [4])
    shortcut = torch.permute(x9, [0, 2, 1])
    out3 = torch.add_(out2, shortcut)
    input0 = torch.relu(out3)
    _8 = ops.prepacked.conv2d_clamp_run(torch.unsqueeze(input0, 2), CONSTANTS.c8)
    out4 = torch.squeeze(_8, 2)
    x10 = torch.permute(out4, [0, 2, 1])
    x11 = torch.layer_norm(x10, [4])
    out5 = torch.permute(x11, [0, 2, 1])
    result0 = torch.relu(out5)
    _9 = ops.prepacked.conv2d_clamp_run(torch.unsqueeze(result0, 2), CONSTANTS.c9)
    out6 = torch.squeeze(_9, 2)
    x12 = torch.permute(out6, [0, 2, 1])
    x13 = torch.layer_norm(x12, [4])
    out7 = torch.permute(x13, [0, 2, 1])
    out8 = torch.add_(out7, input0)
    x14 = torch.relu(out8)
    x15 = torch.adaptive_avg_pool1d(x14, [1])
    embedding = torch.flatten(x15, 1)
    _10 = ops.prepacked.linear_clamp_run(embedding, CONSTANTS.c10)
    return _10
