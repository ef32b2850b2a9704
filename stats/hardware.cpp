#include "stats/hardware.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <thread>

namespace ptscope {
namespace {

bool read_line(const std::string& path, std::string& out) {
  std::ifstream in(path);
  return bool(std::getline(in, out));
}

// sysfs writes sizes as "32K", "1024K" or "32M".
uint64_t parse_size(const std::string& s) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + uint64_t(s[i++] - '0');
  if (i < s.size()) {
    const char unit = char(std::toupper(static_cast<unsigned char>(s[i])));
    if (unit == 'K') v <<= 10;
    else if (unit == 'M') v <<= 20;
    else if (unit == 'G') v <<= 30;
  }
  return v;
}

MachineInfo probe_machine() {
  MachineInfo m;
  const long page = sysconf(_SC_PAGESIZE);
  if (page > 0) m.page_size = uint64_t(page);
  m.hardware_threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < 16; ++i) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    std::string level, type, size;
    if (!read_line(dir + "level", level) || !read_line(dir + "type", type) || !read_line(dir + "size", size)) break;
    if (type == "Instruction") continue;
    m.caches.push_back({std::atoi(level.c_str()), type, parse_size(size)});
  }
  if (!m.caches.empty()) {
    m.source = "sysfs";
  } else {
#ifdef _SC_LEVEL1_DCACHE_SIZE
    const long sizes[3] = {sysconf(_SC_LEVEL1_DCACHE_SIZE), sysconf(_SC_LEVEL2_CACHE_SIZE), sysconf(_SC_LEVEL3_CACHE_SIZE)};
    for (int l = 0; l < 3; ++l)
      if (sizes[l] > 0) m.caches.push_back({l + 1, l == 0 ? "Data" : "Unified", uint64_t(sizes[l])});
#endif
    m.source = m.caches.empty() ? "none" : "sysconf";
  }
  std::sort(m.caches.begin(), m.caches.end(), [](const CacheLevel& a, const CacheLevel& b) { return a.level < b.level; });
  return m;
}

}  // namespace

const MachineInfo& machine_info() {
  static const MachineInfo info = probe_machine();
  return info;
}

HardwareStats hardware_stats(const Tensor& t) {
  HardwareStats h;
  h.contiguous = t.is_contiguous();
  h.footprint_bytes = t.nbytes();
  const auto& st = t.storage;
  if (st && st->file_offset != 0 && !st->compressed && !st->swapped) {
    h.data_offset = st->file_offset + uint64_t(t.storage_offset) * itemsize(t.dtype);
    h.offset_source = "file";
  } else if (const uint8_t* p = t.data()) {
    h.data_offset = uint64_t(reinterpret_cast<uintptr_t>(p));
    h.offset_source = "memory";
  }
  if (h.offset_source != "none") {
    h.aligned_64 = h.data_offset % 64 == 0;
    h.aligned_page = h.data_offset % machine_info().page_size == 0;
  }
  h.fits_in = "memory";
  for (const auto& c : machine_info().caches) {
    if (h.footprint_bytes <= c.bytes) {
      h.fits_in = std::string(1, 'L').append(std::to_string(c.level));
      break;
    }
  }
  return h;
}

}  // namespace ptscope
