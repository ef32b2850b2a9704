#include "audit/context.h"

#include "core/format.h"

namespace ptscope::audit {

std::string printable(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const uint8_t c = uint8_t(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      out += fmt("\\x%02x", c);
    }
  }
  return out;
}

void Context::add(const char* rule, Severity severity, const std::string& member, std::optional<uint64_t> offset,
                  std::string message, std::string global, std::string opcode) {
  auto& [count, worst] = repeats_[{rule, member, global}];
  if (count == 0 || severity > worst) worst = severity;
  if (++count > kMaxRepeats) return;
  Finding f;
  f.rule = rule;
  f.severity = severity;
  f.member = member;
  f.offset = offset;
  f.message = std::move(message);
  f.global = std::move(global);
  f.opcode = std::move(opcode);
  report_.findings.push_back(std::move(f));
}

void Context::error(const std::string& member, const std::string& message) {
  report_.errors.push_back(member.empty() ? message : member + ": " + message);
}

void Context::note(std::string message) {
  constexpr size_t kMaxNotes = 200;
  if (report_.notes.size() < kMaxNotes) report_.notes.push_back(std::move(message));
}

void Context::finish() {
  for (const auto& [key, value] : repeats_) {
    const auto& [rule, member, global] = key;
    if (value.first <= kMaxRepeats) continue;
    Finding f;
    f.rule = rule;
    f.severity = value.second;
    f.member = member;
    f.global = global;
    f.message = std::to_string(value.first - kMaxRepeats) + " more findings of this rule" +
                (global.empty() ? std::string() : " for " + global) + " not listed";
    report_.findings.push_back(std::move(f));
  }
  repeats_.clear();
}

}  // namespace ptscope::audit
