class QuantizedModel(Module):
  __parameters__ = []
  __buffers__ = []
  mobile_optimized : bool
  def forward(self: __torch__.___torch_mangle_8137.QuantizedModel,
    x: Tensor) -> Tensor:
    _0 = "Input shape must be `(N, C, H, W)`!"
    _1 = "Input and output must have the same number of spatial dimensions, but got input with with spatial dimensions of {} and output size of {}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
    _2 = "Got 3D input, but bilinear mode needs 4D input"
    _3 = "Got 5D input, but bilinear mode needs 4D input"
    _4 = "Input Error: Only 3D, 4D and 5D input Tensors supported (got {}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got {})"
    x0 = torch.quantize_per_tensor(x, 1., 0, 13)
    _5 = torch.ne(torch.len(torch.size(x0)), 4)
    if _5:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin = ops.quantized.conv2d_relu(x0, CONSTANTS.c0, 1., 0)
    _6 = torch.ne(torch.len(torch.size(hxin)), 4)
    if _6:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1 = ops.quantized.conv2d_relu(hxin, CONSTANTS.c1, 1., 0)
    hx = torch.max_pool2d(hx1, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _7 = torch.ne(torch.len(torch.size(hx)), 4)
    if _7:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2 = ops.quantized.conv2d_relu(hx, CONSTANTS.c2, 1., 0)
    hx0 = torch.max_pool2d(hx2, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _8 = torch.ne(torch.len(torch.size(hx0)), 4)
    if _8:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3 = ops.quantized.conv2d_relu(hx0, CONSTANTS.c3, 1., 0)
    hx4 = torch.max_pool2d(hx3, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _9 = torch.ne(torch.len(torch.size(hx4)), 4)
    if _9:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx40 = ops.quantized.conv2d_relu(hx4, CONSTANTS.c4, 1., 0)
    hx5 = torch.max_pool2d(hx40, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _10 = torch.ne(torch.len(torch.size(hx5)), 4)
    if _10:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx50 = ops.quantized.conv2d_relu(hx5, CONSTANTS.c5, 1., 0)
    hx6 = torch.max_pool2d(hx50, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _11 = torch.ne(torch.len(torch.size(hx6)), 4)
    if _11:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx60 = ops.quantized.conv2d_relu(hx6, CONSTANTS.c6, 1., 0)
    _12 = torch.ne(torch.len(torch.size(hx60)), 4)
    if _12:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx7 = ops.quantized.conv2d_relu(hx60, CONSTANTS.c7, 1., 0)
    _13 = torch.cat([hx7, hx60], 1)
    _14 = torch.ne(torch.len(torch.size(_13)), 4)
    if _14:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx6d = ops.quantized.conv2d_relu(_13, CONSTANTS.c8, 1., 0)
    _15 = torch.slice(torch.size(hx50), 2)
    _16 = uninitialized(Tensor)
    _17 = torch.dim(hx6d)
    dim = torch.sub(_17, 2)
    if torch.ne(torch.len(_15), dim):
      _18 = torch.list(torch.slice(torch.size(hx6d), 2))
      ops.prim.RaiseException(torch.format(_1, _18, _15), "builtins.ValueError")
    else:
      pass
    if torch.eq(_17, 4):
      _19 = torch.upsample_bilinear2d(hx6d, _15, False, None)
      hx6dup = _19
    else:
      if torch.eq(_17, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_17, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _17, "bilinear"), "builtins.NotImplementedError")
      hx6dup = _16
    _20 = torch.cat([hx6dup, hx50], 1)
    _21 = torch.ne(torch.len(torch.size(_20)), 4)
    if _21:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx5d = ops.quantized.conv2d_relu(_20, CONSTANTS.c9, 1., 0)
    _22 = torch.slice(torch.size(hx40), 2)
    _23 = torch.dim(hx5d)
    dim0 = torch.sub(_23, 2)
    if torch.ne(torch.len(_22), dim0):
      _24 = torch.list(torch.slice(torch.size(hx5d), 2))
      ops.prim.RaiseException(torch.format(_1, _24, _22), "builtins.ValueError")
    else:
      pass
    if torch.eq(_23, 4):
      _25 = torch.upsample_bilinear2d(hx5d, _22, False, None)
      hx5dup = _25
    else:
      if torch.eq(_23, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_23, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _23, "bilinear"), "builtins.NotImplementedError")
      hx5dup = _16
    _26 = torch.cat([hx5dup, hx40], 1)
    _27 = torch.ne(torch.len(torch.size(_26)), 4)
    if _27:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx4d = ops.quantized.conv2d_relu(_26, CONSTANTS.c10, 1., 0)
    _28 = torch.slice(torch.size(hx3), 2)
    _29 = torch.dim(hx4d)
    dim1 = torch.sub(_29, 2)
    if torch.ne(torch.len(_28), dim1):
      _30 = torch.list(torch.slice(torch.size(hx4d), 2))
      ops.prim.RaiseException(torch.format(_1, _30, _28), "builtins.ValueError")
    else:
      pass
    if torch.eq(_29, 4):
      _31 = torch.upsample_bilinear2d(hx4d, _28, False, None)
      hx4dup = _31
    else:
      if torch.eq(_29, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_29, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _29, "bilinear"), "builtins.NotImplementedError")
      hx4dup = _16
    _32 = torch.cat([hx4dup, hx3], 1)
    _33 = torch.ne(torch.len(torch.size(_32)), 4)
    if _33:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d = ops.quantized.conv2d_relu(_32, CONSTANTS.c11, 1., 0)
    _34 = torch.slice(torch.size(hx2), 2)
    _35 = torch.dim(hx3d)
    dim2 = torch.sub(_35, 2)
    if torch.ne(torch.len(_34), dim2):
      _36 = torch.list(torch.slice(torch.size(hx3d), 2))
      ops.prim.RaiseException(torch.format(_1, _36, _34), "builtins.ValueError")
    else:
      pass
    if torch.eq(_35, 4):
      _37 = torch.upsample_bilinear2d(hx3d, _34, False, None)
      hx3dup = _37
    else:
      if torch.eq(_35, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_35, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _35, "bilinear"), "builtins.NotImplementedError")
      hx3dup = _16
    _38 = torch.cat([hx3dup, hx2], 1)
    _39 = torch.ne(torch.len(torch.size(_38)), 4)
    if _39:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d = ops.quantized.conv2d_relu(_38, CONSTANTS.c12, 1., 0)
    _40 = torch.slice(torch.size(hx1), 2)
    _41 = torch.dim(hx2d)
    dim3 = torch.sub(_41, 2)
    if torch.ne(torch.len(_40), dim3):
      _42 = torch.list(torch.slice(torch.size(hx2d), 2))
      ops.prim.RaiseException(torch.format(_1, _42, _40), "builtins.ValueError")
    else:
      pass
    if torch.eq(_41, 4):
      _43 = torch.upsample_bilinear2d(hx2d, _40, False, None)
      hx2dup = _43
    else:
      if torch.eq(_41, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_41, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _41, "bilinear"), "builtins.NotImplementedError")
      hx2dup = _16
    _44 = torch.cat([hx2dup, hx1], 1)
    _45 = torch.ne(torch.len(torch.size(_44)), 4)
    if _45:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d = ops.quantized.conv2d_relu(_44, CONSTANTS.c13, 1., 0)
    hx17 = ops.quantized.add(hx1d, hxin, 1., 0)
    hx8 = torch.max_pool2d(hx17, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _46 = torch.ne(torch.len(torch.size(hx8)), 4)
    if _46:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin0 = ops.quantized.conv2d_relu(hx8, CONSTANTS.c14, 1., 0)
    _47 = torch.ne(torch.len(torch.size(hxin0)), 4)
    if _47:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx19 = ops.quantized.conv2d_relu(hxin0, CONSTANTS.c15, 1., 0)
    hx10 = torch.max_pool2d(hx19, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _48 = torch.ne(torch.len(torch.size(hx10)), 4)
    if _48:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx28 = ops.quantized.conv2d_relu(hx10, CONSTANTS.c16, 1., 0)
    hx9 = torch.max_pool2d(hx28, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _49 = torch.ne(torch.len(torch.size(hx9)), 4)
    if _49:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx38 = ops.quantized.conv2d_relu(hx9, CONSTANTS.c17, 1., 0)
    hx11 = torch.max_pool2d(hx38, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _50 = torch.ne(torch.len(torch.size(hx11)), 4)
    if _50:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx49 = ops.quantized.conv2d_relu(hx11, CONSTANTS.c18, 1., 0)
    hx12 = torch.max_pool2d(hx49, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _51 = torch.ne(torch.len(torch.size(hx12)), 4)
    if _51:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx59 = ops.quantized.conv2d_relu(hx12, CONSTANTS.c19, 1., 0)
    _52 = torch.ne(torch.len(torch.size(hx59)), 4)
    if _52:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx69 = ops.quantized.conv2d_relu(hx59, CONSTANTS.c20, 1., 0)
    _53 = torch.cat([hx69, hx59], 1)
    _54 = torch.ne(torch.len(torch.size(_53)), 4)
    if _54:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx5d0 = ops.quantized.conv2d_relu(_53, CONSTANTS.c21, 1., 0)
    _55 = torch.slice(torch.size(hx49), 2)
    _56 = torch.dim(hx5d0)
    dim4 = torch.sub(_56, 2)
    if torch.ne(torch.len(_55), dim4):
      _57 = torch.list(torch.slice(torch.size(hx5d0), 2))
      ops.prim.RaiseException(torch.format(_1, _57, _55), "builtins.ValueError")
    else:
      pass
    if torch.eq(_56, 4):
      _58 = torch.upsample_bilinear2d(hx5d0, _55, False, None)
      hx5dup0 = _58
    else:
      if torch.eq(_56, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_56, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _56, "bilinear"), "builtins.NotImplementedError")
      hx5dup0 = _16
    _59 = torch.cat([hx5dup0, hx49], 1)
    _60 = torch.ne(torch.len(torch.size(_59)), 4)
    if _60:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx4d0 = ops.quantized.conv2d_relu(_59, CONSTANTS.c22, 1., 0)
    _61 = torch.slice(torch.size(hx38), 2)
    _62 = torch.dim(hx4d0)
    dim5 = torch.sub(_62, 2)
    if torch.ne(torch.len(_61), dim5):
      _63 = torch.list(torch.slice(torch.size(hx4d0), 2))
      ops.prim.RaiseException(torch.format(_1, _63, _61), "builtins.ValueError")
    else:
      pass
    if torch.eq(_62, 4):
      _64 = torch.upsample_bilinear2d(hx4d0, _61, False, None)
      hx4dup0 = _64
    else:
      if torch.eq(_62, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_62, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _62, "bilinear"), "builtins.NotImplementedError")
      hx4dup0 = _16
    _65 = torch.cat([hx4dup0, hx38], 1)
    _66 = torch.ne(torch.len(torch.size(_65)), 4)
    if _66:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d0 = ops.quantized.conv2d_relu(_65, CONSTANTS.c23, 1., 0)
    _67 = torch.slice(torch.size(hx28), 2)
    _68 = torch.dim(hx3d0)
    dim6 = torch.sub(_68, 2)
    if torch.ne(torch.len(_67), dim6):
      _69 = torch.list(torch.slice(torch.size(hx3d0), 2))
      ops.prim.RaiseException(torch.format(_1, _69, _67), "builtins.ValueError")
    else:
      pass
    if torch.eq(_68, 4):
      _70 = torch.upsample_bilinear2d(hx3d0, _67, False, None)
      hx3dup0 = _70
    else:
      if torch.eq(_68, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_68, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _68, "bilinear"), "builtins.NotImplementedError")
      hx3dup0 = _16
    _71 = torch.cat([hx3dup0, hx28], 1)
    _72 = torch.ne(torch.len(torch.size(_71)), 4)
    if _72:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d0 = ops.quantized.conv2d_relu(_71, CONSTANTS.c24, 1., 0)
    _73 = torch.slice(torch.size(hx19), 2)
    _74 = torch.dim(hx2d0)
    dim7 = torch.sub(_74, 2)
    if torch.ne(torch.len(_73), dim7):
      _75 = torch.list(torch.slice(torch.size(hx2d0), 2))
      ops.prim.RaiseException(torch.format(_1, _75, _73), "builtins.ValueError")
    else:
      pass
    if torch.eq(_74, 4):
      _76 = torch.upsample_bilinear2d(hx2d0, _73, False, None)
      hx2dup0 = _76
    else:
      if torch.eq(_74, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_74, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _74, "bilinear"), "builtins.NotImplementedError")
      hx2dup0 = _16
    _77 = torch.cat([hx2dup0, hx19], 1)
    _78 = torch.ne(torch.len(torch.size(_77)), 4)
    if _78:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d0 = ops.quantized.conv2d_relu(_77, CONSTANTS.c25, 1., 0)
    hx211 = ops.quantized.add(hx1d0, hxin0, 1., 0)
    hx13 = torch.max_pool2d(hx211, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _79 = torch.ne(torch.len(torch.size(hx13)), 4)
    if _79:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin1 = ops.quantized.conv2d_relu(hx13, CONSTANTS.c26, 1., 0)
    _80 = torch.ne(torch.len(torch.size(hxin1)), 4)
    if _80:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx114 = ops.quantized.conv2d_relu(hxin1, CONSTANTS.c27, 1., 0)
    hx15 = torch.max_pool2d(hx114, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _81 = torch.ne(torch.len(torch.size(hx15)), 4)
    if _81:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx214 = ops.quantized.conv2d_relu(hx15, CONSTANTS.c28, 1., 0)
    hx16 = torch.max_pool2d(hx214, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _82 = torch.ne(torch.len(torch.size(hx16)), 4)
    if _82:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx313 = ops.quantized.conv2d_relu(hx16, CONSTANTS.c29, 1., 0)
    hx14 = torch.max_pool2d(hx313, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _83 = torch.ne(torch.len(torch.size(hx14)), 4)
    if _83:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx412 = ops.quantized.conv2d_relu(hx14, CONSTANTS.c30, 1., 0)
    _84 = torch.ne(torch.len(torch.size(hx412)), 4)
    if _84:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx510 = ops.quantized.conv2d_relu(hx412, CONSTANTS.c31, 1., 0)
    _85 = torch.cat([hx510, hx412], 1)
    _86 = torch.ne(torch.len(torch.size(_85)), 4)
    if _86:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx4d1 = ops.quantized.conv2d_relu(_85, CONSTANTS.c32, 1., 0)
    _87 = torch.slice(torch.size(hx313), 2)
    _88 = torch.dim(hx4d1)
    dim8 = torch.sub(_88, 2)
    if torch.ne(torch.len(_87), dim8):
      _89 = torch.list(torch.slice(torch.size(hx4d1), 2))
      ops.prim.RaiseException(torch.format(_1, _89, _87), "builtins.ValueError")
    else:
      pass
    if torch.eq(_88, 4):
      _90 = torch.upsample_bilinear2d(hx4d1, _87, False, None)
      hx4dup1 = _90
    else:
      if torch.eq(_88, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_88, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _88, "bilinear"), "builtins.NotImplementedError")
      hx4dup1 = _16
    _91 = torch.cat([hx4dup1, hx313], 1)
    _92 = torch.ne(torch.len(torch.size(_91)), 4)
    if _92:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d1 = ops.quantized.conv2d_relu(_91, CONSTANTS.c33, 1., 0)
    _93 = torch.slice(torch.size(hx214), 2)
    _94 = torch.dim(hx3d1)
    dim9 = torch.sub(_94, 2)
    if torch.ne(torch.len(_93), dim9):
      _95 = torch.list(torch.slice(torch.size(hx3d1), 2))
      ops.prim.RaiseException(torch.format(_1, _95, _93), "builtins.ValueError")
    else:
      pass
    if torch.eq(_94, 4):
      _96 = torch.upsample_bilinear2d(hx3d1, _93, False, None)
      hx3dup1 = _96
    else:
      if torch.eq(_94, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_94, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      ops.prim.RaiseException(torch.format(_4, _94, "bilinear"), "builtins.NotImplementedError")
      hx3dup1 = _16
    _97 = torch.cat([hx3dup1, hx214], 1)
    _98 = torch.ne(torch.len(torch.size(_97)), 4)
    if _98:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d1 = ops.quantized.conv2d_relu(_97, CONSTANTS.c34, 1., 0)
    _99 = torch.slice(torch.size(hx114), 2)
    _100 = torch.dim(hx2d1)
    dim10 = torch.sub(_100, 2)
    if torch.ne(torch.len(_99), dim10):
      _101 = torch.list(torch.slice(torch.size(hx2d1), 2))
      ops.prim.RaiseException(torch.format(_1, _101, _99), "builtins.ValueError")
    else:
      pass
    if torch.eq(_100, 4):
      _102 = torch.upsample_bilinear2d(hx2d1, _99, False, None)
      hx2dup1 = _102
    else:
      if torch.eq(_100, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_100, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _103 = torch.format(_4, _100, "bilinear")
      ops.prim.RaiseException(_103, "builtins.NotImplementedError")
      hx2dup1 = _16
    _104 = torch.cat([hx2dup1, hx114], 1)
    _105 = torch.ne(torch.len(torch.size(_104)), 4)
    if _105:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d1 = ops.quantized.conv2d_relu(_104, CONSTANTS.c35, 1., 0)
    hx315 = ops.quantized.add(hx1d1, hxin1, 1., 0)
    hx18 = torch.max_pool2d(hx315, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _106 = torch.ne(torch.len(torch.size(hx18)), 4)
    if _106:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin2 = ops.quantized.conv2d_relu(hx18, CONSTANTS.c36, 1., 0)
    _107 = torch.ne(torch.len(torch.size(hxin2)), 4)
    if _107:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx119 = ops.quantized.conv2d_relu(hxin2, CONSTANTS.c37, 1., 0)
    hx20 = torch.max_pool2d(hx119, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _108 = torch.ne(torch.len(torch.size(hx20)), 4)
    if _108:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx218 = ops.quantized.conv2d_relu(hx20, CONSTANTS.c38, 1., 0)
    hx21 = torch.max_pool2d(hx218, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _109 = torch.ne(torch.len(torch.size(hx21)), 4)
    if _109:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx316 = ops.quantized.conv2d_relu(hx21, CONSTANTS.c39, 1., 0)
    _110 = torch.ne(torch.len(torch.size(hx316)), 4)
    if _110:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx413 = ops.quantized.conv2d_relu(hx316, CONSTANTS.c40, 1., 0)
    _111 = torch.cat([hx413, hx316], 1)
    _112 = torch.ne(torch.len(torch.size(_111)), 4)
    if _112:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d2 = ops.quantized.conv2d_relu(_111, CONSTANTS.c41, 1., 0)
    _113 = torch.slice(torch.size(hx218), 2)
    _114 = torch.dim(hx3d2)
    dim11 = torch.sub(_114, 2)
    if torch.ne(torch.len(_113), dim11):
      _115 = torch.list(torch.slice(torch.size(hx3d2), 2))
      ops.prim.RaiseException(torch.format(_1, _115, _113), "builtins.ValueError")
    else:
      pass
    if torch.eq(_114, 4):
      _116 = torch.upsample_bilinear2d(hx3d2, _113, False, None)
      hx3dup2 = _116
    else:
      if torch.eq(_114, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_114, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _117 = torch.format(_4, _114, "bilinear")
      ops.prim.RaiseException(_117, "builtins.NotImplementedError")
      hx3dup2 = _16
    _118 = torch.cat([hx3dup2, hx218], 1)
    _119 = torch.ne(torch.len(torch.size(_118)), 4)
    if _119:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d2 = ops.quantized.conv2d_relu(_118, CONSTANTS.c42, 1., 0)
    _120 = torch.slice(torch.size(hx119), 2)
    _121 = torch.dim(hx2d2)
    dim12 = torch.sub(_121, 2)
    if torch.ne(torch.len(_120), dim12):
      _122 = torch.list(torch.slice(torch.size(hx2d2), 2))
      ops.prim.RaiseException(torch.format(_1, _122, _120), "builtins.ValueError")
    else:
      pass
    if torch.eq(_121, 4):
      _123 = torch.upsample_bilinear2d(hx2d2, _120, False, None)
      hx2dup2 = _123
    else:
      if torch.eq(_121, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_121, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _124 = torch.format(_4, _121, "bilinear")
      ops.prim.RaiseException(_124, "builtins.NotImplementedError")
      hx2dup2 = _16
    _125 = torch.cat([hx2dup2, hx119], 1)
    _126 = torch.ne(torch.len(torch.size(_125)), 4)
    if _126:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d2 = ops.quantized.conv2d_relu(_125, CONSTANTS.c43, 1., 0)
    hx414 = ops.quantized.add(hx1d2, hxin2, 1., 0)
    hx22 = torch.max_pool2d(hx414, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _127 = torch.ne(torch.len(torch.size(hx22)), 4)
    if _127:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin3 = ops.quantized.conv2d_relu(hx22, CONSTANTS.c44, 1., 0)
    _128 = torch.ne(torch.len(torch.size(hxin3)), 4)
    if _128:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx123 = ops.quantized.conv2d_relu(hxin3, CONSTANTS.c45, 1., 0)
    _129 = torch.ne(torch.len(torch.size(hx123)), 4)
    if _129:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx219 = ops.quantized.conv2d_relu(hx123, CONSTANTS.c46, 1., 0)
    _130 = torch.ne(torch.len(torch.size(hx219)), 4)
    if _130:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx317 = ops.quantized.conv2d_relu(hx219, CONSTANTS.c47, 1., 0)
    _131 = torch.ne(torch.len(torch.size(hx317)), 4)
    if _131:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx415 = ops.quantized.conv2d_relu(hx317, CONSTANTS.c48, 1., 0)
    _132 = torch.cat([hx415, hx317], 1)
    _133 = torch.ne(torch.len(torch.size(_132)), 4)
    if _133:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d3 = ops.quantized.conv2d_relu(_132, CONSTANTS.c49, 1., 0)
    _134 = torch.cat([hx3d3, hx219], 1)
    _135 = torch.ne(torch.len(torch.size(_134)), 4)
    if _135:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d3 = ops.quantized.conv2d_relu(_134, CONSTANTS.c50, 1., 0)
    _136 = torch.cat([hx2d3, hx123], 1)
    _137 = torch.ne(torch.len(torch.size(_136)), 4)
    if _137:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d3 = ops.quantized.conv2d_relu(_136, CONSTANTS.c51, 1., 0)
    hx511 = ops.quantized.add(hx1d3, hxin3, 1., 0)
    hx24 = torch.max_pool2d(hx511, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _138 = torch.ne(torch.len(torch.size(hx24)), 4)
    if _138:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin4 = ops.quantized.conv2d_relu(hx24, CONSTANTS.c52, 1., 0)
    _139 = torch.ne(torch.len(torch.size(hxin4)), 4)
    if _139:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx125 = ops.quantized.conv2d_relu(hxin4, CONSTANTS.c53, 1., 0)
    _140 = torch.ne(torch.len(torch.size(hx125)), 4)
    if _140:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx223 = ops.quantized.conv2d_relu(hx125, CONSTANTS.c54, 1., 0)
    _141 = torch.ne(torch.len(torch.size(hx223)), 4)
    if _141:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx319 = ops.quantized.conv2d_relu(hx223, CONSTANTS.c55, 1., 0)
    _142 = torch.ne(torch.len(torch.size(hx319)), 4)
    if _142:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx416 = ops.quantized.conv2d_relu(hx319, CONSTANTS.c56, 1., 0)
    _143 = torch.cat([hx416, hx319], 1)
    _144 = torch.ne(torch.len(torch.size(_143)), 4)
    if _144:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d4 = ops.quantized.conv2d_relu(_143, CONSTANTS.c57, 1., 0)
    _145 = torch.cat([hx3d4, hx223], 1)
    _146 = torch.ne(torch.len(torch.size(_145)), 4)
    if _146:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d4 = ops.quantized.conv2d_relu(_145, CONSTANTS.c58, 1., 0)
    _147 = torch.cat([hx2d4, hx125], 1)
    _148 = torch.ne(torch.len(torch.size(_147)), 4)
    if _148:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d4 = ops.quantized.conv2d_relu(_147, CONSTANTS.c59, 1., 0)
    hx610 = ops.quantized.add(hx1d4, hxin4, 1., 0)
    _149 = torch.slice(torch.size(hx511), 2)
    _150 = torch.dim(hx610)
    dim13 = torch.sub(_150, 2)
    if torch.ne(torch.len(_149), dim13):
      _151 = torch.list(torch.slice(torch.size(hx610), 2))
      ops.prim.RaiseException(torch.format(_1, _151, _149), "builtins.ValueError")
    else:
      pass
    if torch.eq(_150, 4):
      _152 = torch.upsample_bilinear2d(hx610, _149, False, None)
      hx6up = _152
    else:
      if torch.eq(_150, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_150, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _153 = torch.format(_4, _150, "bilinear")
      ops.prim.RaiseException(_153, "builtins.NotImplementedError")
      hx6up = _16
    _154 = torch.cat([hx6up, hx511], 1)
    _155 = torch.ne(torch.len(torch.size(_154)), 4)
    if _155:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin5 = ops.quantized.conv2d_relu(_154, CONSTANTS.c60, 1., 0)
    _156 = torch.ne(torch.len(torch.size(hxin5)), 4)
    if _156:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx126 = ops.quantized.conv2d_relu(hxin5, CONSTANTS.c61, 1., 0)
    _157 = torch.ne(torch.len(torch.size(hx126)), 4)
    if _157:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx224 = ops.quantized.conv2d_relu(hx126, CONSTANTS.c62, 1., 0)
    _158 = torch.ne(torch.len(torch.size(hx224)), 4)
    if _158:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx320 = ops.quantized.conv2d_relu(hx224, CONSTANTS.c63, 1., 0)
    _159 = torch.ne(torch.len(torch.size(hx320)), 4)
    if _159:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx417 = ops.quantized.conv2d_relu(hx320, CONSTANTS.c64, 1., 0)
    _160 = torch.cat([hx417, hx320], 1)
    _161 = torch.ne(torch.len(torch.size(_160)), 4)
    if _161:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d5 = ops.quantized.conv2d_relu(_160, CONSTANTS.c65, 1., 0)
    _162 = torch.cat([hx3d5, hx224], 1)
    _163 = torch.ne(torch.len(torch.size(_162)), 4)
    if _163:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d5 = ops.quantized.conv2d_relu(_162, CONSTANTS.c66, 1., 0)
    _164 = torch.cat([hx2d5, hx126], 1)
    _165 = torch.ne(torch.len(torch.size(_164)), 4)
    if _165:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d5 = ops.quantized.conv2d_relu(_164, CONSTANTS.c67, 1., 0)
    hx5d1 = ops.quantized.add(hx1d5, hxin5, 1., 0)
    _166 = torch.slice(torch.size(hx414), 2)
    _167 = torch.dim(hx5d1)
    dim14 = torch.sub(_167, 2)
    if torch.ne(torch.len(_166), dim14):
      _168 = torch.list(torch.slice(torch.size(hx5d1), 2))
      ops.prim.RaiseException(torch.format(_1, _168, _166), "builtins.ValueError")
    else:
      pass
    if torch.eq(_167, 4):
      _169 = torch.upsample_bilinear2d(hx5d1, _166, False, None)
      hx5dup1 = _169
    else:
      if torch.eq(_167, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_167, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _170 = torch.format(_4, _167, "bilinear")
      ops.prim.RaiseException(_170, "builtins.NotImplementedError")
      hx5dup1 = _16
    _171 = torch.cat([hx5dup1, hx414], 1)
    _172 = torch.ne(torch.len(torch.size(_171)), 4)
    if _172:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin6 = ops.quantized.conv2d_relu(_171, CONSTANTS.c68, 1., 0)
    _173 = torch.ne(torch.len(torch.size(hxin6)), 4)
    if _173:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx127 = ops.quantized.conv2d_relu(hxin6, CONSTANTS.c69, 1., 0)
    hx25 = torch.max_pool2d(hx127, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _174 = torch.ne(torch.len(torch.size(hx25)), 4)
    if _174:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx226 = ops.quantized.conv2d_relu(hx25, CONSTANTS.c70, 1., 0)
    hx29 = torch.max_pool2d(hx226, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _175 = torch.ne(torch.len(torch.size(hx29)), 4)
    if _175:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx321 = ops.quantized.conv2d_relu(hx29, CONSTANTS.c71, 1., 0)
    _176 = torch.ne(torch.len(torch.size(hx321)), 4)
    if _176:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx418 = ops.quantized.conv2d_relu(hx321, CONSTANTS.c72, 1., 0)
    _177 = torch.cat([hx418, hx321], 1)
    _178 = torch.ne(torch.len(torch.size(_177)), 4)
    if _178:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d6 = ops.quantized.conv2d_relu(_177, CONSTANTS.c73, 1., 0)
    _179 = torch.slice(torch.size(hx226), 2)
    _180 = torch.dim(hx3d6)
    dim15 = torch.sub(_180, 2)
    if torch.ne(torch.len(_179), dim15):
      _181 = torch.list(torch.slice(torch.size(hx3d6), 2))
      ops.prim.RaiseException(torch.format(_1, _181, _179), "builtins.ValueError")
    else:
      pass
    if torch.eq(_180, 4):
      _182 = torch.upsample_bilinear2d(hx3d6, _179, False, None)
      hx3dup3 = _182
    else:
      if torch.eq(_180, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_180, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _183 = torch.format(_4, _180, "bilinear")
      ops.prim.RaiseException(_183, "builtins.NotImplementedError")
      hx3dup3 = _16
    _184 = torch.cat([hx3dup3, hx226], 1)
    _185 = torch.ne(torch.len(torch.size(_184)), 4)
    if _185:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d6 = ops.quantized.conv2d_relu(_184, CONSTANTS.c74, 1., 0)
    _186 = torch.slice(torch.size(hx127), 2)
    _187 = torch.dim(hx2d6)
    dim16 = torch.sub(_187, 2)
    if torch.ne(torch.len(_186), dim16):
      _188 = torch.list(torch.slice(torch.size(hx2d6), 2))
      ops.prim.RaiseException(torch.format(_1, _188, _186), "builtins.ValueError")
    else:
      pass
    if torch.eq(_187, 4):
      _189 = torch.upsample_bilinear2d(hx2d6, _186, False, None)
      hx2dup3 = _189
    else:
      if torch.eq(_187, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_187, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _190 = torch.format(_4, _187, "bilinear")
      ops.prim.RaiseException(_190, "builtins.NotImplementedError")
      hx2dup3 = _16
    _191 = torch.cat([hx2dup3, hx127], 1)
    _192 = torch.ne(torch.len(torch.size(_191)), 4)
    if _192:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d6 = ops.quantized.conv2d_relu(_191, CONSTANTS.c75, 1., 0)
    hx4d2 = ops.quantized.add(hx1d6, hxin6, 1., 0)
    _193 = torch.slice(torch.size(hx315), 2)
    _194 = torch.dim(hx4d2)
    dim17 = torch.sub(_194, 2)
    if torch.ne(torch.len(_193), dim17):
      _195 = torch.list(torch.slice(torch.size(hx4d2), 2))
      ops.prim.RaiseException(torch.format(_1, _195, _193), "builtins.ValueError")
    else:
      pass
    if torch.eq(_194, 4):
      _196 = torch.upsample_bilinear2d(hx4d2, _193, False, None)
      hx4dup2 = _196
    else:
      if torch.eq(_194, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_194, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _197 = torch.format(_4, _194, "bilinear")
      ops.prim.RaiseException(_197, "builtins.NotImplementedError")
      hx4dup2 = _16
    _198 = torch.cat([hx4dup2, hx315], 1)
    _199 = torch.ne(torch.len(torch.size(_198)), 4)
    if _199:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin7 = ops.quantized.conv2d_relu(_198, CONSTANTS.c76, 1., 0)
    _200 = torch.ne(torch.len(torch.size(hxin7)), 4)
    if _200:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx130 = ops.quantized.conv2d_relu(hxin7, CONSTANTS.c77, 1., 0)
    hx27 = torch.max_pool2d(hx130, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _201 = torch.ne(torch.len(torch.size(hx27)), 4)
    if _201:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx228 = ops.quantized.conv2d_relu(hx27, CONSTANTS.c78, 1., 0)
    hx31 = torch.max_pool2d(hx228, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _202 = torch.ne(torch.len(torch.size(hx31)), 4)
    if _202:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx322 = ops.quantized.conv2d_relu(hx31, CONSTANTS.c79, 1., 0)
    hx32 = torch.max_pool2d(hx322, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _203 = torch.ne(torch.len(torch.size(hx32)), 4)
    if _203:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx419 = ops.quantized.conv2d_relu(hx32, CONSTANTS.c80, 1., 0)
    _204 = torch.ne(torch.len(torch.size(hx419)), 4)
    if _204:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx512 = ops.quantized.conv2d_relu(hx419, CONSTANTS.c81, 1., 0)
    _205 = torch.cat([hx512, hx419], 1)
    _206 = torch.ne(torch.len(torch.size(_205)), 4)
    if _206:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx4d3 = ops.quantized.conv2d_relu(_205, CONSTANTS.c82, 1., 0)
    _207 = torch.slice(torch.size(hx322), 2)
    _208 = torch.dim(hx4d3)
    dim18 = torch.sub(_208, 2)
    if torch.ne(torch.len(_207), dim18):
      _209 = torch.list(torch.slice(torch.size(hx4d3), 2))
      ops.prim.RaiseException(torch.format(_1, _209, _207), "builtins.ValueError")
    else:
      pass
    if torch.eq(_208, 4):
      _210 = torch.upsample_bilinear2d(hx4d3, _207, False, None)
      hx4dup3 = _210
    else:
      if torch.eq(_208, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_208, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _211 = torch.format(_4, _208, "bilinear")
      ops.prim.RaiseException(_211, "builtins.NotImplementedError")
      hx4dup3 = _16
    _212 = torch.cat([hx4dup3, hx322], 1)
    _213 = torch.ne(torch.len(torch.size(_212)), 4)
    if _213:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d7 = ops.quantized.conv2d_relu(_212, CONSTANTS.c83, 1., 0)
    _214 = torch.slice(torch.size(hx228), 2)
    _215 = torch.dim(hx3d7)
    dim19 = torch.sub(_215, 2)
    if torch.ne(torch.len(_214), dim19):
      _216 = torch.list(torch.slice(torch.size(hx3d7), 2))
      ops.prim.RaiseException(torch.format(_1, _216, _214), "builtins.ValueError")
    else:
      pass
    if torch.eq(_215, 4):
      _217 = torch.upsample_bilinear2d(hx3d7, _214, False, None)
      hx3dup4 = _217
    else:
      if torch.eq(_215, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_215, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _218 = torch.format(_4, _215, "bilinear")
      ops.prim.RaiseException(_218, "builtins.NotImplementedError")
      hx3dup4 = _16
    _219 = torch.cat([hx3dup4, hx228], 1)
    _220 = torch.ne(torch.len(torch.size(_219)), 4)
    if _220:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d7 = ops.quantized.conv2d_relu(_219, CONSTANTS.c84, 1., 0)
    _221 = torch.slice(torch.size(hx130), 2)
    _222 = torch.dim(hx2d7)
    dim20 = torch.sub(_222, 2)
    if torch.ne(torch.len(_221), dim20):
      _223 = torch.list(torch.slice(torch.size(hx2d7), 2))
      ops.prim.RaiseException(torch.format(_1, _223, _221), "builtins.ValueError")
    else:
      pass
    if torch.eq(_222, 4):
      _224 = torch.upsample_bilinear2d(hx2d7, _221, False, None)
      hx2dup4 = _224
    else:
      if torch.eq(_222, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_222, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _225 = torch.format(_4, _222, "bilinear")
      ops.prim.RaiseException(_225, "builtins.NotImplementedError")
      hx2dup4 = _16
    _226 = torch.cat([hx2dup4, hx130], 1)
    _227 = torch.ne(torch.len(torch.size(_226)), 4)
    if _227:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d7 = ops.quantized.conv2d_relu(_226, CONSTANTS.c85, 1., 0)
    hx3d8 = ops.quantized.add(hx1d7, hxin7, 1., 0)
    _228 = torch.slice(torch.size(hx211), 2)
    _229 = torch.dim(hx3d8)
    dim21 = torch.sub(_229, 2)
    if torch.ne(torch.len(_228), dim21):
      _230 = torch.list(torch.slice(torch.size(hx3d8), 2))
      ops.prim.RaiseException(torch.format(_1, _230, _228), "builtins.ValueError")
    else:
      pass
    if torch.eq(_229, 4):
      _231 = torch.upsample_bilinear2d(hx3d8, _228, False, None)
      hx3dup5 = _231
    else:
      if torch.eq(_229, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_229, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _232 = torch.format(_4, _229, "bilinear")
      ops.prim.RaiseException(_232, "builtins.NotImplementedError")
      hx3dup5 = _16
    _233 = torch.cat([hx3dup5, hx211], 1)
    _234 = torch.ne(torch.len(torch.size(_233)), 4)
    if _234:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin8 = ops.quantized.conv2d_relu(_233, CONSTANTS.c86, 1., 0)
    _235 = torch.ne(torch.len(torch.size(hxin8)), 4)
    if _235:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx133 = ops.quantized.conv2d_relu(hxin8, CONSTANTS.c87, 1., 0)
    hx23 = torch.max_pool2d(hx133, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _236 = torch.ne(torch.len(torch.size(hx23)), 4)
    if _236:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx229 = ops.quantized.conv2d_relu(hx23, CONSTANTS.c88, 1., 0)
    hx30 = torch.max_pool2d(hx229, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _237 = torch.ne(torch.len(torch.size(hx30)), 4)
    if _237:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx323 = ops.quantized.conv2d_relu(hx30, CONSTANTS.c89, 1., 0)
    hx34 = torch.max_pool2d(hx323, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _238 = torch.ne(torch.len(torch.size(hx34)), 4)
    if _238:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx420 = ops.quantized.conv2d_relu(hx34, CONSTANTS.c90, 1., 0)
    hx26 = torch.max_pool2d(hx420, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _239 = torch.ne(torch.len(torch.size(hx26)), 4)
    if _239:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx513 = ops.quantized.conv2d_relu(hx26, CONSTANTS.c91, 1., 0)
    _240 = torch.ne(torch.len(torch.size(hx513)), 4)
    if _240:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx611 = ops.quantized.conv2d_relu(hx513, CONSTANTS.c92, 1., 0)
    _241 = torch.cat([hx611, hx513], 1)
    _242 = torch.ne(torch.len(torch.size(_241)), 4)
    if _242:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx5d2 = ops.quantized.conv2d_relu(_241, CONSTANTS.c93, 1., 0)
    _243 = torch.slice(torch.size(hx420), 2)
    _244 = torch.dim(hx5d2)
    dim22 = torch.sub(_244, 2)
    if torch.ne(torch.len(_243), dim22):
      _245 = torch.list(torch.slice(torch.size(hx5d2), 2))
      ops.prim.RaiseException(torch.format(_1, _245, _243), "builtins.ValueError")
    else:
      pass
    if torch.eq(_244, 4):
      _246 = torch.upsample_bilinear2d(hx5d2, _243, False, None)
      hx5dup2 = _246
    else:
      if torch.eq(_244, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_244, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _247 = torch.format(_4, _244, "bilinear")
      ops.prim.RaiseException(_247, "builtins.NotImplementedError")
      hx5dup2 = _16
    _248 = torch.cat([hx5dup2, hx420], 1)
    _249 = torch.ne(torch.len(torch.size(_248)), 4)
    if _249:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx4d4 = ops.quantized.conv2d_relu(_248, CONSTANTS.c94, 1., 0)
    _250 = torch.slice(torch.size(hx323), 2)
    _251 = torch.dim(hx4d4)
    dim23 = torch.sub(_251, 2)
    if torch.ne(torch.len(_250), dim23):
      _252 = torch.list(torch.slice(torch.size(hx4d4), 2))
      ops.prim.RaiseException(torch.format(_1, _252, _250), "builtins.ValueError")
    else:
      pass
    if torch.eq(_251, 4):
      _253 = torch.upsample_bilinear2d(hx4d4, _250, False, None)
      hx4dup4 = _253
    else:
      if torch.eq(_251, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_251, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _254 = torch.format(_4, _251, "bilinear")
      ops.prim.RaiseException(_254, "builtins.NotImplementedError")
      hx4dup4 = _16
    _255 = torch.cat([hx4dup4, hx323], 1)
    _256 = torch.ne(torch.len(torch.size(_255)), 4)
    if _256:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d9 = ops.quantized.conv2d_relu(_255, CONSTANTS.c95, 1., 0)
    _257 = torch.slice(torch.size(hx229), 2)
    _258 = torch.dim(hx3d9)
    dim24 = torch.sub(_258, 2)
    if torch.ne(torch.len(_257), dim24):
      _259 = torch.list(torch.slice(torch.size(hx3d9), 2))
      ops.prim.RaiseException(torch.format(_1, _259, _257), "builtins.ValueError")
    else:
      pass
    if torch.eq(_258, 4):
      _260 = torch.upsample_bilinear2d(hx3d9, _257, False, None)
      hx3dup6 = _260
    else:
      if torch.eq(_258, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_258, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _261 = torch.format(_4, _258, "bilinear")
      ops.prim.RaiseException(_261, "builtins.NotImplementedError")
      hx3dup6 = _16
    _262 = torch.cat([hx3dup6, hx229], 1)
    _263 = torch.ne(torch.len(torch.size(_262)), 4)
    if _263:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d8 = ops.quantized.conv2d_relu(_262, CONSTANTS.c96, 1., 0)
    _264 = torch.slice(torch.size(hx133), 2)
    _265 = torch.dim(hx2d8)
    dim25 = torch.sub(_265, 2)
    if torch.ne(torch.len(_264), dim25):
      _266 = torch.list(torch.slice(torch.size(hx2d8), 2))
      ops.prim.RaiseException(torch.format(_1, _266, _264), "builtins.ValueError")
    else:
      pass
    if torch.eq(_265, 4):
      _267 = torch.upsample_bilinear2d(hx2d8, _264, False, None)
      hx2dup5 = _267
    else:
      if torch.eq(_265, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_265, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _268 = torch.format(_4, _265, "bilinear")
      ops.prim.RaiseException(_268, "builtins.NotImplementedError")
      hx2dup5 = _16
    _269 = torch.cat([hx2dup5, hx133], 1)
    _270 = torch.ne(torch.len(torch.size(_269)), 4)
    if _270:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d8 = ops.quantized.conv2d_relu(_269, CONSTANTS.c97, 1., 0)
    hx2d9 = ops.quantized.add(hx1d8, hxin8, 1., 0)
    _271 = torch.slice(torch.size(hx17), 2)
    _272 = torch.dim(hx2d9)
    dim26 = torch.sub(_272, 2)
    if torch.ne(torch.len(_271), dim26):
      _273 = torch.list(torch.slice(torch.size(hx2d9), 2))
      ops.prim.RaiseException(torch.format(_1, _273, _271), "builtins.ValueError")
    else:
      pass
    if torch.eq(_272, 4):
      _274 = torch.upsample_bilinear2d(hx2d9, _271, False, None)
      hx2dup6 = _274
    else:
      if torch.eq(_272, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_272, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _275 = torch.format(_4, _272, "bilinear")
      ops.prim.RaiseException(_275, "builtins.NotImplementedError")
      hx2dup6 = _16
    _276 = torch.cat([hx2dup6, hx17], 1)
    _277 = torch.ne(torch.len(torch.size(_276)), 4)
    if _277:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hxin9 = ops.quantized.conv2d_relu(_276, CONSTANTS.c98, 1., 0)
    _278 = torch.ne(torch.len(torch.size(hxin9)), 4)
    if _278:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx135 = ops.quantized.conv2d_relu(hxin9, CONSTANTS.c99, 1., 0)
    hx36 = torch.max_pool2d(hx135, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _279 = torch.ne(torch.len(torch.size(hx36)), 4)
    if _279:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx232 = ops.quantized.conv2d_relu(hx36, CONSTANTS.c100, 1., 0)
    hx37 = torch.max_pool2d(hx232, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _280 = torch.ne(torch.len(torch.size(hx37)), 4)
    if _280:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx324 = ops.quantized.conv2d_relu(hx37, CONSTANTS.c101, 1., 0)
    hx33 = torch.max_pool2d(hx324, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _281 = torch.ne(torch.len(torch.size(hx33)), 4)
    if _281:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx421 = ops.quantized.conv2d_relu(hx33, CONSTANTS.c102, 1., 0)
    hx39 = torch.max_pool2d(hx421, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _282 = torch.ne(torch.len(torch.size(hx39)), 4)
    if _282:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx514 = ops.quantized.conv2d_relu(hx39, CONSTANTS.c103, 1., 0)
    hx41 = torch.max_pool2d(hx514, [2, 2], [2, 2], [0, 0], [1, 1], True)
    _283 = torch.ne(torch.len(torch.size(hx41)), 4)
    if _283:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx612 = ops.quantized.conv2d_relu(hx41, CONSTANTS.c104, 1., 0)
    _284 = torch.ne(torch.len(torch.size(hx612)), 4)
    if _284:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx77 = ops.quantized.conv2d_relu(hx612, CONSTANTS.c105, 1., 0)
    _285 = torch.cat([hx77, hx612], 1)
    _286 = torch.ne(torch.len(torch.size(_285)), 4)
    if _286:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx6d0 = ops.quantized.conv2d_relu(_285, CONSTANTS.c106, 1., 0)
    _287 = torch.slice(torch.size(hx514), 2)
    _288 = torch.dim(hx6d0)
    dim27 = torch.sub(_288, 2)
    if torch.ne(torch.len(_287), dim27):
      _289 = torch.list(torch.slice(torch.size(hx6d0), 2))
      ops.prim.RaiseException(torch.format(_1, _289, _287), "builtins.ValueError")
    else:
      pass
    if torch.eq(_288, 4):
      _290 = torch.upsample_bilinear2d(hx6d0, _287, False, None)
      hx6dup0 = _290
    else:
      if torch.eq(_288, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_288, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _291 = torch.format(_4, _288, "bilinear")
      ops.prim.RaiseException(_291, "builtins.NotImplementedError")
      hx6dup0 = _16
    _292 = torch.cat([hx6dup0, hx514], 1)
    _293 = torch.ne(torch.len(torch.size(_292)), 4)
    if _293:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx5d3 = ops.quantized.conv2d_relu(_292, CONSTANTS.c107, 1., 0)
    _294 = torch.slice(torch.size(hx421), 2)
    _295 = torch.dim(hx5d3)
    dim28 = torch.sub(_295, 2)
    if torch.ne(torch.len(_294), dim28):
      _296 = torch.list(torch.slice(torch.size(hx5d3), 2))
      ops.prim.RaiseException(torch.format(_1, _296, _294), "builtins.ValueError")
    else:
      pass
    if torch.eq(_295, 4):
      _297 = torch.upsample_bilinear2d(hx5d3, _294, False, None)
      hx5dup3 = _297
    else:
      if torch.eq(_295, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_295, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _298 = torch.format(_4, _295, "bilinear")
      ops.prim.RaiseException(_298, "builtins.NotImplementedError")
      hx5dup3 = _16
    _299 = torch.cat([hx5dup3, hx421], 1)
    _300 = torch.ne(torch.len(torch.size(_299)), 4)
    if _300:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx4d5 = ops.quantized.conv2d_relu(_299, CONSTANTS.c108, 1., 0)
    _301 = torch.slice(torch.size(hx324), 2)
    _302 = torch.dim(hx4d5)
    dim29 = torch.sub(_302, 2)
    if torch.ne(torch.len(_301), dim29):
      _303 = torch.list(torch.slice(torch.size(hx4d5), 2))
      ops.prim.RaiseException(torch.format(_1, _303, _301), "builtins.ValueError")
    else:
      pass
    if torch.eq(_302, 4):
      _304 = torch.upsample_bilinear2d(hx4d5, _301, False, None)
      hx4dup5 = _304
    else:
      if torch.eq(_302, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_302, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _305 = torch.format(_4, _302, "bilinear")
      ops.prim.RaiseException(_305, "builtins.NotImplementedError")
      hx4dup5 = _16
    _306 = torch.cat([hx4dup5, hx324], 1)
    _307 = torch.ne(torch.len(torch.size(_306)), 4)
    if _307:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx3d10 = ops.quantized.conv2d_relu(_306, CONSTANTS.c109, 1., 0)
    _308 = torch.slice(torch.size(hx232), 2)
    _309 = torch.dim(hx3d10)
    dim30 = torch.sub(_309, 2)
    if torch.ne(torch.len(_308), dim30):
      _310 = torch.slice(torch.size(hx3d10), 2)
      _311 = torch.format(_1, torch.list(_310), _308)
      ops.prim.RaiseException(_311, "builtins.ValueError")
    else:
      pass
    if torch.eq(_309, 4):
      _312 = torch.upsample_bilinear2d(hx3d10, _308, False, None)
      hx3dup7 = _312
    else:
      if torch.eq(_309, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_309, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _313 = torch.format(_4, _309, "bilinear")
      ops.prim.RaiseException(_313, "builtins.NotImplementedError")
      hx3dup7 = _16
    _314 = torch.cat([hx3dup7, hx232], 1)
    _315 = torch.ne(torch.len(torch.size(_314)), 4)
    if _315:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx2d10 = ops.quantized.conv2d_relu(_314, CONSTANTS.c110, 1., 0)
    _316 = torch.slice(torch.size(hx135), 2)
    _317 = torch.dim(hx2d10)
    dim31 = torch.sub(_317, 2)
    if torch.ne(torch.len(_316), dim31):
      _318 = torch.slice(torch.size(hx2d10), 2)
      _319 = torch.format(_1, torch.list(_318), _316)
      ops.prim.RaiseException(_319, "builtins.ValueError")
    else:
      pass
    if torch.eq(_317, 4):
      _320 = torch.upsample_bilinear2d(hx2d10, _316, False, None)
      hx2dup7 = _320
    else:
      if torch.eq(_317, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_317, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _321 = torch.format(_4, _317, "bilinear")
      ops.prim.RaiseException(_321, "builtins.NotImplementedError")
      hx2dup7 = _16
    _322 = torch.cat([hx2dup7, hx135], 1)
    _323 = torch.ne(torch.len(torch.size(_322)), 4)
    if _323:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    hx1d9 = ops.quantized.conv2d_relu(_322, CONSTANTS.c111, 1., 0)
    hx1d10 = ops.quantized.add(hx1d9, hxin9, 1., 0)
    _324 = torch.ne(torch.len(torch.size(hx1d10)), 4)
    if _324:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d1 = ops.quantized.conv2d(hx1d10, CONSTANTS.c112, 1., 0)
    _325 = torch.ne(torch.len(torch.size(hx2d9)), 4)
    if _325:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d2 = ops.quantized.conv2d(hx2d9, CONSTANTS.c113, 1., 0)
    _326 = torch.slice(torch.size(d1), 2)
    _327 = torch.dim(d2)
    dim32 = torch.sub(_327, 2)
    _328 = torch.len(_326)
    if torch.ne(_328, dim32):
      _329 = torch.list(torch.slice(torch.size(d2), 2))
      ops.prim.RaiseException(torch.format(_1, _329, _326), "builtins.ValueError")
    else:
      pass
    if torch.eq(_327, 4):
      _330 = torch.upsample_bilinear2d(d2, _326, False, None)
      d20 = _330
    else:
      if torch.eq(_327, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_327, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _331 = torch.format(_4, _327, "bilinear")
      ops.prim.RaiseException(_331, "builtins.NotImplementedError")
      d20 = _16
    _332 = torch.ne(torch.len(torch.size(hx3d8)), 4)
    if _332:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d3 = ops.quantized.conv2d(hx3d8, CONSTANTS.c114, 1., 0)
    _333 = torch.dim(d3)
    dim33 = torch.sub(_333, 2)
    if torch.ne(_328, dim33):
      _334 = torch.list(torch.slice(torch.size(d3), 2))
      ops.prim.RaiseException(torch.format(_1, _334, _326), "builtins.ValueError")
    else:
      pass
    if torch.eq(_333, 4):
      _335 = torch.upsample_bilinear2d(d3, _326, False, None)
      d30 = _335
    else:
      if torch.eq(_333, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_333, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _336 = torch.format(_4, _333, "bilinear")
      ops.prim.RaiseException(_336, "builtins.NotImplementedError")
      d30 = _16
    _337 = torch.ne(torch.len(torch.size(hx4d2)), 4)
    if _337:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d4 = ops.quantized.conv2d(hx4d2, CONSTANTS.c115, 1., 0)
    _338 = torch.dim(d4)
    dim34 = torch.sub(_338, 2)
    if torch.ne(_328, dim34):
      _339 = torch.list(torch.slice(torch.size(d4), 2))
      ops.prim.RaiseException(torch.format(_1, _339, _326), "builtins.ValueError")
    else:
      pass
    if torch.eq(_338, 4):
      _340 = torch.upsample_bilinear2d(d4, _326, False, None)
      d40 = _340
    else:
      if torch.eq(_338, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_338, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _341 = torch.format(_4, _338, "bilinear")
      ops.prim.RaiseException(_341, "builtins.NotImplementedError")
      d40 = _16
    _342 = torch.ne(torch.len(torch.size(hx5d1)), 4)
    if _342:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d5 = ops.quantized.conv2d(hx5d1, CONSTANTS.c116, 1., 0)
    _343 = torch.dim(d5)
    dim35 = torch.sub(_343, 2)
    if torch.ne(_328, dim35):
      _344 = torch.list(torch.slice(torch.size(d5), 2))
      ops.prim.RaiseException(torch.format(_1, _344, _326), "builtins.ValueError")
    else:
      pass
    if torch.eq(_343, 4):
      _345 = torch.upsample_bilinear2d(d5, _326, False, None)
      d50 = _345
    else:
      if torch.eq(_343, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_343, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _346 = torch.format(_4, _343, "bilinear")
      ops.prim.RaiseException(_346, "builtins.NotImplementedError")
      d50 = _16
    _347 = torch.ne(torch.len(torch.size(hx610)), 4)
    if _347:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d6 = ops.quantized.conv2d(hx610, CONSTANTS.c117, 1., 0)
    _348 = torch.dim(d6)
    dim36 = torch.sub(_348, 2)
    if torch.ne(_328, dim36):
      _349 = torch.list(torch.slice(torch.size(d6), 2))
      ops.prim.RaiseException(torch.format(_1, _349, _326), "builtins.ValueError")
    else:
      pass
    if torch.eq(_348, 4):
      _350 = torch.upsample_bilinear2d(d6, _326, False, None)
      d60 = _350
    else:
      if torch.eq(_348, 3):
        ops.prim.RaiseException(_2, "builtins.NotImplementedError")
      else:
        pass
      if torch.eq(_348, 5):
        ops.prim.RaiseException(_3, "builtins.NotImplementedError")
      else:
        pass
      _351 = torch.format(_4, _348, "bilinear")
      ops.prim.RaiseException(_351, "builtins.NotImplementedError")
      d60 = _16
    _352 = torch.cat([d1, d20, d30, d40, d50, d60], 1)
    _353 = torch.ne(torch.len(torch.size(_352)), 4)
    if _353:
      ops.prim.RaiseException(_0, "builtins.ValueError")
    else:
      pass
    d0 = ops.quantized.conv2d(_352, CONSTANTS.c118, 1., 0)
    x1 = torch.tanh(d0)
    x2 = torch.permute(x1, [0, 2, 3, 1])
    return torch.dequantize(x2)
