// The pickle scanner (internal to audit/): an observer of the pickle VM.
// pickle_scan.cpp holds what it checks as opcodes run (imports, calls,
// BUILDs, persistent ids, tensor geometry); pickle_scan_walk.cpp what it
// checks afterwards on the value graph and the bytes (sparse indices, the
// tail past an error, nested payloads, expansion) and the driver run().
#pragma once
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/pickle_scan.h"
#include "audit/policy.h"
#include "core/error.h"

namespace ptscope::audit {

std::optional<int64_t> int_of(const PyRef& v);
std::optional<std::vector<int64_t>> ints_of(const PyRef& v);
// Bytes per element of a storage class named in a persistent id.
uint64_t storage_itemsize(const PyValue& type);

class Scanner {
 public:
  Scanner(Context& ctx, const PickleJob& job) : ctx_(ctx), job_(job), policy_(ctx.policy()) {}
  PickleOutcome run();

 private:
  struct Pending {
    const char* rule;
    Severity severity;
    uint64_t offset;
    std::string message, global, opcode;
  };
  struct CallSite {
    uint64_t offset;
    std::string callee;
    bool allowed;
    Severity severity;
    uint8_t opcode;
  };

  void add(const char* rule, Severity s, uint64_t rel_offset, std::string message, std::string global = {},
           std::string opcode = {}) {
    pending_.push_back({rule, s, job_.base_offset + rel_offset, std::move(message), std::move(global),
                        std::move(opcode)});
  }
  void refuse() { outcome_.weights_only_ok = false; }
  std::string loader_text() const {
    return job_.loader == Loader::torchscript
               ? std::string("torch.jit's unpickler")
               : "torch.load(weights_only=True) of torch " + policy_.version().str();
  }

  void on_event(const PickleEvent& ev);
  void on_import(const std::string& module, const std::string& name, uint64_t offset, uint8_t code,
                 const char* how = nullptr);
  void on_call(const PickleEvent& ev);
  void on_build(const PickleEvent& ev);
  void check_passed_callables(const std::string& callee, const PyRef& args, uint64_t off, uint8_t opcode);
  void check_allocation(const PyValue& callee, const PyRef& args, uint64_t off, uint8_t opcode);
  void on_persistent(const PickleEvent& ev);
  void check_tensor(const std::string& callee, const PyRef& args, uint64_t offset);
  void note_sparse(const PyRef& args, uint64_t offset);
  void on_error(const Error& e);
  void linear_tail(uint64_t from);
  void walk_values();
  void check_expansion();
  void collect_nested(const PyValue& v);
  void flush();
  std::string describe(const PyRef& v) const;

  Context& ctx_;
  const PickleJob& job_;
  const Policy& policy_;
  PickleOutcome outcome_;
  std::vector<Pending> pending_;
  std::map<std::pair<std::string, std::string>, ImportRecord> imports_;
  std::map<uint8_t, std::pair<uint64_t, uint64_t>> refused_ops_;  // opcode → (count, first offset)
  std::unordered_map<const PyValue*, CallSite> calls_by_args_;
  std::vector<PyRef> roots_;  // values events showed us; kept alive for the walk
  std::vector<std::pair<std::string, std::string>> nested_;  // (bytes, how found)
  uint64_t ops_ = 0, last_offset_ = 0, frame_end_ = 0, dups_ = 0, gets_ = 0;
  int protos_ = 0;
  uint64_t allocated_ = 0;  // bytes builtin constructors were asked for
  bool bomb_reported_ = false;
  Severity worst_before_error_ = Severity::info;
  bool risky_before_error_ = false;
};

}  // namespace ptscope::audit
