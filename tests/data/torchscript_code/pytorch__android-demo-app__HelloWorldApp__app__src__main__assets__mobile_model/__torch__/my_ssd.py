class SSD(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  num_classes : int
  source_layer_indexes : List[int]
  is_test : bool
  center_variance : float
  size_variance : float
  device : Device
  priors : Tensor
  base_net : __torch__.torch.nn.modules.container.___torch_mangle_53.Sequential
  extras : __torch__.torch.nn.modules.container.ModuleList
  classification_headers : __torch__.torch.nn.modules.container.___torch_mangle_65.ModuleList
  regression_headers : __torch__.torch.nn.modules.container.___torch_mangle_73.ModuleList
  source_layer_add_ons : __torch__.torch.nn.modules.container.___torch_mangle_74.ModuleList
  def forward(self: __torch__.my_ssd.SSD,
    x: Tensor) -> Tuple[Tensor, Tensor]:
    _0 = __torch__.torch.nn.functional.softmax
    _1 = __torch__.vision.utils.box_utils.convert_locations_to_boxes
    _2 = __torch__.vision.utils.box_utils.center_form_to_corner_form
    confidences = annotate(List[Tensor], [])
    locations = annotate(List[Tensor], [])
    _3 = self.source_layer_indexes
    end_layer_index = 0
    x0 = x
    header_index = 0
    start_layer_index = 0
    for _4 in range(torch.len(_3)):
      end_layer_index0 = _3[_4]
      _5 = self.base_net
      _6 = getattr(_5, "0")
      _7 = getattr(_5, "1")
      _8 = getattr(_5, "2")
      _9 = getattr(_5, "3")
      _10 = getattr(_5, "4")
      _11 = getattr(_5, "5")
      _12 = getattr(_5, "6")
      _13 = getattr(_5, "7")
      _14 = getattr(_5, "8")
      _15 = getattr(_5, "9")
      _16 = getattr(_5, "10")
      _17 = getattr(_5, "11")
      _18 = getattr(_5, "12")
      if torch.le(start_layer_index, 0):
        _19 = torch.lt(0, end_layer_index0)
      else:
        _19 = False
      if _19:
        x1 = (_6).forward(x0, )
      else:
        x1 = x0
      if torch.le(start_layer_index, 1):
        _20 = torch.lt(1, end_layer_index0)
      else:
        _20 = False
      if _20:
        x2 = (_7).forward(x1, )
      else:
        x2 = x1
      if torch.le(start_layer_index, 2):
        _21 = torch.lt(2, end_layer_index0)
      else:
        _21 = False
      if _21:
        x3 = (_8).forward(x2, )
      else:
        x3 = x2
      if torch.le(start_layer_index, 3):
        _22 = torch.lt(3, end_layer_index0)
      else:
        _22 = False
      if _22:
        x4 = (_9).forward(x3, )
      else:
        x4 = x3
      if torch.le(start_layer_index, 4):
        _23 = torch.lt(4, end_layer_index0)
      else:
        _23 = False
      if _23:
        x5 = (_10).forward(x4, )
      else:
        x5 = x4
      if torch.le(start_layer_index, 5):
        _24 = torch.lt(5, end_layer_index0)
      else:
        _24 = False
      if _24:
        x6 = (_11).forward(x5, )
      else:
        x6 = x5
      if torch.le(start_layer_index, 6):
        _25 = torch.lt(6, end_layer_index0)
      else:
        _25 = False
      if _25:
        x7 = (_12).forward(x6, )
      else:
        x7 = x6
      if torch.le(start_layer_index, 7):
        _26 = torch.lt(7, end_layer_index0)
      else:
        _26 = False
      if _26:
        x8 = (_13).forward(x7, )
      else:
        x8 = x7
      if torch.le(start_layer_index, 8):
        _27 = torch.lt(8, end_layer_index0)
      else:
        _27 = False
      if _27:
        x9 = (_14).forward(x8, )
      else:
        x9 = x8
      if torch.le(start_layer_index, 9):
        _28 = torch.lt(9, end_layer_index0)
      else:
        _28 = False
      if _28:
        x10 = (_15).forward(x9, )
      else:
        x10 = x9
      if torch.le(start_layer_index, 10):
        _29 = torch.lt(10, end_layer_index0)
      else:
        _29 = False
      if _29:
        x11 = (_16).forward(x10, )
      else:
        x11 = x10
      if torch.le(start_layer_index, 11):
        _30 = torch.lt(11, end_layer_index0)
      else:
        _30 = False
      if _30:
        x12 = (_17).forward(x11, )
      else:
        x12 = x11
      if torch.le(start_layer_index, 12):
        _31 = torch.lt(12, end_layer_index0)
      else:
        _31 = False
      if _31:
        x13 = (_18).forward(x12, )
      else:
        x13 = x12
      _32 = (self).compute_header(header_index, x13, )
      confidence, location, = _32
      header_index0 = torch.add(header_index, 1)
      _33 = torch.append(confidences, confidence)
      _34 = torch.append(locations, location)
      end_layer_index, x0, header_index, start_layer_index = end_layer_index0, x13, header_index0, end_layer_index0
    _35 = self.base_net
    _36 = getattr(_35, "0")
    _37 = getattr(_35, "1")
    _38 = getattr(_35, "2")
    _39 = getattr(_35, "3")
    _40 = getattr(_35, "4")
    _41 = getattr(_35, "5")
    _42 = getattr(_35, "6")
    _43 = getattr(_35, "7")
    _44 = getattr(_35, "8")
    _45 = getattr(_35, "9")
    _46 = getattr(_35, "10")
    _47 = getattr(_35, "11")
    _48 = getattr(_35, "12")
    if torch.ge(0, end_layer_index):
      x14 = (_36).forward(x0, )
    else:
      x14 = x0
    if torch.ge(1, end_layer_index):
      x15 = (_37).forward(x14, )
    else:
      x15 = x14
    if torch.ge(2, end_layer_index):
      x16 = (_38).forward(x15, )
    else:
      x16 = x15
    if torch.ge(3, end_layer_index):
      x17 = (_39).forward(x16, )
    else:
      x17 = x16
    if torch.ge(4, end_layer_index):
      x18 = (_40).forward(x17, )
    else:
      x18 = x17
    if torch.ge(5, end_layer_index):
      x19 = (_41).forward(x18, )
    else:
      x19 = x18
    if torch.ge(6, end_layer_index):
      x20 = (_42).forward(x19, )
    else:
      x20 = x19
    if torch.ge(7, end_layer_index):
      x21 = (_43).forward(x20, )
    else:
      x21 = x20
    if torch.ge(8, end_layer_index):
      x22 = (_44).forward(x21, )
    else:
      x22 = x21
    if torch.ge(9, end_layer_index):
      x23 = (_45).forward(x22, )
    else:
      x23 = x22
    if torch.ge(10, end_layer_index):
      x24 = (_46).forward(x23, )
    else:
      x24 = x23
    if torch.ge(11, end_layer_index):
      x25 = (_47).forward(x24, )
    else:
      x25 = x24
    if torch.ge(12, end_layer_index):
      x26 = (_48).forward(x25, )
    else:
      x26 = x25
    x27 = (getattr(self.extras, "0")).forward(x26, )
    _49 = (self).compute_header(header_index, x27, )
    confidence0, location0, = _49
    _50 = torch.append(confidences, confidence0)
    _51 = torch.append(locations, location0)
    confidences0 = torch.cat(confidences, 1)
    locations0 = torch.cat(locations, 1)
    if self.is_test:
      confidences1 = _0(confidences0, 2, 3, None, )
      boxes = _1(locations0, self.priors, self.center_variance, self.size_variance, )
      boxes0 = _2(boxes, )
      _52 = (confidences1, boxes0)
    else:
      _52 = (confidences0, locations0)
    return _52
  def compute_header(self: __torch__.my_ssd.SSD,
    i: int,
    x: Tensor) -> Tuple[Tensor, Tensor]:
    confidence = torch.rand([1, 1, 1, 1], dtype=None, layout=None, device=None, pin_memory=None)
    _53 = self.classification_headers
    _54 = getattr(_53, "0")
    _55 = getattr(_53, "1")
    _56 = getattr(_53, "2")
    _57 = getattr(_53, "3")
    if torch.eq(0, i):
      confidence1 = (_54).forward(x, )
    else:
      confidence1 = confidence
    if torch.eq(1, i):
      confidence2 = (_55).forward(x, )
    else:
      confidence2 = confidence1
    if torch.eq(2, i):
      confidence3 = (_56).forward(x, )
    else:
      confidence3 = confidence2
    if torch.eq(3, i):
      confidence4 = (_57).forward(x, )
    else:
      confidence4 = confidence3
    _58 = torch.permute(confidence4, [0, 2, 3, 1])
    confidence5 = torch.contiguous(_58, memory_format=0)
    _59 = [torch.size(confidence5, 0), -1, self.num_classes]
    confidence6 = torch.view(confidence5, _59)
    location = torch.rand([1, 1, 1, 1], dtype=None, layout=None, device=None, pin_memory=None)
    _60 = self.regression_headers
    _61 = getattr(_60, "0")
    _62 = getattr(_60, "1")
    _63 = getattr(_60, "2")
    _64 = getattr(_60, "3")
    if torch.eq(0, i):
      location1 = (_61).forward(x, )
    else:
      location1 = location
    if torch.eq(1, i):
      location2 = (_62).forward(x, )
    else:
      location2 = location1
    if torch.eq(2, i):
      location3 = (_63).forward(x, )
    else:
      location3 = location2
    if torch.eq(3, i):
      location4 = (_64).forward(x, )
    else:
      location4 = location3
    _65 = torch.permute(location4, [0, 2, 3, 1])
    location5 = torch.contiguous(_65, memory_format=0)
    location6 = torch.view(location5, [torch.size(location5, 0), -1, 4])
    return (confidence6, location6)
