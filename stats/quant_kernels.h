// Hot loops of the fake-quantization and round-trip metrics, run on chunks
// of a few thousand decoded elements. Internal to stats/.
#pragma once
#include <cstdint>

namespace ptscope::stats {

// Everything a run of one output channel needs: int8/int4 with the tensor's
// scales and with the channel's scales, and int4 with one scale per group of
// 128 (the run starts at a group boundary). Errors are added to `out`.
struct RunScales {
  double int8_tensor = 0, int4_tensor = 0, int8_channel = 0, int4_channel = 0;
  bool channel = false;  // false: the channel errors are not computed
};
struct RunErrors {
  double int8_tensor = 0, int4_tensor = 0, int8_channel = 0, int4_channel = 0, int4_group = 0;
  void add(const RunErrors& o) {
    int8_tensor += o.int8_tensor;
    int4_tensor += o.int4_tensor;
    int8_channel += o.int8_channel;
    int4_channel += o.int4_channel;
    int4_group += o.int4_group;
  }
};
void fq_run(const float* x, int64_t n, const RunScales& scales, RunErrors& out);
void fq_run(const double* x, int64_t n, const RunScales& scales, RunErrors& out);

struct RoundTripAcc {
  double fp16_error = 0, bf16_error = 0;  // Σ (w − ŵ)²
  int64_t fp16_overflow = 0, fp16_flush = 0;
  void add(const RoundTripAcc& o) {
    fp16_error += o.fp16_error;
    bf16_error += o.bf16_error;
    fp16_overflow += o.fp16_overflow;
    fp16_flush += o.fp16_flush;
  }
};
void round_trip_errors(const float* x, int64_t n, RoundTripAcc& acc);
void round_trip_errors(const double* x, int64_t n, RoundTripAcc& acc);

}  // namespace ptscope::stats
