#include "stats/system_metrics.h"

#include <dlfcn.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace ptscope {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::optional<double> read_number(const std::string& path) {
  auto t = read_text(path);
  if (!t) return std::nullopt;
  try {
    return std::stod(*t);
  } catch (...) {
    return std::nullopt;
  }
}

// /proc/self/io "read_bytes" (storage) and "rchar" (all read() calls).
std::pair<uint64_t, uint64_t> read_io() {
  std::ifstream f("/proc/self/io");
  std::string key;
  uint64_t v = 0, read_bytes = 0, rchar = 0;
  while (f >> key >> v) {
    if (key == "read_bytes:") read_bytes = v;
    if (key == "rchar:") rchar = v;
  }
  return {read_bytes, rchar};
}

// ---- NVML, resolved at run time
struct Nvml {
  using Device = void*;
  int (*init)() = nullptr;
  int (*shutdown)() = nullptr;
  int (*count)(unsigned*) = nullptr;
  int (*handle)(unsigned, Device*) = nullptr;
  int (*name)(Device, char*, unsigned) = nullptr;
  int (*utilisation)(Device, unsigned*) = nullptr;  // nvmlUtilization_t {gpu, memory}
  int (*memory)(Device, unsigned long long*) = nullptr;  // nvmlMemory_t {total, free, used}
  int (*temperature)(Device, int, unsigned*) = nullptr;
  int (*power)(Device, unsigned*) = nullptr;              // milliwatts
  int (*energy)(Device, unsigned long long*) = nullptr;   // millijoules
  std::string error;
  bool ok = false;
};

const Nvml& nvml() {
  static const Nvml lib = [] {
    Nvml n;
    void* h = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      n.error = "NVML (libnvidia-ml.so.1) not found: no NVIDIA driver on this machine";
      return n;
    }
    auto sym = [&](auto& fn, const char* name) { fn = reinterpret_cast<std::decay_t<decltype(fn)>>(dlsym(h, name)); };
    sym(n.init, "nvmlInit_v2");
    sym(n.shutdown, "nvmlShutdown");
    sym(n.count, "nvmlDeviceGetCount_v2");
    sym(n.handle, "nvmlDeviceGetHandleByIndex_v2");
    sym(n.name, "nvmlDeviceGetName");
    sym(n.utilisation, "nvmlDeviceGetUtilizationRates");
    sym(n.memory, "nvmlDeviceGetMemoryInfo");
    sym(n.temperature, "nvmlDeviceGetTemperature");
    sym(n.power, "nvmlDeviceGetPowerUsage");
    sym(n.energy, "nvmlDeviceGetTotalEnergyConsumption");
    if (!n.init || !n.count || !n.handle || !n.name) {
      n.error = "libnvidia-ml.so.1 lacks the NVML entry points";
      return n;
    }
    if (n.init() != 0) {
      n.error = "nvmlInit failed (driver not loaded?)";
      return n;
    }
    n.ok = true;  // left initialised for the process's lifetime
    return n;
  }();
  return lib;
}

// ---- RAPL: package domains "intel-rapl:N" (also used by AMD's powercap driver)
std::vector<std::string> rapl_domains() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/powercap", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("intel-rapl:", 0) == 0 && name.find(':', 11) == std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

// Peak resident set size of this process, bytes (VmHWM).
uint64_t peak_rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return uint64_t(std::stoull(line.substr(6))) * 1024;
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return uint64_t(u.ru_maxrss) * 1024;
}

}  // namespace

const CpuInfo& cpu_info() {
  static const CpuInfo info = [] {
    CpuInfo c;
    cpu_set_t set;
    c.threads = sched_getaffinity(0, sizeof set, &set) == 0 ? unsigned(CPU_COUNT(&set))
                                                            : std::max(1u, std::thread::hardware_concurrency());
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    std::set<std::pair<std::string, std::string>> core_ids;
    std::string physical;
    double mhz_sum = 0;
    int mhz_n = 0;
    while (std::getline(f, line)) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, colon);
      while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
      const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
      if (key == "model name" && c.model == "unknown") c.model = value;
      else if (key == "physical id") physical = value;
      else if (key == "core id") core_ids.insert({physical, value});
      else if (key == "cpu MHz") {
        try {
          mhz_sum += std::stod(value);
          ++mhz_n;
        } catch (...) {
        }
      } else if (key == "flags" && !c.avx2) {
        std::istringstream ss(value);
        std::string flag;
        while (ss >> flag) {
          c.avx2 |= flag == "avx2";
          c.fma |= flag == "fma";
          c.avx512f |= flag == "avx512f";
        }
      }
    }
    c.cores = core_ids.empty() ? c.threads : std::min<unsigned>(c.threads, unsigned(core_ids.size()));
    if (auto khz = read_number("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")) c.frequency_mhz = *khz / 1000;
    else if (mhz_n > 0) c.frequency_mhz = mhz_sum / mhz_n;
    return c;
  }();
  return info;
}

GpuInfo gpu_info() {
  GpuInfo g;
  const Nvml& n = nvml();
  if (!n.ok) {
    g.reason = n.error;
    return g;
  }
  unsigned count = 0;
  if (n.count(&count) != 0 || count == 0) {
    g.reason = "NVML reports no GPU";
    return g;
  }
  g.available = true;
  for (unsigned i = 0; i < count; ++i) {
    Nvml::Device d = nullptr;
    if (n.handle(i, &d) != 0) continue;
    GpuDevice dev;
    char name[96] = {};
    if (n.name(d, name, sizeof name) == 0) dev.name = name;
    unsigned util[2] = {};
    if (n.utilisation && n.utilisation(d, util) == 0) dev.utilisation_percent = util[0];
    unsigned long long mem[3] = {};
    if (n.memory && n.memory(d, mem) == 0) {
      dev.memory_total_bytes = mem[0];
      dev.memory_used_bytes = mem[2];
    }
    unsigned temp = 0;
    if (n.temperature && n.temperature(d, 0, &temp) == 0) dev.temperature_c = temp;
    unsigned mw = 0;
    if (n.power && n.power(d, &mw) == 0) dev.power_w = mw / 1000.0;
    unsigned long long mj = 0;
    if (n.energy && n.energy(d, &mj) == 0) dev.energy_j = double(mj) / 1000.0;
    g.devices.push_back(std::move(dev));
  }
  return g;
}

RunMonitor::ProcStat RunMonitor::read_proc_stat() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  ProcStat s;
  f >> cpu;
  if (cpu != "cpu") return s;
  uint64_t v[10] = {};
  for (auto& x : v) f >> x;
  for (auto x : v) s.total += x;
  s.busy = s.total - v[3] - v[4];  // idle and iowait
  return s;
}

std::optional<double> RunMonitor::read_rapl_joules() {
  const auto domains = rapl_domains();
  if (domains.empty()) return std::nullopt;
  double j = 0;
  for (const auto& d : domains) {
    auto uj = read_number(d + "/energy_uj");
    if (!uj) return std::nullopt;  // present but unreadable (root-only on recent kernels)
    j += *uj * 1e-6;
  }
  return j;
}

std::optional<double> RunMonitor::read_gpu_joules() {
  const GpuInfo g = gpu_info();
  if (!g.available) return std::nullopt;
  double j = 0;
  for (const auto& d : g.devices) {
    if (!d.energy_j) return std::nullopt;
    j += *d.energy_j;
  }
  return j;
}

void RunMonitor::start() {
  stat0_ = read_proc_stat();
  t0_ = now_s();
  cpu0_ = process_cpu_s();
  rapl0_ = read_rapl_joules();
  gpu0_ = nvml().ok ? read_gpu_joules() : std::nullopt;
  std::tie(read_bytes0_, rchar0_) = read_io();
}

void RunMonitor::stop() {
  stat1_ = read_proc_stat();
  wall_s_ = now_s() - t0_;
  cpu_s_ = process_cpu_s() - cpu0_;
  rapl1_ = read_rapl_joules();
  gpu1_ = nvml().ok ? read_gpu_joules() : std::nullopt;
  auto [rb, rc] = read_io();
  read_bytes_ = rb - std::min(rb, read_bytes0_);
  rchar_ = rc - std::min(rc, rchar0_);
}

RunReport RunMonitor::report() const {
  RunReport r;
  r.cpu = cpu_info();
  const uint64_t dt = stat1_.total - std::min(stat1_.total, stat0_.total);
  const uint64_t db = stat1_.busy - std::min(stat1_.busy, stat0_.busy);
  r.utilisation_percent = dt > 0 ? 100.0 * double(db) / double(dt) : 0.0;
  r.process_utilisation_percent = wall_s_ > 0 ? 100.0 * cpu_s_ / wall_s_ : 0.0;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  r.memory_total_bytes = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
  r.peak_rss_bytes = peak_rss_bytes();
  r.read_bytes = read_bytes_;
  r.rchar = rchar_;
  r.wall_seconds = wall_s_;
  r.cpu_seconds = cpu_s_;
  r.gpu = gpu_info();
  // Energy: measured counters when readable, otherwise the stated model.
  constexpr double kWattsPerBusyCore = 10.0;
  if (rapl0_ && rapl1_ && *rapl1_ >= *rapl0_) {
    r.energy = {"rapl", *rapl1_ - *rapl0_, 0, ""};
  } else if (gpu0_ && gpu1_ && *gpu1_ >= *gpu0_) {
    r.energy = {"nvml", *gpu1_ - *gpu0_, 0, ""};
  } else {
    r.energy = {"estimate", cpu_s_ * kWattsPerBusyCore, 0,
                "estimate: process CPU-seconds x 10 W per busy core (no RAPL powercap counter readable"
                " and no NVML energy counter)"};
  }
  r.energy.watts = wall_s_ > 0 ? r.energy.joules / wall_s_ : 0.0;
  return r;
}

MachinePeaks estimate_cpu_peaks(const CpuInfo& c) {
  MachinePeaks p;
  const double per_cycle = c.avx512f && c.fma ? 64 : (c.avx2 && c.fma ? 32 : 8);
  const double ghz = c.frequency_mhz > 0 ? c.frequency_mhz / 1000 : 2.0;
  p.gflops = double(c.cores) * ghz * per_cycle;
  p.bandwidth_gbs = 20;
  p.source = "estimate";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%u cores x %.2f GHz x %g fp32 FLOP/cycle (%s); bandwidth assumed 20 GB/s",
                c.cores, ghz, per_cycle, c.avx512f ? "AVX-512 FMA" : (c.avx2 ? "AVX2 FMA" : "SSE"));
  p.model = buf;
  return p;
}

MachinePeaks measure_cpu_peaks() {
  MachinePeaks p;
  const unsigned threads = cpu_info().threads;
  // Compute: independent FMA chains, long enough to hide latency, per thread.
  std::atomic<double> sink{0};
  auto fma_work = [&](int64_t iters) {
    alignas(64) float acc[128];
    for (int k = 0; k < 128; ++k) acc[k] = float(k) * 1e-3f;
    const float a = 0.999999f, b = 1e-7f;
    for (int64_t it = 0; it < iters; ++it)
      for (int k = 0; k < 128; ++k) acc[k] = std::fma(acc[k], a, b);
    float s = 0;
    for (float v : acc) s += v;
    sink = sink + double(s);
  };
  const int64_t iters = 400000;  // 128 × 2 × 4e5 = 1e8 FLOPs per thread
  const double t0 = now_s();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(fma_work, iters);
  for (auto& t : pool) t.join();
  const double secs = now_s() - t0;
  p.gflops = double(threads) * double(iters) * 128 * 2 / secs / 1e9;
  // Bandwidth: sum a buffer larger than any cache, best of three.
  const size_t n = (size_t(256) << 20) / sizeof(double);
  std::unique_ptr<double[]> buf(new double[n]);
  for (size_t i = 0; i < n; ++i) buf[i] = double(i & 7);
  double best = 1e30;
  for (int r = 0; r < 3; ++r) {
    const double s0 = now_s();
    std::vector<std::thread> readers;
    std::vector<double> partial(threads, 0);
    for (unsigned t = 0; t < threads; ++t)
      readers.emplace_back([&, t] {
        const size_t lo = n * t / threads, hi = n * (t + 1) / threads;
        double s = 0;
        for (size_t i = lo; i < hi; ++i) s += buf[i];
        partial[t] = s;
      });
    for (auto& t : readers) t.join();
    best = std::min(best, now_s() - s0);
    for (double v : partial) sink = sink + v;
  }
  p.bandwidth_gbs = double(n * sizeof(double)) / best / 1e9;
  p.source = "measured";
  p.model = "FMA loop on " + std::to_string(threads) + " threads; parallel read of a 256 MiB buffer, best of 3";
  return p;
}

}  // namespace ptscope
