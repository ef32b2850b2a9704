class ResNet(Module):
  __parameters__ = []
  __buffers__ = []
  mobile_optimized : bool
  def forward(self: __torch__.db_zoo.model.word_resnet_model.___torch_mangle_107.ResNet,
    x: Tensor) -> Tensor:
    _0 = "dropout2d: Received a {}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs)."
    _1 = "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead."
    x0 = torch.unsqueeze(x, 1)
    _2 = ops.prepacked.conv2d_clamp_run(x0, CONSTANTS.c0)
    x1 = torch.max_pool2d(_2, [3, 3], [2, 2], [1, 1])
    _3 = ops.prepacked.conv2d_clamp_run(x1, CONSTANTS.c1)
    inp_dim = torch.dim(_3)
    _4 = torch.__not__(torch.__contains__([3, 4], inp_dim))
    if _4:
      warn_msg = torch.format(_0, inp_dim)
      torch.warn(warn_msg)
    else:
      pass
    if torch.eq(inp_dim, 3):
      torch.warn(_1)
    else:
      pass
    _5 = ops.prepacked.conv2d_clamp_run(_3, CONSTANTS.c2)
    out = torch.add_(_5, x1)
    input = torch.relu(out)
    _6 = ops.prepacked.conv2d_clamp_run(input, CONSTANTS.c3)
    inp_dim0 = torch.dim(_6)
    _7 = torch.__contains__([3, 4], inp_dim0)
    if torch.__not__(_7):
      warn_msg0 = torch.format(_0, inp_dim0)
      torch.warn(warn_msg0)
    else:
      pass
    if torch.eq(inp_dim0, 3):
      torch.warn(_1)
    else:
      pass
    _8 = ops.prepacked.conv2d_clamp_run(_6, CONSTANTS.c4)
    out0 = torch.add_(_8, input)
    x2 = torch.relu(out0)
    _9 = ops.prepacked.conv2d_clamp_run(x2, CONSTANTS.c5)
    _10 = ops.prepacked.conv2d_clamp_run(x2, CONSTANTS.c6)
    inp_dim1 = torch.dim(_9)
    _11 = torch.__contains__([3, 4], inp_dim1)
    if torch.__not__(_11):
      warn_msg1 = torch.format(_0, inp_dim1)
      torch.warn(warn_msg1)
    else:
      pass
    if torch.eq(inp_dim1, 3):
      torch.warn(_1)
    else:
      pass
    _12 = ops.prepacked.conv2d_clamp_run(_9, CONSTANTS.c7)
    out1 = torch.add_(_12, _10)
    input0 = torch.relu(out1)
    _13 = ops.prepacked.conv2d_clamp_run(input0, CONSTANTS.c8)
    inp_dim2 = torch.dim(_13)
    _14 = torch.__contains__([3, 4], inp_dim2)
    if torch.__not__(_14):
      warn_msg2 = torch.format(_0, inp_dim2)
      torch.warn(warn_msg2)
    else:
      pass
    if torch.eq(inp_dim2, 3):
      torch.warn(_1)
    else:
      pass
    _15 = ops.prepacked.conv2d_clamp_run(_13, CONSTANTS.c9)
    out2 = torch.add_(_15, input0)
    x3 = torch.relu(out2)
    _16 = ops.prepacked.conv2d_clamp_run(x3, CONSTANTS.c10)
    _17 = ops.prepacked.conv2d_clamp_run(x3, CONSTANTS.c11)
    inp_dim3 = torch.dim(_16)
    _18 = torch.__contains__([3, 4], inp_dim3)
    if torch.__not__(_18):
      warn_msg3 = torch.format(_0, inp_dim3)
      torch.warn(warn_msg3)
    else:
      pass
    if torch.eq(inp_dim3, 3):
      torch.warn(_1)
    else:
      pass
    _19 = ops.prepacked.conv2d_clamp_run(_16, CONSTANTS.c12)
    out3 = torch.add_(_19, _17)
    input1 = torch.relu(out3)
    _20 = ops.prepacked.conv2d_clamp_run(input1, CONSTANTS.c13)
    inp_dim4 = torch.dim(_20)
    _21 = torch.__contains__([3, 4], inp_dim4)
    if torch.__not__(_21):
      warn_msg4 = torch.format(_0, inp_dim4)
      torch.warn(warn_msg4)
    else:
      pass
    if torch.eq(inp_dim4, 3):
      torch.warn(_1)
    else:
      pass
    _22 = ops.prepacked.conv2d_clamp_run(_20, CONSTANTS.c14)
    out4 = torch.add_(_22, input1)
    x4 = torch.relu(out4)
    _23 = torch.gt(torch.len(torch.size(x4)), 2)
    if _23:
      pass
    else:
      ops.prim.RaiseException("AssertionError: ")
    x5 = torch.adaptive_avg_pool2d(x4, [1, 1])
    x6 = torch.flatten(x5, 1)
    _24 = ops.prepacked.linear_clamp_run(x6, CONSTANTS.c15)
    return _24
