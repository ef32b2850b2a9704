// ptscope-ci-gate: a deployment gate built on the ptscope library. It refuses
// a model file whose security audit fails or that is over its size, parameter
// or FLOP budget.
//
//   ptscope-ci-gate FILE [--max-mb M] [--max-params N] [--max-gflops G]
//                   [--input SPEC]... [--fail-on info|suspicious|dangerous|never]
//                   [--torch VERSION] [--waivers FILE]
//
// Exit status: 0 accepted, 1 refused, 2 could not decide (unreadable file,
// incomplete audit, FLOPs requested but no graph), 64 bad arguments.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <ptscope/ptscope.h>

namespace {

constexpr int kAccepted = 0, kRefused = 1, kUndecided = 2, kUsage = 64;

struct Args {
  std::string file;
  std::optional<double> max_mb, max_params, max_gflops;
  std::vector<std::string> inputs;
  std::optional<ptscope::audit::Severity> fail_on = ptscope::audit::Severity::suspicious;
  std::string torch = "latest";
  std::string waivers;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "ptscope-ci-gate: " << why << "\n"
            << "usage: ptscope-ci-gate FILE [--max-mb M] [--max-params N] [--max-gflops G] [--input SPEC]...\n"
            << "                       [--fail-on info|suspicious|dangerous|never] [--torch VERSION] [--waivers FILE]\n";
  std::exit(kUsage);
}

double number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0)) usage(flag + " needs a non-negative number, got '" + text + "'");
  return v;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--max-mb") a.max_mb = number(arg, next());
    else if (arg == "--max-params") a.max_params = number(arg, next());
    else if (arg == "--max-gflops") a.max_gflops = number(arg, next());
    else if (arg == "--input") a.inputs.push_back(next());
    else if (arg == "--torch") a.torch = next();
    else if (arg == "--waivers") a.waivers = next();
    else if (arg == "--fail-on") {
      const std::string v = next();
      if (v == "never") a.fail_on.reset();
      else if (!(a.fail_on = ptscope::audit::parse_severity(v))) usage("unknown severity '" + v + "'");
    } else if (arg == "-h" || arg == "--help") usage("a deployment gate for PyTorch model files");
    else if (!arg.empty() && arg[0] == '-') usage("unknown option " + arg);
    else if (a.file.empty()) a.file = arg;
    else usage("only one FILE");
  }
  if (a.file.empty()) usage("missing FILE");
  return a;
}

// One line of the verdict table; `failed` refuses, `undecided` cannot decide.
struct Check {
  std::string name, detail;
  bool failed = false, undecided = false;
};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

Check audit_check(const Args& args) {
  namespace audit = ptscope::audit;
  audit::AuditOptions options;
  const auto version = audit::TorchVersion::parse(args.torch);
  if (!version) usage("unknown torch version '" + args.torch + "'");
  options.torch_version = *version;
  // try_*: an unreadable path becomes an undecided check, not an exception.
  auto report = ptscope::try_run_audit(args.file, options);
  if (!report) return {"audit", report.error().what(), false, true};
  std::vector<audit::AuditReport> reports{std::move(*report)};
  if (!args.waivers.empty()) {
    for (const std::string& w : audit::apply_waivers(reports, audit::load_waivers(args.waivers), audit::today_utc()))
      std::cerr << "ptscope-ci-gate: " << w << "\n";
  }
  const audit::AuditReport& r = reports.front();
  Check c{"audit", r.verdict()};
  int counted = 0;
  for (const audit::Finding& f : r.findings) {
    if (f.waived || !args.fail_on || f.severity < *args.fail_on) continue;
    if (counted++ < 3) c.detail += "\n    " + f.rule + " " + audit::severity_name(f.severity) + ": " + f.message;
  }
  if (counted > 3) c.detail += "\n    ... and " + std::to_string(counted - 3) + " more";
  c.failed = counted > 0;
  if (!r.is_model) {
    c.detail += " (not a PyTorch model file)";
    c.undecided = true;
  }
  for (const std::string& e : r.errors) {
    c.detail += "\n    incomplete: " + e;
    c.undecided = true;
  }
  return c;
}

// Parameters as the module declares them; a bare state_dict does not say
// which tensors are parameters, so there every tensor but declared buffers counts.
double parameter_count(const ptscope::Model& model) {
  if (int64_t n = model.n_parameter_elements(); n > 0) return double(n);
  double n = 0;
  for (const ptscope::TensorView& t : ptscope::tensors(model))
    if (t.role() != ptscope::TensorRole::buffer) n += double(t.numel());
  return n;
}

int gate(const Args& args) {
  std::vector<Check> checks{audit_check(args)};

  // Opening never runs anything from the file, so it is safe even after a
  // failed audit, and the budgets are still worth reporting.
  auto opened = ptscope::try_open(args.file);
  if (!opened) {
    checks.push_back({"open", opened.error().what(), false, true});
  } else {
    const ptscope::Model& model = **opened;
    const double mb = double(model.file_size) / 1e6;
    checks.push_back({"file size", num(mb) + " MB" + (args.max_mb ? " (max " + num(*args.max_mb) + ")" : ""),
                      args.max_mb && mb > *args.max_mb});
    const double params = parameter_count(model);
    checks.push_back({"parameters", num(params) + (args.max_params ? " (max " + num(*args.max_params) + ")" : ""),
                      args.max_params && params > *args.max_params});
    if (args.max_gflops) {
      ptscope::graph::GraphOptions options;
      auto specs = ptscope::try_invoke([&] {
        std::vector<ptscope::graph::InputSpec> out;
        for (const std::string& s : args.inputs) out.push_back(ptscope::graph::parse_input_spec(s));
        return out;
      });
      if (!specs) usage(specs.error().what());
      options.inputs = std::move(*specs);
      auto graph = ptscope::try_build_op_graph(model, options);
      if (!graph) {
        checks.push_back({"FLOPs", std::string("no graph: ") + graph.error().what(), false, true});
      } else {
        const double gflops = graph->totals().flops / 1e9;
        checks.push_back({"FLOPs", num(gflops) + " GFLOPs (max " + num(*args.max_gflops) + ")",
                          gflops > *args.max_gflops});
      }
    }
  }

  bool refused = false, undecided = false;
  std::cout << "ptscope-ci-gate " << ptscope::version() << ": " << args.file << "\n";
  for (const Check& c : checks) {
    const char* status = c.failed ? "FAIL" : c.undecided ? "ERROR" : "ok";
    std::printf("  %-5s %-10s %s\n", status, c.name.c_str(), c.detail.c_str());
    refused |= c.failed;
    undecided |= c.undecided;
  }
  // A refusal is certain even when another check could not run.
  const int rc = refused ? kRefused : undecided ? kUndecided : kAccepted;
  std::cout << "verdict: " << (rc == kAccepted ? "ACCEPTED" : rc == kRefused ? "REFUSED" : "UNDECIDED") << "\n";
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  try {
    return gate(args);
  } catch (const ptscope::Error& e) {  // e.g. a malformed waiver file
    std::cerr << "ptscope-ci-gate: " << e.what() << "\n";
    return e.code() == ptscope::ErrorCode::usage ? kUsage : kUndecided;
  } catch (const std::exception& e) {
    std::cerr << "ptscope-ci-gate: " << e.what() << "\n";
    return kUndecided;
  }
}
