class TorchScriptExample(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def add_them(self: __torch__.TorchScriptExample,
    data: __torch__.InputObject) -> Tensor:
    foo = data.foo
    bar = data.bar
    return torch.add(foo, bar)
  def make_input_object(self: __torch__.TorchScriptExample,
    foo: Tensor,
    bar: Tensor) -> __torch__.InputObject:
    _0 = __torch__.InputObject.__new__(__torch__.InputObject)
    _1 = (_0).__init__(foo, bar, )
    return _0
class InputObject:
  foo : Tensor
  bar : Tensor
  def __init__(self: __torch__.InputObject,
    foo: Tensor,
    bar: Tensor) -> NoneType:
    self.foo = foo
    self.bar = bar
    return None
