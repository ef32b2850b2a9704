def convert_locations_to_boxes(locations: Tensor,
    priors: Tensor,
    center_variance: float,
    size_variance: float) -> Tensor:
  _0 = torch.eq(torch.add(torch.dim(priors), 1), torch.dim(locations))
  if _0:
    priors0 = torch.unsqueeze(priors, 0)
  else:
    priors0 = priors
  _1 = torch.mul(torch.slice(locations, -1, 0, 2, 1), center_variance)
  _2 = torch.slice(priors0, -1, 2, 9223372036854775807, 1)
  _3 = torch.add(torch.mul(_1, _2), torch.slice(priors0, -1, 0, 2, 1), alpha=1)
  _4 = torch.slice(locations, -1, 2, 9223372036854775807, 1)
  _5 = torch.exp(torch.mul(_4, size_variance))
  _6 = torch.slice(priors0, -1, 2, 9223372036854775807, 1)
  _7 = torch.cat([_3, torch.mul(_5, _6)], torch.sub(torch.dim(locations), 1))
  return _7
def center_form_to_corner_form(locations: Tensor) -> Tensor:
  _8 = torch.slice(locations, -1, 0, 2, 1)
  _9 = torch.slice(locations, -1, 2, 9223372036854775807, 1)
  _10 = torch.sub(_8, torch.div(_9, 2), alpha=1)
  _11 = torch.slice(locations, -1, 0, 2, 1)
  _12 = torch.slice(locations, -1, 2, 9223372036854775807, 1)
  _13 = torch.add(_11, torch.div(_12, 2), alpha=1)
  _14 = torch.cat([_10, _13], torch.sub(torch.dim(locations), 1))
  return _14
