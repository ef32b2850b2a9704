// Waivers: a finding a team has reviewed and accepts, bound to the exact file
// (sha256) so that any change to the file brings the finding back.
#include <nlohmann/json.hpp>

#include <ctime>
#include <fstream>
#include <sstream>

#include "audit/report.h"
#include "core/error.h"

namespace ptscope::audit {

namespace {

bool is_sha256(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::string lowercase(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
  return s;
}

void validate(const Waiver& w) {
  auto fail = [&](const std::string& why) { throw Error(ErrorCode::usage, w.origin + ": " + why); };
  if (!is_sha256(w.sha256)) fail("'" + w.sha256 + "' is not a sha256 (64 hex digits)");
  if (w.rule != "*" && !find_rule(w.rule)) fail("unknown rule id '" + w.rule + "'");
  if (!w.expires.empty() && !is_date(w.expires)) fail("expiry '" + w.expires + "' is not YYYY-MM-DD");
}

std::vector<Waiver> parse_json(const std::string& text, const std::string& path) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::usage, path + ": invalid JSON: " + e.what());
  }
  const nlohmann::json& list = doc.is_object() && doc.contains("waivers") ? doc["waivers"] : doc;
  if (!list.is_array()) throw Error(ErrorCode::usage, path + ": expected a list of waivers");
  std::vector<Waiver> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& item = list[i];
    Waiver w;
    w.origin = path + ": waiver #" + std::to_string(i + 1);
    if (!item.is_object() || !item.contains("sha256") || !item["sha256"].is_string() || !item.contains("rule") ||
        !item["rule"].is_string())
      throw Error(ErrorCode::usage, w.origin + ": needs string fields \"sha256\" and \"rule\"");
    w.sha256 = lowercase(item["sha256"].get<std::string>());
    w.rule = item["rule"].get<std::string>();
    if (item.contains("expires") && item["expires"].is_string()) w.expires = item["expires"].get<std::string>();
    if (item.contains("reason") && item["reason"].is_string()) w.reason = item["reason"].get<std::string>();
    validate(w);
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<Waiver> parse_lines(const std::string& text, const std::string& path) {
  std::vector<Waiver> out;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    Waiver w;
    w.origin = path + ":" + std::to_string(number);
    if (auto hash = line.find('#'); hash != std::string::npos) {
      w.reason = line.substr(hash + 1);
      while (!w.reason.empty() && w.reason.front() == ' ') w.reason.erase(0, 1);
      line.resize(hash);
    }
    std::istringstream fields(line);
    std::string word;
    std::vector<std::string> words;
    while (fields >> word) words.push_back(word);
    if (words.empty()) continue;
    if (words.size() < 2) throw Error(ErrorCode::usage, w.origin + ": expected '<sha256> <rule-id> [expires=YYYY-MM-DD]'");
    w.sha256 = lowercase(words[0]);
    w.rule = words[1];
    for (size_t i = 2; i < words.size(); ++i) {
      if (words[i].rfind("expires=", 0) == 0) w.expires = words[i].substr(8);
      else throw Error(ErrorCode::usage, w.origin + ": unexpected '" + words[i] + "'");
    }
    validate(w);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::vector<Waiver> load_waivers(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::usage, "cannot read waiver file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) return parse_json(text, path);
  return parse_lines(text, path);
}

std::vector<std::string> apply_waivers(std::vector<AuditReport>& reports, const std::vector<Waiver>& waivers,
                                       const std::string& today) {
  std::vector<std::string> warnings;
  std::vector<bool> expired(waivers.size());
  for (size_t i = 0; i < waivers.size(); ++i) {
    expired[i] = !waivers[i].expires.empty() && waivers[i].expires < today;
    if (expired[i]) warnings.push_back(waivers[i].origin + ": waiver expired on " + waivers[i].expires + " (ignored)");
  }
  for (auto& r : reports) {
    for (auto& f : r.findings) {
      for (size_t i = 0; i < waivers.size(); ++i) {
        const Waiver& w = waivers[i];
        if (expired[i] || w.sha256 != r.sha256 || (w.rule != "*" && w.rule != f.rule)) continue;
        f.waived = true;
        f.waiver = w.reason.empty() ? w.origin : w.reason + " (" + w.origin + ")";
        break;
      }
    }
  }
  return warnings;
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

}  // namespace ptscope::audit
