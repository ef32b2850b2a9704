// What the machine is and what a run cost it: CPU model, cores, frequency,
// utilisation over the run (/proc/stat deltas), peak RSS, bytes read
// (/proc/self/io), GPUs through NVML (loaded at run time with dlopen, so the
// binary has no NVIDIA dependency), and energy: RAPL powercap counters when
// readable, NVML's energy counter on GPUs, otherwise an estimate whose
// model is stated alongside the number.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ptscope {

struct CpuInfo {
  std::string model = "unknown";
  unsigned threads = 1;     // logical CPUs this process may use
  unsigned cores = 1;       // physical cores (distinct core ids; threads when unknown)
  double frequency_mhz = 0; // current (cpufreq) or /proc/cpuinfo's "cpu MHz"; 0 unknown
  bool avx2 = false, fma = false, avx512f = false;
};
const CpuInfo& cpu_info();

struct GpuDevice {
  std::string name;
  double utilisation_percent = -1;  // -1: not reported
  uint64_t memory_used_bytes = 0, memory_total_bytes = 0;
  double temperature_c = -1;
  double power_w = -1;
  std::optional<double> energy_j;   // since driver load (nvmlDeviceGetTotalEnergyConsumption)
};
struct GpuInfo {
  bool available = false;
  std::string reason;  // why not, when not
  std::vector<GpuDevice> devices;
};
// Queries NVML now (dlopen libnvidia-ml.so.1 on first use).
GpuInfo gpu_info();

struct EnergyReading {
  std::string source;  // "rapl", "nvml", "estimate"
  double joules = 0;
  double watts = 0;    // joules / wall seconds
  std::string model;   // the estimate's formula (source "estimate")
};

// The machine and what one run cost it: the analysis's `system` section.
struct RunReport {
  CpuInfo cpu;
  double utilisation_percent = 0;          // the whole machine's busy share over the run
  double process_utilisation_percent = 0;  // this process's CPU time / wall time (100 = one core)
  uint64_t memory_total_bytes = 0, peak_rss_bytes = 0;
  uint64_t read_bytes = 0, rchar = 0;      // /proc/self/io: from storage, and through read()
  double wall_seconds = 0, cpu_seconds = 0;
  GpuInfo gpu;
  EnergyReading energy;
};

// Samples everything at start() and stop(); report() is the difference.
class RunMonitor {
 public:
  void start();
  void stop();
  RunReport report() const;  // the analysis's `system` section
  double wall_seconds() const { return wall_s_; }
  double cpu_seconds() const { return cpu_s_; }

 private:
  struct ProcStat {
    uint64_t busy = 0, total = 0;
  };
  static ProcStat read_proc_stat();
  static std::optional<double> read_rapl_joules();
  static std::optional<double> read_gpu_joules();

  ProcStat stat0_{}, stat1_{};
  double t0_ = 0, wall_s_ = 0, cpu0_ = 0, cpu_s_ = 0;
  std::optional<double> rapl0_, rapl1_, gpu0_, gpu1_;
  uint64_t read_bytes0_ = 0, rchar0_ = 0, read_bytes_ = 0, rchar_ = 0;
};

// Compute and bandwidth ceilings for the roofline.
struct MachinePeaks {
  double gflops = 0;
  double bandwidth_gbs = 0;
  std::string source;  // "estimate" or "measured"
  std::string model;   // how the numbers were obtained
};
// From CPU flags (FLOPs per cycle per core: 64 with AVX-512 FMA, 32 with
// AVX2 FMA, 8 otherwise, fp32), cores and frequency, and an assumed 20 GB/s.
MachinePeaks estimate_cpu_peaks(const CpuInfo& cpu);
// A timed FMA loop on every thread and a timed read of a 256 MiB buffer (~0.3 s).
MachinePeaks measure_cpu_peaks();

}  // namespace ptscope
