op_version_set = 0
def forward(self,
    x: Tensor,
    y: Tensor) -> Tensor:
  _0 = torch.add(torch.mul(x, 2), y, alpha=1)
  return torch.add(_0, self.value, alpha=1)
