class GestureNetCNN(Module):
  __parameters__ = []
  __buffers__ = []
  mobile_optimized : bool
  def forward(self: __torch__.imu_gesture_model.___torch_mangle_121.GestureNetCNN,
    x: Tensor) -> Tensor:
    _0 = ops.prepacked.conv2d_clamp_run(x, CONSTANTS.c0)
    _1 = ops.prepacked.conv2d_clamp_run(x, CONSTANTS.c1)
    _2 = ops.prepacked.conv2d_clamp_run(_0, CONSTANTS.c2)
    out = torch.add_(_2, _1)
    _3 = ops.prepacked.conv2d_clamp_run(out, CONSTANTS.c3)
    _4 = ops.prepacked.conv2d_clamp_run(_3, CONSTANTS.c4)
    _5 = ops.prepacked.conv2d_clamp_run(_4, CONSTANTS.c5)
    _6 = torch.eq(torch.size(out), torch.size(_5))
    if _6:
      out0 = torch.add_(_5, out)
    else:
      out0 = _5
    _7 = ops.prepacked.conv2d_clamp_run(out0, CONSTANTS.c6)
    _8 = ops.prepacked.conv2d_clamp_run(_7, CONSTANTS.c7)
    _9 = ops.prepacked.conv2d_clamp_run(_8, CONSTANTS.c8)
    _10 = torch.eq(torch.size(out0), torch.size(_9))
    if _10:
      out1 = torch.add_(_9, out0)
    else:
      out1 = _9
    _11 = ops.prepacked.conv2d_clamp_run(out1, CONSTANTS.c9)
    _12 = ops.prepacked.conv2d_clamp_run(_11, CONSTANTS.c10)
    _13 = [torch.size(_12, 0), torch.size(_12, 1), -1]
    out2 = torch.view(_12, _13)
    out3 = torch.max_pool1d(out2, [10], [9])
    out4 = torch.flatten(out3, 1)
    _14 = ops.prepacked.linear_clamp_run(out4, CONSTANTS.c11)
    out5 = torch.relu_(_14)
    _15 = ops.prepacked.linear_clamp_run(out5, CONSTANTS.c12)
    out6 = torch.relu_(_15)
    _16 = ops.prepacked.linear_clamp_run(out6, CONSTANTS.c13)
    return _16
