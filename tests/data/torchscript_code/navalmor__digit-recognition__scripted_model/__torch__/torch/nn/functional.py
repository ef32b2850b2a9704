def _max_pool2d(input: Tensor,
    kernel_size: List[int],
    stride: Optional[List[int]]=None,
    padding: List[int]=[0, 0],
    dilation: List[int]=[1, 1],
    ceil_mode: bool=False,
    return_indices: bool=False) -> Tensor:
  if torch.__is__(stride, None):
    stride0 = annotate(List[int], [])
  else:
    stride0 = unchecked_cast(List[int], stride)
  _0 = torch.max_pool2d(input, kernel_size, stride0, padding, dilation, ceil_mode)
  return _0
def relu(input: Tensor,
    inplace: bool=False) -> Tensor:
  if inplace:
    result = torch.relu_(input)
  else:
    result = torch.relu(input)
  return result
def dropout2d(input: Tensor,
    p: float=0.5,
    training: bool=True,
    inplace: bool=False) -> Tensor:
  _1 = "dropout probability has to be between 0 and 1, but got {}"
  _2 = "dropout2d: Received a {}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs)."
  _3 = "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead."
  if torch.lt(p, 0.):
    _4 = True
  else:
    _4 = torch.gt(p, 1.)
  if _4:
    ops.prim.RaiseException(torch.format(_1, p), "builtins.ValueError")
  else:
    pass
  inp_dim = torch.dim(input)
  _5 = torch.__not__(torch.__contains__([3, 4], inp_dim))
  if _5:
    warn_msg = torch.format(_2, inp_dim)
    torch.warn(warn_msg)
  else:
    pass
  if torch.eq(inp_dim, 3):
    torch.warn(_3)
  else:
    pass
  if inplace:
    _6 = torch.feature_dropout_(input, p, training)
    result = _6
  else:
    _7 = torch.feature_dropout(input, p, training)
    result = _7
  return result
