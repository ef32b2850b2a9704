// The arguments of every convolution form, bound once from schema position
// and used by the shape rule (graph/ops_conv.cpp) and every backend's kernel
// (kernels/cpu/conv.cpp, kernels/cuda/cuda_conv.cpp), so that the positions of
// stride, padding, groups... are written down in one place.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptscope::graph {

struct ConvArgs {
  std::vector<int64_t> stride, padding, dilation, output_padding;
  std::string padding_mode;  // "" for explicit padding, else the .padding overloads' "same" / "valid"
  bool transposed = false;
  int64_t groups = 1;
};

// The argument layouts after (input, weight, bias):
enum class ConvForm {
  conv,            // conv1d/2d/3d: stride, padding, dilation, groups
  conv_padding,    // conv*d.padding: stride, str padding, dilation, groups
  conv_transpose,  // conv_transpose*d: stride, padding, output_padding, groups, dilation
  convolution,     // convolution / _convolution: stride, padding, dilation, transposed, output_padding, groups, ...
};

// The form of a convolution op, by name and overload ("aten::conv2d.padding").
inline ConvForm conv_form(std::string_view op) {
  if (op.find("conv_transpose") != std::string_view::npos) return ConvForm::conv_transpose;
  if (op.find("convolution") != std::string_view::npos) return ConvForm::convolution;
  if (op.ends_with(".padding")) return ConvForm::conv_padding;
  return ConvForm::conv;
}

// `Source` reads bound arguments by schema position: ints(i), int_arg(i),
// bool_arg(i), str_arg(i) (kernels::KernelCall, or rules::ArgReader over the
// graph's ArgValues).
template <class Source>
ConvArgs bind_conv_args(const Source& s, ConvForm form) {
  ConvArgs a;
  a.stride = s.ints(3);
  switch (form) {
    case ConvForm::conv:
    case ConvForm::conv_padding:
      if (form == ConvForm::conv_padding) a.padding_mode = s.str_arg(4);
      else a.padding = s.ints(4);
      a.dilation = s.ints(5);
      a.groups = s.int_arg(6);
      break;
    case ConvForm::conv_transpose:
      a.transposed = true;
      a.padding = s.ints(4);
      a.output_padding = s.ints(5);
      a.groups = s.int_arg(6);
      a.dilation = s.ints(7);
      break;
    case ConvForm::convolution:
      a.padding = s.ints(4);
      a.dilation = s.ints(5);
      a.transposed = s.bool_arg(6);
      a.output_padding = s.ints(7);
      a.groups = s.int_arg(8);
      break;
  }
  return a;
}

}  // namespace ptscope::graph
