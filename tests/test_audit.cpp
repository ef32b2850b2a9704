// The security audit on streams and archives assembled here byte by byte:
// policy tables, every pickle trick the scanner must see through, zip
// anomalies, reports, waivers and the exit code.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "audit/container_scan.h"
#include "audit/pickle_scan.h"
#include "audit/policy.h"
#include "audit/report.h"
#include "torch_file_builder.h"

using namespace ptscope;
using namespace ptscope::audit;
using namespace std::string_literals;

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

AuditReport audit_string(const std::string& data, const AuditOptions& options = {}) {
  return audit_bytes(bytes_of(data), "sample", options);
}

bool has_rule(const AuditReport& r, const std::string& rule, std::optional<Severity> at_least = std::nullopt) {
  return std::any_of(r.findings.begin(), r.findings.end(), [&](const Finding& f) {
    return f.rule == rule && (!at_least || f.severity >= *at_least);
  });
}

const Finding* first_of(const AuditReport& r, const std::string& rule) {
  for (const auto& f : r.findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

std::string dump(const AuditReport& r) {
  std::string out = r.kind + " " + r.verdict() + "\n";
  for (const auto& f : r.findings)
    out += "  " + f.rule + " " + severity_name(f.severity) + " " + f.member + "@" +
           std::to_string(f.offset.value_or(0)) + " " + f.message + "\n";
  for (const auto& e : r.errors) out += "  error " + e + "\n";
  return out;
}

// torch.save zip around a data.pkl, with the one storage record it needs.
std::string torch_zip(const std::string& data_pkl, size_t record = 16) {
  auto z = test::build_stored_zip(
      {{"archive/data.pkl", data_pkl}, {"archive/data/0", std::string(record, '\0')}, {"archive/version", "3\n"}});
  return std::string(z.begin(), z.end());
}

const std::string kPayload = "\x80\x02" "cos\nsystem\nX\x04\x00\x00\x00true\x85R."s;

}  // namespace

TEST_CASE("audit: sha256 matches the FIPS 180-4 vectors", "[audit]") {
  auto h = [](const std::string& s) { return sha256_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  CHECK(h("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(h("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(h("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(h(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("audit: torch versions parse and gate the allowlist", "[audit][policy]") {
  CHECK(TorchVersion::parse("2.6")->str() == "2.6");
  CHECK(TorchVersion::parse("2.6.0+cu124")->minor == 6);
  CHECK(TorchVersion::parse("1.13.0a0")->str() == "1.13");
  CHECK(TorchVersion::parse("latest")->str() == kLatestTorch.str());
  CHECK_FALSE(TorchVersion::parse("two"));
  CHECK_FALSE(TorchVersion::parse("2"));

  const Policy v113(TorchVersion{1, 13}), v24(TorchVersion{2, 4}), latest;
  // The 1.13 table was read from Debian's torch 1.13.1 (90 entries on CPU).
  CHECK(v113.allowlist_size() == 90);
  CHECK(latest.allowlist_size() == 144);  // torch 2.15.0's _get_allowed_globals()
  CHECK(v113.allowed_global(Loader::weights_only, "torch._utils", "_rebuild_tensor_v2"));
  CHECK_FALSE(v113.allowed_global(Loader::weights_only, "torch._utils", "_rebuild_tensor_v3"));
  CHECK_FALSE(v113.allowed_opcode(Loader::weights_only, 'G'));  // BINFLOAT arrived later
  CHECK(latest.allowed_opcode(Loader::weights_only, 'G'));
  CHECK_FALSE(latest.allowed_opcode(Loader::weights_only, 0x93));  // STACK_GLOBAL
  CHECK(latest.allowed_global(Loader::weights_only, "_codecs", "encode"));
  CHECK_FALSE(v24.allowed_global(Loader::weights_only, "builtins", "set"));
  // NAME_MAPPING applies (py2 __builtin__ → builtins) from 2.4 on.
  CHECK(latest.allowed_global(Loader::weights_only, "__builtin__", "set"));
  // add_safe_globals cannot allow os/sys, as in torch.
  const Policy user(kLatestTorch, {"mylib.Config", "os.system"});
  CHECK(user.allowed_global(Loader::weights_only, "mylib", "Config"));
  CHECK_FALSE(user.allowed_global(Loader::weights_only, "os", "system"));
  // The TorchScript unpickler resolves __torch__ classes, not arbitrary Python.
  CHECK(latest.allowed_global(Loader::torchscript, "__torch__.model", "Net"));
  CHECK_FALSE(latest.allowed_global(Loader::torchscript, "torch.nn.modules.conv", "Conv2d"));
}

TEST_CASE("audit: the denylist grades, with aliases and dotted components", "[audit][policy]") {
  const Policy p;
  CHECK(p.rate_global("os", "system").severity == Severity::dangerous);
  CHECK(p.rate_global("posix", "system").severity == Severity::dangerous);
  CHECK(p.rate_global("nt", "system").severity == Severity::dangerous);
  CHECK(p.rate_global("_operator", "attrgetter").severity == Severity::dangerous);
  CHECK(p.rate_global("__builtin__", "eval").severity == Severity::dangerous);
  CHECK(p.rate_global("asyncio.unix_events", "_UnixSubprocessTransport._start").severity == Severity::dangerous);
  CHECK(p.rate_global("pathlib", "os.system").severity == Severity::dangerous);
  CHECK(p.rate_global("builtins", "print.__class__.__base__.__subclasses__").severity == Severity::dangerous);
  CHECK(p.rate_global("transformers", "AutoModel.from_pretrained").severity == Severity::dangerous);
  CHECK(p.rate_global("torch.utils.collect_env", "run").severity == Severity::dangerous);
  CHECK(p.rate_global("torch.fx.graph_module", "reduce_graph_module").severity == Severity::dangerous);
  // What real checkpoints contain stays suspicious, never dangerous.
  for (auto [m, n] : std::vector<std::pair<const char*, const char*>>{
           {"numpy.core.multiarray", "_reconstruct"}, {"numpy", "dtype"}, {"numpy", "ndarray"},
           {"torch.nn.modules.conv", "Conv2d"}, {"__main__", "Net"}, {"argparse", "Namespace"},
           {"collections", "defaultdict"}, {"pathlib", "PosixPath"}, {"builtins", "slice"},
           {"copyreg", "_reconstructor"}, {"mymodel.layers", "Outer.Inner"}, {"torch.jit._pickle", "build_intlist"},
           {"transformers.models.bert.configuration_bert", "BertConfig"}, {"mylib.code_utils", "test"},
           {"functools", "partial"}, {"torch._C._nn", "gelu"}, {"logging", "getLogger"}, {"types", "SimpleNamespace"}})
    CHECK(p.rate_global(m, n).severity == Severity::suspicious);
}

TEST_CASE("audit: a torch.save state_dict is clean and weights-only loadable", "[audit]") {
  auto r = audit_string(torch_zip(test::state_dict_pickle(4, 0, 4)));
  INFO(dump(r));
  CHECK(r.kind == "torch.save-zip");
  CHECK(r.verdict() == "clean");
  CHECK(r.weights_only_loadable);
  CHECK(r.loaded_pickle == "archive/data.pkl");
  REQUIRE(r.members.size() == 1);
  CHECK(r.members[0].imports.size() == 3);
  CHECK(std::all_of(r.members[0].imports.begin(), r.members[0].imports.end(), [](auto& i) { return i.allowed; }));
  CHECK(r.sha256.size() == 64);
}

TEST_CASE("audit: imports and calls are found by executing the stack", "[audit][pickle]") {
  // Payloads whose point is one dangerous finding.
  struct Payload {
    const char* what;
    std::string pickle;
    const char* rule;
  };
  for (const Payload& p : {
           Payload{"STACK_GLOBAL with protocol-0 STRING operands", "\x80\x04S'posix'\nS'system'\n\x93S'true'\n\x85R."s,
                   "PTS101"},
           Payload{"OBJ whose result is popped", "(cos\nsystem\nS'true'\no0}."s, "PTS124"},
           Payload{"EXT opcodes", "\x80\x02\x82\x42S'true'\n\x85R."s, "PTS104"},
           Payload{"BUILD on a global sets attributes on the class itself",
                   "\x80\x02" "ctorch\nTensor\n}X\x01\x00\x00\x00xK\x01sb."s, "PTS111"},
       }) {
    DYNAMIC_SECTION(p.what) {
      const auto r = audit_string(p.pickle);
      INFO(dump(r));
      CHECK(has_rule(r, p.rule, Severity::dangerous));
    }
  }
  SECTION("GLOBAL + REDUCE") {
    auto r = audit_string(torch_zip(kPayload));
    INFO(dump(r));
    CHECK(r.verdict() == "dangerous");
    CHECK_FALSE(r.weights_only_loadable);
    const Finding* f = first_of(r, "PTS101");
    REQUIRE(f);
    CHECK(f->member == "archive/data.pkl");
    CHECK(f->offset == 2u);
    CHECK(f->global == "os.system");
    CHECK(has_rule(r, "PTS110", Severity::dangerous));
  }
  SECTION("STACK_GLOBAL operands through MEMOIZE and BINGET, with decoys") {
    auto p = "\x80\x04\x8c\x05" "decoy\x94\x8c\x02os\x94\x8c\x06system\x94h\x01h\x02\x93"
             "\x8c\x04true\x85R."s;
    auto r = audit_string(p);
    INFO(dump(r));
    REQUIRE(first_of(r, "PTS101"));
    CHECK(first_of(r, "PTS101")->global == "os.system");
  }
  SECTION("a module name computed by a call is a dynamic import") {
    auto r = audit_string("\x80\x02" "cbuiltins\nstr\nS'os'\n\x85R\x8c\x06system\x93S'true'\n\x85R."s);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS102", Severity::dangerous));
    // The VM goes on with an opaque global, so the call on it is reported too
    // and the pickle is analysed to its end.
    const Finding* call = first_of(r, "PTS110");  // worst first
    REQUIRE(call);
    CHECK(call->severity == Severity::dangerous);
    CHECK(call->message.find("computed STACK_GLOBAL") != std::string::npos);
    CHECK(r.errors.empty());
    CHECK(r.verdict() == "dangerous");
  }
  SECTION("INST imports and calls in one opcode") {
    auto r = audit_string("(S'true'\nios\nsystem\n."s);
    CHECK(has_rule(r, "PTS101"));
    CHECK(first_of(r, "PTS110")->opcode == "INST");
  }
  SECTION("BUILD planting __setstate__") {
    auto r = audit_string("\x80\x02" "cargparse\nNamespace\n)\x81}X\x0c\x00\x00\x00__setstate__cos\nsystem\nsbS'true'\nb."s);
    INFO(dump(r));
    const Finding* f = first_of(r, "PTS111");
    REQUIRE(f);
    CHECK(f->severity == Severity::dangerous);
  }
  SECTION("a call of a computed callable (gadget chain)") {
    // getattr(os.path, 'join')('a'): the second callable exists only at load time.
    auto r = audit_string("\x80\x02" "cbuiltins\ngetattr\ncos\npath\nX\x04\x00\x00\x00join\x86RX\x01\x00\x00\x00" "a\x85R."s);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS101"));
    const auto calls = std::count_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
      return f.rule == "PTS110" && f.severity == Severity::dangerous;
    });
    CHECK(calls == 2);
  }
}

TEST_CASE("audit: stream integrity", "[audit][pickle]") {
  SECTION("a payload then an invalid opcode is still reported") {
    auto r = audit_string(kPayload.substr(0, kPayload.size() - 1) + "\xff");
    INFO(dump(r));
    CHECK(has_rule(r, "PTS101"));
    CHECK(has_rule(r, "PTS120"));
    CHECK(has_rule(r, "PTS121", Severity::dangerous));
    CHECK(r.verdict() == "error");
  }
  SECTION("imports after a parse error are listed by linear disassembly") {
    // STACK_GLOBAL on an empty stack stops the VM; the GLOBAL after it is still seen.
    auto r = audit_string("\x80\x02\x93" "csubprocess\nPopen\n."s);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS101"));
  }
  SECTION("an argument straddling a FRAME") {
    auto p = "\x80\x04\x95\x04\x00\x00\x00\x00\x00\x00\x00\x8c\x08sys-true0}."s;
    auto r = audit_string(p);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS117", Severity::dangerous));
  }
  SECTION("a second PROTO") {
    auto r = audit_string("\x80\x02}\x80\x02."s);
    CHECK(has_rule(r, "PTS118", Severity::suspicious));
  }
  SECTION("trailing pickles after data.pkl's STOP are scanned") {
    auto r = audit_string(torch_zip(test::state_dict_pickle(4, 0, 4) + kPayload));
    INFO(dump(r));
    CHECK(has_rule(r, "PTS122"));
    CHECK(has_rule(r, "PTS101"));
    CHECK(r.weights_only_loadable);  // torch itself only reads the first pickle
  }
  SECTION("billion laughs") {
    std::string p = "\x80\x02]";
    for (int i = 0; i < 40; ++i) p += "q\x00]h\x00" "ah\x00" "a"s;
    p += ".";
    auto r = audit_string(p);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS119"));
  }
  SECTION("reference cycles through the memo are walked once and freed") {
    // l = []; l.append(l); d = {}; d['self'] = d  (ASan builds check nothing leaks)
    auto r = audit_string("\x80\x02]q\x00h\x00" "a0}q\x01X\x04\x00\x00\x00selfh\x01s."s);
    INFO(dump(r));
    CHECK(r.errors.empty());
    CHECK_FALSE(has_rule(r, "PTS119"));
  }
  SECTION("hard limits end the scan with an error, not a crash") {
    AuditOptions o;
    o.pickle_limits.max_ops = 10;
    auto r = audit_string(torch_zip(test::state_dict_pickle(4, 0, 4)), o);
    CHECK(has_rule(r, "PTS119"));
    CHECK(r.verdict() == "error");
  }
}

TEST_CASE("audit: tensors and storages must fit their records", "[audit][pickle]") {
  SECTION("numel larger than the record") {
    auto r = audit_string(torch_zip(test::state_dict_pickle(100, 0, 4), 16));
    INFO(dump(r));
    CHECK(has_rule(r, "PTS115", Severity::dangerous));
    CHECK_FALSE(r.weights_only_loadable);
  }
  SECTION("view past the end of the storage") {
    auto r = audit_string(torch_zip(test::state_dict_pickle(4, 2, 10), 16));
    CHECK(has_rule(r, "PTS116", Severity::dangerous));
  }
  SECTION("missing record") {
    auto z = test::build_stored_zip({{"archive/data.pkl", test::state_dict_pickle(4, 0, 4)}, {"archive/version", "3\n"}});
    auto r = audit_bytes(z, "m");
    CHECK(has_rule(r, "PTS115", Severity::suspicious));
  }
  SECTION("view geometry arithmetic") {
    CHECK(view_extent(0, {2, 3}, {3, 1}) == 6u);
    CHECK(view_extent(5, {0, 3}, {3, 1}) == 0u);
    CHECK_FALSE(view_extent(-1, {1}, {1}));
    CHECK_FALSE(view_extent(0, {2}, {-1}));
    CHECK_FALSE(view_extent(0, {INT64_MAX}, {INT64_MAX}));
  }
}

TEST_CASE("audit: zip container anomalies", "[audit][zip]") {
  SECTION("members outside the archive folder and pickles with other names") {
    auto z = test::build_stored_zip({{"archive/data.pkl", test::state_dict_pickle(4, 0, 4)},
                                     {"archive/data/0", std::string(16, '\0')},
                                     {"archive/version", "3\n"},
                                     {"archive/extra/readme.txt", kPayload},
                                     {"../evil/data.pkl", "\x80\x02}."s}});
    auto r = audit_bytes(z, "z");
    INFO(dump(r));
    CHECK(has_rule(r, "PTS101"));
    CHECK(has_rule(r, "PTS303"));
    CHECK(has_rule(r, "PTS304"));
    CHECK(first_of(r, "PTS101")->member == "archive/extra/readme.txt");
  }
  SECTION("DATA.PKL is what torch loads") {
    auto z = test::build_stored_zip({{"archive/DATA.PKL", kPayload}, {"archive/version", "3\n"}});
    auto r = audit_bytes(z, "z");
    INFO(dump(r));
    CHECK(has_rule(r, "PTS302"));
    CHECK(has_rule(r, "PTS101"));
    CHECK(r.loaded_pickle == "archive/DATA.PKL");
  }
  SECTION("two archives concatenated") {
    auto a = torch_zip(kPayload);
    auto b = torch_zip("\x80\x02}."s + std::string(kPayload.size() - 4, '\0'));
    auto r = audit_string(a + b);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS306", Severity::dangerous));
    CHECK(first_of(r, "PTS101")->member == "archive/data.pkl");  // torch's view: the first archive
  }
  SECTION("a zip behind other bytes is still opened, as Python's zipfile would") {
    auto r = audit_string("JUNKJUNK" + torch_zip(kPayload));
    INFO(dump(r));
    CHECK(has_rule(r, "PTS307"));
    CHECK(has_rule(r, "PTS101"));
  }
  SECTION("a zip inside a member is scanned") {
    auto inner = torch_zip(kPayload);
    auto z = test::build_stored_zip({{"archive/data.pkl", "\x80\x02}."s}, {"archive/version", "3\n"},
                                     {"archive/extra/model.zip", inner}});
    auto r = audit_bytes(z, "z");
    INFO(dump(r));
    CHECK(has_rule(r, "PTS314"));
    CHECK(has_rule(r, "PTS101"));
  }
}

TEST_CASE("audit: CRC, name and flag tampering", "[audit][zip]") {
  auto z = test::build_stored_zip({{"archive/data.pkl", kPayload}, {"archive/version", "3\n"}});
  // Offsets of the first central header and its fields.
  const size_t cd = std::string(z.begin(), z.end()).find("PK\x01\x02"s);
  REQUIRE(cd != std::string::npos);
  SECTION("CRC") {
    z[cd + 16] ^= 0xFF;
    auto r = audit_bytes(z, "z");
    CHECK(has_rule(r, "PTS311"));
    CHECK(has_rule(r, "PTS101"));
  }
  SECTION("local name") {
    z[30 + std::string("archive/data.").size()] = 'x';
    auto r = audit_bytes(z, "z");
    CHECK(has_rule(r, "PTS300", Severity::dangerous));
    CHECK(has_rule(r, "PTS101"));
  }
  SECTION("encryption flag: unreadable, exit 2") {
    z[cd + 8] |= 1;
    auto r = audit_bytes(z, "z");
    CHECK(has_rule(r, "PTS309"));
    CHECK(r.verdict() == "error");
  }
}

TEST_CASE("audit: legacy streams, tar and other kinds", "[audit]") {
  SECTION("a raw pickle is scanned as torch.load's legacy path reads it") {
    auto r = audit_string("cposix\nsystem\n(S'true'\ntR."s);
    CHECK(r.kind == "pickle");
    CHECK(has_rule(r, "PTS101"));
  }
  SECTION("text is not a model and is not an error") {
    auto r = audit_string("# just a readme\n");
    CHECK_FALSE(r.is_model);
    CHECK(r.verdict() == "clean");
    CHECK(r.errors.empty());
  }
  SECTION("empty file") {
    auto r = audit_string("");
    CHECK_FALSE(r.is_model);
  }
  SECTION("tar detection uses the header checksum, like tarfile") {
    std::vector<uint8_t> block(512, 0);
    std::memcpy(block.data(), "pickle", 6);
    std::memcpy(block.data() + 124, "00000000000", 11);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : block[i];
    std::snprintf(reinterpret_cast<char*>(block.data() + 148), 8, "%06o", sum);
    CHECK(is_tar_header(ByteSpan(block.data(), block.size())));
    block[0] = 'x';
    CHECK_FALSE(is_tar_header(ByteSpan(block.data(), block.size())));
  }
}

TEST_CASE("audit: nested payloads in constants", "[audit][pickle]") {
  SECTION("bytes constant holding a pickle") {
    std::string p = "\x80\x03" "cpickle\nloads\nB"s;
    const uint32_t n = uint32_t(kPayload.size());
    p.append(reinterpret_cast<const char*>(&n), 4);
    p += kPayload + "\x85R.";
    auto r = audit_string(p);
    INFO(dump(r));
    CHECK(has_rule(r, "PTS123"));
    const auto nested = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
      return f.rule == "PTS101" && f.member.find("!nested") != std::string::npos;
    });
    CHECK(nested != r.findings.end());
  }
}

TEST_CASE("audit: waivers, exit codes and renderers", "[audit][report]") {
  auto bad = audit_string(torch_zip(kPayload));
  auto clean = audit_string(torch_zip(test::state_dict_pickle(4, 0, 4)));
  RunInfo run;
  run.tool_version = "test";
  run.torch_version = "2.15";
  CHECK(exit_code({clean}, run) == 0);
  CHECK(exit_code({clean, bad}, run) == 1);
  run.fail_on = std::nullopt;
  CHECK(exit_code({bad}, run) == 0);
  run.fail_on = Severity::dangerous;
  CHECK(exit_code({bad}, run) == 1);
  auto text_only = audit_string("hello\n");
  CHECK(exit_code({text_only}, run) == 2);  // nothing audited
  run.allow_empty = true;
  CHECK(exit_code({text_only}, run) == 0);

  SECTION("waivers by sha256 and rule, text and JSON, with expiry") {
    const std::string path = "/tmp/ptscope_test_waivers.txt";
    {
      std::ofstream out(path);
      out << "# reviewed\n" << bad.sha256 << " * expires=2999-01-01  # inert test payload\n";
      out << bad.sha256 << " PTS101 expires=2000-01-01\n";
    }
    auto waivers = load_waivers(path);
    REQUIRE(waivers.size() == 2);
    std::vector<AuditReport> reports{bad};
    auto warnings = apply_waivers(reports, waivers, "2026-01-01");
    CHECK(warnings.size() == 1);  // the expired one
    CHECK(std::all_of(reports[0].findings.begin(), reports[0].findings.end(), [](auto& f) { return f.waived; }));
    RunInfo strict;
    CHECK(exit_code(reports, strict) == 0);

    const std::string jpath = "/tmp/ptscope_test_waivers.json";
    {
      std::ofstream out(jpath);
      out << R"({"waivers": [{"sha256": ")" << bad.sha256 << R"(", "rule": "PTS112", "reason": "protocol"}]})";
    }
    std::vector<AuditReport> again{bad};
    apply_waivers(again, load_waivers(jpath), "2026-01-01");
    CHECK(exit_code(again, strict) == 1);  // PTS101 is not waived
    {
      std::ofstream out(path);
      out << "nothex PTS101\n";
    }
    CHECK_THROWS(load_waivers(path));
    std::remove(path.c_str());
    std::remove(jpath.c_str());
  }

  SECTION("JSON has the documented shape") {
    auto j = nlohmann::json::parse(render_json({bad, clean}, RunInfo{}));
    CHECK(j["schema"] == "ptscope.audit/1");
    CHECK(j["summary"]["dangerous"] == 1);
    CHECK(j["summary"]["clean"] == 1);
    CHECK(j["exit_code"] == 1);
    const auto& f = j["files"][0]["findings"][0];
    CHECK(f["rule"] == "PTS101");
    CHECK(f["offset"] == 2);
    CHECK(j["files"][1]["weights_only_loadable"] == true);
  }

  SECTION("SARIF 2.1.0 as code scanning reads it") {
    bad.path = "models/bad model.pt";
    auto s = nlohmann::json::parse(render_sarif({bad}, RunInfo{}));
    CHECK(s["version"] == "2.1.0");
    const auto& run0 = s["runs"][0];
    CHECK(run0["tool"]["driver"]["name"] == "ptscope");
    std::set<std::string> ids;
    for (const auto& rule : run0["tool"]["driver"]["rules"]) ids.insert(rule["id"].get<std::string>());
    REQUIRE_FALSE(run0["results"].empty());
    for (const auto& res : run0["results"]) {
      CHECK(ids.count(res["ruleId"].get<std::string>()));
      CHECK(run0["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()]["id"] == res["ruleId"]);
      CHECK((res["level"] == "error" || res["level"] == "warning" || res["level"] == "note"));
      const auto& loc = res["locations"][0]["physicalLocation"];
      CHECK(loc["artifactLocation"]["uri"] == "models/bad%20model.pt");
      CHECK(loc["region"]["startLine"] == 1);
      CHECK(res["partialFingerprints"].size() == 1);
    }
    for (const auto& rule : run0["tool"]["driver"]["rules"]) {
      CHECK(rule.contains("shortDescription"));
      CHECK(rule["properties"].contains("security-severity"));
    }
  }

  SECTION("text lists findings and a summary") {
    const std::string text = render_text({bad, clean}, RunInfo{});
    CHECK(text.find("DANGEROUS") != std::string::npos);
    CHECK(text.find("PTS101") != std::string::npos);
    CHECK(text.find("1 clean") != std::string::npos);
  }
}
