// Weight-only fake quantization error: how much a tensor loses when stored in
// int8/int4 (symmetric, several granularities) or fp16/bf16.
//
// Convention (docs/stats.md): s = absmax / qmax with qmax = 127 (int8) or 7
// (int4), absmax over the granule (tensor, output channel, group of 128);
// q = clamp(round_half_even(w / s), -qmax-1, qmax); ŵ = q·s. A granule whose
// absmax is 0 is exact. SQNR_dB = 20·log10(‖w‖₂ / ‖w − ŵ‖₂), +inf when exact.
#pragma once
#include <cstdint>
#include <limits>
#include <string>

namespace ptscope {

struct QuantStats {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double sqnr_int8_tensor_db = nan;
  double sqnr_int8_channel_db = nan;  // one scale per output channel (row of [out, -1])
  double sqnr_int4_tensor_db = nan;
  double sqnr_int4_channel_db = nan;
  double sqnr_int4_group_db = nan;    // one scale per 128 consecutive elements of a row
  double sqnr_fp16_db = nan;          // round trip through IEEE half (RNE, overflow to inf)
  double sqnr_bf16_db = nan;          // round trip through bfloat16 (RNE)
  int64_t fp16_overflow = 0;          // finite weights that become ±inf in half
  int64_t fp16_flush_to_zero = 0;     // nonzero weights that become 0 in half
  double outlier_ratio = nan;         // absmax / rms (crest factor)
  int recommended_bits = 16;
  std::string recommended_format;     // "int4-g128", "int8-channel", "fp16", "bf16", "keep"
  std::string recommendation_reason;  // the rule that fired, with its numbers
};

struct QuantRule {
  double int4_min_sqnr_db = 20;  // int4 per-group accepted at or above this
  double int8_min_sqnr_db = 30;  // int8 per-channel accepted at or above this
  int64_t min_numel = 4096;      // smaller tensors (and 1-D ones) stay 16-bit
};

// 10·log10(signal / error): +inf when error is 0, NaN when both are 0 is
// avoided by treating an exact all-zero tensor as lossless (+inf).
double sqnr_db(double signal_energy, double error_energy);

// Fills recommended_* from the SQNRs. `source_bits` is the stored width
// (8 for int8/float8/quantized, 16 for half/bf16, 32/64 otherwise).
void recommend_precision(QuantStats& q, int ndim, int64_t numel, int source_bits, const QuantRule& rule);

// Scalar reference of the convention above, for tests and fallbacks.
double fake_quant(double w, double scale, int bits);
double round_trip_fp16(double w);  // via float32, as torch's .half() does
double round_trip_bf16(double w);  // via float32, as torch's .bfloat16() does

}  // namespace ptscope
