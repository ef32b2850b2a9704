class SegMattInferNet(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  seg_extract : __torch__.model.segnet.ERD_SegNet
  convF1 : __torch__.torch.nn.modules.conv.___torch_mangle_214.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_215.BatchNorm2d
  ReLU : __torch__.torch.nn.modules.activation.___torch_mangle_216.ReLU
  convF2 : __torch__.torch.nn.modules.conv.___torch_mangle_217.Conv2d
  sigmoid : __torch__.torch.nn.modules.activation.Sigmoid
  def forward(self: __torch__.model.segnet.SegMattInferNet,
    input: Tensor) -> Tensor:
    _0 = self.sigmoid
    _1 = self.convF2
    _2 = self.ReLU
    _3 = self.bn
    _4 = self.convF1
    seg_softmax = torch.softmax((self.seg_extract).forward(input, ), 1, None)
    bg, fg, = torch.split(seg_softmax, 1, 1)
    imgSqr = torch.mul(input, input)
    imgMasked = torch.mul(input, torch.cat([fg, fg, fg], 1))
    _5 = [input, seg_softmax, imgSqr, imgMasked]
    input0 = torch.cat(_5, 1)
    _6 = (_3).forward((_4).forward(input0, ), )
    _7 = torch.split((_1).forward((_2).forward(_6, ), ), 1, 1)
    a, b, c, = _7
    _8 = torch.add(torch.mul(a, fg), torch.mul(b, bg), alpha=1)
    input1 = torch.add(_8, c, alpha=1)
    return (_0).forward(input1, )
class ERD_SegNet(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  cascade1 : __torch__.model.segnet.InputProjection
  cascade2 : __torch__.model.segnet.___torch_mangle_3.InputProjection
  cascade3 : __torch__.model.segnet.___torch_mangle_8.InputProjection
  cascade4 : __torch__.model.segnet.___torch_mangle_14.InputProjection
  head_conv : __torch__.torch.nn.modules.container.Sequential
  stage_0 : __torch__.model.segnet.ResidualDenseBlock
  ba_1 : __torch__.torch.nn.modules.container.___torch_mangle_27.Sequential
  down_1 : __torch__.torch.nn.modules.container.___torch_mangle_31.Sequential
  stage_1 : __torch__.model.segnet.___torch_mangle_45.ResidualDenseBlock
  ba_2 : __torch__.torch.nn.modules.container.___torch_mangle_48.Sequential
  down_2 : __torch__.torch.nn.modules.container.___torch_mangle_52.Sequential
  stage_2 : __torch__.model.segnet.___torch_mangle_66.ResidualDenseBlock
  ba_3 : __torch__.torch.nn.modules.container.___torch_mangle_69.Sequential
  down_3 : __torch__.torch.nn.modules.container.___torch_mangle_73.Sequential
  stage_3 : __torch__.torch.nn.modules.container.___torch_mangle_126.Sequential
  ba_4 : __torch__.torch.nn.modules.container.___torch_mangle_129.Sequential
  down_4 : __torch__.torch.nn.modules.container.___torch_mangle_133.Sequential
  stage_4 : __torch__.torch.nn.modules.container.___torch_mangle_186.Sequential
  classifier : __torch__.torch.nn.modules.conv.___torch_mangle_187.Conv2d
  up : __torch__.torch.nn.modules.upsampling.Upsample
  prelu : __torch__.torch.nn.modules.activation.___torch_mangle_188.PReLU
  stage3_down : __torch__.torch.nn.modules.container.___torch_mangle_192.Sequential
  bn3 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_193.BatchNorm2d
  conv_3 : __torch__.torch.nn.modules.conv.___torch_mangle_194.Conv2d
  stage2_down : __torch__.torch.nn.modules.container.___torch_mangle_198.Sequential
  bn2 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_199.BatchNorm2d
  conv_2 : __torch__.torch.nn.modules.conv.___torch_mangle_200.Conv2d
  stage1_down : __torch__.torch.nn.modules.container.___torch_mangle_204.Sequential
  bn1 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_205.BatchNorm2d
  conv_1 : __torch__.torch.nn.modules.conv.___torch_mangle_206.Conv2d
  stage0_down : __torch__.torch.nn.modules.container.___torch_mangle_210.Sequential
  bn0 : __torch__.torch.nn.modules.batchnorm.___torch_mangle_211.BatchNorm2d
  conv_0 : __torch__.torch.nn.modules.conv.___torch_mangle_212.Conv2d
  last_up : __torch__.torch.nn.modules.upsampling.___torch_mangle_213.Upsample
  def forward(self: __torch__.model.segnet.ERD_SegNet,
    input: Tensor) -> Tensor:
    _9 = self.last_up
    _10 = self.conv_0
    _11 = self.bn0
    _12 = self.stage0_down
    _13 = self.conv_1
    _14 = self.bn1
    _15 = self.stage1_down
    _16 = self.conv_2
    _17 = self.bn2
    _18 = self.stage2_down
    _19 = self.conv_3
    _20 = self.prelu
    _21 = self.bn3
    _22 = self.stage3_down
    _23 = self.up
    _24 = self.classifier
    _25 = self.stage_4
    _26 = self.down_4
    _27 = self.ba_4
    _28 = self.stage_3
    _29 = self.down_3
    _30 = self.ba_3
    _31 = self.stage_2
    _32 = self.down_2
    _33 = self.ba_2
    _34 = self.stage_1
    _35 = self.down_1
    _36 = self.ba_1
    _37 = self.stage_0
    _38 = self.head_conv
    _39 = self.cascade4
    _40 = self.cascade3
    _41 = self.cascade2
    _42 = (self.cascade1).forward(input, )
    _43 = (_41).forward(input, )
    _44 = (_40).forward(input, )
    _45 = (_39).forward(input, )
    _46 = (_37).forward((_38).forward(input, ), )
    input2 = torch.cat([_42, _46], 1)
    _47 = (_35).forward((_36).forward(input2, ), )
    _48 = (_34).forward(_47, )
    input3 = torch.cat([_43, _47, _48], 1)
    _49 = (_32).forward((_33).forward(input3, ), )
    _50 = (_31).forward(_49, )
    input4 = torch.cat([_44, _49, _50], 1)
    _51 = (_29).forward((_30).forward(input4, ), )
    _52 = (_28).forward(_51, )
    input5 = torch.cat([_45, _51, _52], 1)
    _53 = (_26).forward((_27).forward(input5, ), )
    _54 = (_24).forward((_25).forward(_53, ), )
    _55 = (_23).forward(_54, )
    _56 = (_21).forward((_22).forward(_52, ), )
    input6 = torch.add(_55, (_20).forward(_56, ), alpha=1)
    _57 = (_23).forward1((_19).forward(input6, ), )
    _58 = (_17).forward((_18).forward(_50, ), )
    input7 = torch.add(_57, (_20).forward1(_58, ), alpha=1)
    _59 = (_23).forward2((_16).forward(input7, ), )
    _60 = (_14).forward((_15).forward(_48, ), )
    input8 = torch.add(_59, (_20).forward2(_60, ), alpha=1)
    _61 = (_23).forward3((_13).forward(input8, ), )
    _62 = (_11).forward((_12).forward(_46, ), )
    input9 = torch.add(_61, (_20).forward3(_62, ), alpha=1)
    _63 = (_9).forward((_10).forward(input9, ), )
    return _63
class InputProjection(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  pool : __torch__.torch.nn.modules.container.ModuleList
  def forward(self: __torch__.model.segnet.InputProjection,
    input: Tensor) -> Tensor:
    _64 = (getattr(self.pool, "0")).forward(input, )
    return _64
class ResidualDenseBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_15.Conv2d
  dense_block : __torch__.model.segnet.DenseBlock
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_23.BatchNorm2d
  act : __torch__.torch.nn.modules.activation.___torch_mangle_24.PReLU
  def forward(self: __torch__.model.segnet.ResidualDenseBlock,
    argument_1: Tensor) -> Tensor:
    _65 = self.act
    _66 = self.bn
    _67 = (self.dense_block).forward((self.conv).forward(argument_1, ), )
    input = torch.add(argument_1, _67, alpha=1)
    _68 = (_65).forward((_66).forward(input, ), )
    return _68
class DenseBlock(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  dense_layers : __torch__.torch.nn.modules.container.___torch_mangle_22.Sequential
  def forward(self: __torch__.model.segnet.DenseBlock,
    argument_1: Tensor) -> Tensor:
    _69 = (self.dense_layers).forward(argument_1, )
    return _69
class make_dense(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  conv : __torch__.torch.nn.modules.conv.___torch_mangle_16.Conv2d
  bn : __torch__.torch.nn.modules.batchnorm.___torch_mangle_17.BatchNorm2d
  act : __torch__.torch.nn.modules.activation.ReLU
  def forward(self: __torch__.model.segnet.make_dense,
    argument_1: Tensor) -> Tensor:
    _70 = self.act
    _71 = (self.bn).forward((self.conv).forward(argument_1, ), )
    input = torch.cat([argument_1, (_70).forward(_71, )], 1)
    return input
