// Depthwise convolution (one input and one output channel per group) with
// square 3x3, 5x5 or 7x7 kernels, stride 1 or 2, no dilation: the shapes of
// MobileNet, EfficientNet and ConvNeXt. conv.cpp calls it first and falls
// back to its general kernels when it declines.
#pragma once
#include <cstdint>

namespace ptscope::kernels {

struct DepthwiseShape {
  int64_t n = 1, c = 0, h = 1, w = 0;  // input [n, c, h, w]; weight [c, 1, k, k]
  int64_t oh = 1, ow = 0;              // output [n, c, oh, ow]
  int64_t k = 3, stride = 1, pad_top = 0, pad_left = 0;
};

// True when the shape is supported (k in {3, 5, 7}, stride in {1, 2}) and
// y was written; false (y untouched) otherwise.
bool conv_depthwise(const float* x, const float* w, const float* bias, float* y, const DepthwiseShape& s);

}  // namespace ptscope::kernels
