// Where a tensor sits in the file and in the machine's cache hierarchy.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ptscope {

struct CacheLevel {
  int level = 0;
  std::string type;  // "Data", "Unified" (instruction caches are not listed)
  uint64_t bytes = 0;
};

struct MachineInfo {
  std::vector<CacheLevel> caches;  // data and unified caches of cpu0, by level
  uint64_t page_size = 4096;
  unsigned hardware_threads = 1;
  std::string source;  // "sysfs", "sysconf" or "none"
};

// Read once from /sys/devices/system/cpu/cpu0/cache/index*/ (sysconf fallback).
const MachineInfo& machine_info();

struct HardwareStats {
  bool contiguous = true;
  // Offset of element 0: in the file when the bytes are a plain view of it,
  // otherwise the address in memory (inflated or byte-swapped copies).
  uint64_t data_offset = 0;
  std::string offset_source = "none";  // "file", "memory", "none"
  bool aligned_64 = false;
  bool aligned_page = false;
  uint64_t footprint_bytes = 0;  // bytes of the view
  std::string fits_in;           // smallest cache holding the tensor: "L1", "L2", "L3", or "memory"
};

HardwareStats hardware_stats(const Tensor& t);

}  // namespace ptscope
