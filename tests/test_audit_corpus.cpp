// The audit against files on disk: every sample of fixtures/malicious/ must be
// flagged with the rules its MANIFEST.json names, and every benign file (our
// torch-written fixtures, the shared corpus of real third-party files) must be
// clean or correctly suspicious, never dangerous. Then the CLI contract.
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "audit/audit.h"
#include "audit/report.h"
#include "test_paths.h"

using namespace ptscope;
using namespace ptscope::audit;
namespace fs = std::filesystem;

namespace {

std::string summary(const AuditReport& r) {
  std::string out = r.path + ": " + r.kind + " " + r.verdict() + "\n";
  for (const auto& f : r.findings)
    out += "  " + f.rule + " " + severity_name(f.severity) + " " + f.member + " " + f.message + "\n";
  for (const auto& e : r.errors) out += "  error: " + e + "\n";
  return out;
}

std::vector<fs::path> model_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.ends_with(".json") || name.ends_with(".md") || name.ends_with(".tsv")) continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs the CLI; returns its exit status and stdout.
std::pair<int, std::string> run_cli(const std::string& args) {
  const std::string out_file = fs::temp_directory_path() / "ptscope_audit_cli_out.txt";
  const std::string cmd = test::cli_binary() + " " + args + " > " + out_file + " 2>/dev/null";
  const int status = std::system(cmd.c_str());
  std::ifstream in(out_file);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(out_file.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

std::string fixture_dir(const std::string& sub) { return test::fixture(sub); }

}  // namespace

TEST_CASE("audit corpus: every malicious sample is flagged as its manifest says", "[audit][corpus]") {
  const fs::path dir = fixture_dir("malicious");
  std::ifstream in(dir / "MANIFEST.json");
  REQUIRE(in);
  const auto manifest = nlohmann::json::parse(in);
  REQUIRE(manifest.size() >= 40);
  std::set<std::string> listed;
  for (const auto& [name, meta] : manifest.items()) {
    listed.insert(name);
    const auto r = audit_file((dir / name).string());
    INFO(summary(r));
    const auto worst = r.max_severity();
    REQUIRE(worst);
    CHECK(*worst >= *parse_severity(meta["severity"].get<std::string>()));
    CHECK(r.verdict() != "clean");
    for (const auto& rule : meta["rules"]) {
      const std::string id = rule.get<std::string>();
      CAPTURE(id);
      CHECK(std::any_of(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.rule == id; }));
    }
  }
  // A new sample without a manifest entry would go unchecked.
  for (const auto& p : model_files(dir)) {
    CAPTURE(p.filename().string());
    CHECK(listed.count(p.filename().string()));
  }
}

TEST_CASE("audit corpus: torch-written fixtures are never dangerous", "[audit][corpus]") {
  const auto files = model_files(fixture_dir("models"));
  if (files.empty()) WARN("fixtures/models is empty");
  for (const auto& p : files) {
    const auto r = audit_file(p.string());
    INFO(summary(r));
    CHECK(r.errors.empty());
    CHECK(r.verdict() != "dangerous");
    if (r.kind == "torchscript" || r.kind == "torchscript-mobile" || r.kind == "exported-program") {
      CHECK(r.contains_code);
      CHECK_FALSE(r.weights_only_loadable);
    }
    // A torch.save of tensors and containers loads with weights_only in the newest torch.
    if (r.kind == "torch.save-zip" && r.verdict() == "clean") CHECK(r.weights_only_loadable);
  }
  // Spot checks of what the policy must conclude.
  auto check = [](const char* name, const char* verdict, bool loadable) {
    const std::string path = test::fixture(std::string("models/") + name);
    if (!fs::exists(path)) return;
    const auto r = audit_file(path);
    INFO(summary(r));
    CHECK(r.verdict() == verdict);
    CHECK(r.weights_only_loadable == loadable);
  };
  check("mlp_state_dict.pth", "clean", true);
  check("checkpoint.pth", "clean", true);
  check("legacy_stream.pth", "clean", true);
  check("pickled_module.pth", "suspicious", false);  // whole nn.Module: user classes
  check("pickle_protocol4.pth", "suspicious", false);  // FRAME/MEMOIZE/STACK_GLOBAL are refused
  check("legacy_tar.pth", "suspicious", false);
  check("resnet_tiny_scripted.pt", "suspicious", false);
}

TEST_CASE("audit corpus: third-party files are never dangerous", "[audit][corpus]") {
  const auto files = model_files(test::corpus_dir());
  if (files.empty()) WARN("shared corpus not found at " + test::corpus_dir());
  int clean = 0;
  for (const auto& p : files) {
    const auto r = audit_file(p.string());
    INFO(summary(r));
    CHECK(r.errors.empty());
    CHECK(r.verdict() != "dangerous");
    CHECK(r.is_model);
    clean += r.verdict() == "clean";
  }
  if (!files.empty()) CHECK(clean >= 15);  // the state_dict files of the corpus
}

TEST_CASE("audit corpus: an older torch refuses what it did not know", "[audit][corpus]") {
  const std::string path = test::fixture("models/t2_state_dict.pth");
  if (!fs::exists(path)) return;
  AuditOptions old;
  old.torch_version = TorchVersion{1, 13};
  const auto r = audit_file(path, old);
  INFO(summary(r));
  CHECK_FALSE(r.weights_only_loadable);
  CHECK(r.verdict() == "suspicious");
  CHECK(audit_file(path).weights_only_loadable);
}

TEST_CASE("audit CLI: exit codes, formats, directory walk, waivers", "[audit][cli]") {
  const auto [list_rc, rules] = run_cli("audit --list-rules");
  if (list_rc != 0)
    FAIL("`ptscope audit` is not registered: cli/main.cpp must call register_audit_command");
  CHECK(rules.find("PTS101") != std::string::npos);

  const std::string clean = test::fixture("malicious/../models/mlp_state_dict.pth");
  const std::string bad = test::fixture("malicious/pip_main.pkl");
  const std::string broken = test::fixture("malicious/broken_after_payload.pkl");
  if (fs::exists(clean)) CHECK(run_cli("audit " + clean).first == 0);
  CHECK(run_cli("audit " + bad).first == 1);
  CHECK(run_cli("audit --fail-on dangerous " + test::fixture("malicious/unknown_callable.pkl")).first == 1);
  // An instantiated class (not a plain function) stays suspicious.
  CHECK(run_cli("audit --fail-on dangerous " + test::fixture("adversarial/benign_namespace.pkl")).first == 0);
  CHECK(run_cli("audit --fail-on none " + bad).first == 0);
  CHECK(run_cli("audit " + broken).first == 2);
  CHECK(run_cli("audit /nonexistent/model.pt").first == 2);
  CHECK(run_cli("audit").first == 64);
  CHECK(run_cli("audit --format yaml " + bad).first == 64);
  CHECK(run_cli("audit --torch-version 1.12 " + bad).first == 64);
  CHECK(run_cli("audit --torch-version banana " + bad).first == 64);

  // The whole malicious folder, in parallel: errors (exit 2) win over findings.
  const auto [dir_rc, json_text] = run_cli("audit -j 2 --format json " + test::fixture("malicious"));
  CHECK(dir_rc == 2);
  const auto doc = nlohmann::json::parse(json_text);
  CHECK(doc["schema"] == "ptscope.audit/1");
  CHECK(doc["summary"]["clean"] == 0);
  CHECK(doc["files"].size() >= 40);

  const auto [sarif_rc, sarif_text] = run_cli("audit --format sarif " + bad);
  CHECK(sarif_rc == 1);
  const auto sarif = nlohmann::json::parse(sarif_text);
  CHECK(sarif["version"] == "2.1.0");
  CHECK_FALSE(sarif["runs"][0]["results"].empty());

  // Waive every finding of the sample by its hash: exit 0.
  const std::string sha = audit_file(bad).sha256;
  const std::string waivers = (fs::temp_directory_path() / "ptscope_cli_waivers.txt").string();
  {
    std::ofstream out(waivers);
    out << sha << " * # inert test sample\n";
  }
  CHECK(run_cli("audit --waivers " + waivers + " " + bad).first == 0);
  {
    std::ofstream out(waivers);
    out << "garbage\n";
  }
  CHECK(run_cli("audit --waivers " + waivers + " " + bad).first == 64);
  std::remove(waivers.c_str());
}

TEST_CASE("audit corpus: the generator reproduces the committed samples", "[audit][corpus]") {
  if (std::system("python3 --version > /dev/null 2>&1") != 0) return;
  const std::string cmd = "python3 " + test::fixture("make_malicious.py") + " --check > /dev/null";
  CHECK(std::system(cmd.c_str()) == 0);
}
