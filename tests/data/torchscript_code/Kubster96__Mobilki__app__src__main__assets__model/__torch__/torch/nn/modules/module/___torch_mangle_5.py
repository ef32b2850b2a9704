op_version_set = 1
class Module(Module):
  __parameters__ = []
  training : bool
  inner_net : __torch__.torch.nn.modules.module.___torch_mangle_3.Module
  criterion : __torch__.torch.nn.modules.module.___torch_mangle_4.Module
  def forward(self: __torch__.torch.nn.modules.module.___torch_mangle_5.Module,
    tensor: Tensor) -> Tensor:
    _0 = self.inner_net
    _1 = ops.prim.NumToTensor(torch.size(tensor, 0))
    _2 = ops.prim.NumToTensor(torch.size(tensor, 1))
    ones = torch.ones([int(_1), int(_2), 1], dtype=6, layout=0, device=torch.device("cpu"), pin_memory=False)
    input = torch.cat([tensor, ones], 2)
    _3 = (_0).forward(input, )
    _4 = ops.prim.NumToTensor(torch.size(tensor, 0))
    _5 = ops.prim.NumToTensor(torch.size(tensor, 1))
    zeros = torch.zeros([int(_4), int(_5), 1], dtype=6, layout=0, device=torch.device("cpu"), pin_memory=False)
    input0 = torch.cat([tensor, zeros], 2)
    _6 = torch.lt(_3, (_0).forward1(input0, ))
    return torch.to(_6, 7, False, False, None)
