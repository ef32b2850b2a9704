// What the audit knows about pickle globals: the allowlist of
// torch.load(weights_only=True) for each torch version, the smaller set the
// TorchScript (C++) unpickler accepts, and a denylist that only grades
// severity and explains. Allowlist first: a global that is not allowed is at
// least suspicious whatever the denylist says.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ptscope::audit {

enum class Severity : uint8_t { info = 0, suspicious = 1, dangerous = 2 };
const char* severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

struct TorchVersion {
  int major = 2, minor = 15;
  // "2.6", "2.6.0", "2.6.0+cu124", "latest". nullopt when unparsable.
  static std::optional<TorchVersion> parse(std::string_view text);
  bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
  std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
};
// The oldest torch with weights_only and the newest whose table we ship.
constexpr TorchVersion kOldestTorch{1, 13};
constexpr TorchVersion kLatestTorch{2, 15};

// Which unpickler reads a pickle member.
enum class Loader : uint8_t {
  weights_only,  // torch.load(weights_only=True): torch.save zips, legacy streams, any other pickle
  torchscript,   // torch::jit's C++ Unpickler: data/constants/bytecode pickles of TorchScript archives
};

// Severity and explanation of a global from the denylist (or of its dotted parts).
struct GlobalRating {
  Severity severity = Severity::suspicious;
  std::string reason;  // empty when nothing is known about it
};

// Behaviour of one torch version's weights-only unpickler, plus the user's
// extra allowed globals (torch.serialization.add_safe_globals).
class Policy {
 public:
  explicit Policy(TorchVersion version = kLatestTorch, std::vector<std::string> extra_allowed = {});

  const TorchVersion& version() const { return version_; }

  // Py2 names as the weights-only unpickler maps them (NAME_MAPPING /
  // IMPORT_MAPPING, torch >= 2.4) before its allowlist lookup.
  std::pair<std::string, std::string> map_name(std::string_view module, std::string_view name) const;
  // Is `module.name` accepted by `loader`?
  bool allowed_global(Loader loader, std::string_view module, std::string_view name) const;
  // Is the opcode accepted by `loader`?
  bool allowed_opcode(Loader loader, uint8_t opcode) const;
  // Globals whose instances the weights-only unpickler lets BUILD/NEWOBJ touch.
  bool allowed_newobj(std::string_view module, std::string_view name) const;
  bool allowed_build_target(Loader loader, std::string_view module, std::string_view name) const;

  // Feature switches of the version.
  bool checks_setitem_target() const { return version_.at_least(2, 10); }
  bool checks_storage_size() const { return version_.at_least(2, 10); }
  bool refuses_torchscript() const { return version_.at_least(2, 6); }
  bool weights_only_is_default() const { return version_.at_least(2, 6); }

  // Denylist: severity and reason for a global, checking alias-folded names
  // and every dotted component of module and name.
  GlobalRating rate_global(std::string_view module, std::string_view name) const;

  // A callable that rebuilds data and calls nothing it is given: numpy's
  // array and scalar reconstructors, copyreg's, torch's rebuild functions,
  // builtin container and number types. Calling one is an ordinary part of a
  // whole-object pickle, not a capability.
  bool known_reconstructor(std::string_view module, std::string_view name) const;
  // A plain function (or method) rather than a class, by Python's naming
  // convention on the last dotted part, with the lowercase builtin and numpy
  // types known as classes. Calling a plain function that is neither
  // allowlisted nor a known reconstructor runs code whose capability is
  // unknown: graded dangerous.
  static bool plain_function(std::string_view module, std::string_view name);

  size_t allowlist_size() const { return allowed_.size(); }

 private:
  TorchVersion version_;
  std::unordered_set<std::string> allowed_;  // weights-only allowlist, "module.name"
  std::unordered_set<std::string> user_allowed_;
};

// Canonical module name for denylist matching: posix/nt → os, _io → io, ...
std::string fold_module_alias(std::string_view module);

}  // namespace ptscope::audit
