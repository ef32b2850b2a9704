// Allowlists per torch version and the denylist. The weights-only tables were
// read from torch/_weights_only_unpickler.py of torch 1.13.1 (Debian) and
// 2.15.0, and from the 2.10 snapshot described in security.md §3; versions in
// between follow the release history as far as it is known (docs/audit.md).
#include "audit/policy.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <unordered_map>

#include "core/enum_names.h"

namespace ptscope::audit {

const char* severity_name(Severity s) {
  static constexpr const char* kNames[] = {"info", "suspicious", "dangerous"};
  static_assert(std::size(kNames) == enum_count(Severity::dangerous));
  return enum_name(s, kNames, "?");
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "info") return Severity::info;
  if (text == "suspicious") return Severity::suspicious;
  if (text == "dangerous") return Severity::dangerous;
  return std::nullopt;
}

std::optional<TorchVersion> TorchVersion::parse(std::string_view text) {
  if (text == "latest") return kLatestTorch;
  TorchVersion v;
  const char* p = text.data();
  const char* end = p + text.size();
  auto r = std::from_chars(p, end, v.major);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') return std::nullopt;
  r = std::from_chars(r.ptr + 1, end, v.minor);
  if (r.ec != std::errc()) return std::nullopt;
  // Anything after the minor version must be a patch level or a local tag.
  if (r.ptr != end && *r.ptr != '.' && *r.ptr != '+' && *r.ptr != 'a' && *r.ptr != 'r' && *r.ptr != 'd')
    return std::nullopt;
  if (v.major < 0 || v.minor < 0 || v.major > 99 || v.minor > 999) return std::nullopt;
  return v;
}

std::string fold_module_alias(std::string_view module) {
  static const std::unordered_map<std::string_view, std::string_view> aliases = {
      {"posix", "os"},         {"nt", "os"},           {"_io", "io"},
      {"_operator", "operator"}, {"_pickle", "pickle"}, {"cPickle", "pickle"},
      {"__builtin__", "builtins"}, {"_socket", "socket"}, {"copy_reg", "copyreg"},
      {"_codecs", "codecs"},   {"_functools", "functools"}, {"_collections", "collections"},
  };
  const size_t dot = module.find('.');
  const std::string_view head = module.substr(0, dot);
  auto it = aliases.find(head);
  if (it == aliases.end()) return std::string(module);
  std::string out(it->second);
  if (dot != std::string_view::npos) out.append(module.substr(dot));
  return out;
}

namespace {

// ---------------------------------------------------------------- allowlist

void add_weights_only_globals(std::unordered_set<std::string>& rc, const TorchVersion& v) {
  auto add = [&](std::string s) { rc.insert(std::move(s)); };
  for (const char* g : {"collections.OrderedDict", "torch.nn.parameter.Parameter", "torch.serialization._get_layout",
                        "torch.Size", "torch.Tensor"})
    add(g);
  if (v.at_least(2, 1)) add("torch.device");
  if (v.at_least(2, 4)) {
    add("_codecs.encode");  // how protocol 2 writes bytes
    add("builtins.bytearray");
  }
  if (v.at_least(2, 5)) {
    add("builtins.set");
    add("collections.Counter");
  }
  if (v.at_least(2, 6)) add("builtins.complex");

  // dtypes, as str(dtype)
  if (!v.at_least(2, 1)) {
    for (const char* t : {"complex32", "complex64", "complex128", "float16", "float32", "float64", "int8", "int16",
                          "int32", "int64"})
      add(std::string("torch.") + t);
  } else {
    for (const char* t : {"float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
                          "bfloat16", "complex128", "complex64", "qint8", "qint32", "quint8", "quint4x2",
                          "quint2x4", "float8_e5m2", "float8_e4m3fn", "bits8", "bits16", "bits1x8", "bits2x4",
                          "bits4x2", "complex32"})
      add(std::string("torch.") + t);
    if (v.at_least(2, 2)) {
      add("torch.float8_e5m2fnuz");
      add("torch.float8_e4m3fnuz");
    }
    if (v.at_least(2, 3)) {
      for (const char* t : {"uint16", "uint32", "uint64"}) add(std::string("torch.") + t);
      for (int x = 1; x < 8; ++x) {
        add("torch.uint" + std::to_string(x));
        add("torch.int" + std::to_string(x));
      }
    }
    if (v.at_least(2, 7)) add("torch.float8_e8m0fnu");
    if (v.at_least(2, 8)) add("torch.float4_e2m1fn_x2");
    if (v.at_least(2, 15)) add("torch.bcomplex32");
  }

  // Legacy tensor type objects (torch._tensor_classes), unchanged since 1.13.
  static const char* const dense[] = {"BFloat16", "Bool", "Byte", "Char", "Double",
                                      "Float", "Half", "Int", "Long", "Short"};
  for (const char* t : dense) {
    add(std::string("torch.") + t + "Tensor");
    add(std::string("torch.cuda.") + t + "Tensor");
    if (std::string_view(t) != "Bool") {
      add(std::string("torch.sparse.") + t + "Tensor");
      add(std::string("torch.cuda.sparse.") + t + "Tensor");
    }
  }
  // Storage classes (torch._storage_classes).
  static const char* const storages[] = {"Double", "Float", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool",
                                         "BFloat16", "ComplexDouble", "ComplexFloat", "QUInt8", "QInt8", "QInt32",
                                         "QUInt4x2", "QUInt2x4"};
  for (const char* s : storages) {
    add(std::string("torch.") + s + "Storage");
    std::string_view sv(s);
    if (sv.substr(0, 2) != "QI" && sv.substr(0, 2) != "QU") add(std::string("torch.cuda.") + s + "Storage");
  }
  add("torch.storage.TypedStorage");
  add("torch.storage.UntypedStorage");

  if (v.at_least(2, 0)) {
    for (const char* q : {"per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
                          "per_channel_symmetric", "per_channel_affine_float_qparams"})
      add(std::string("torch.") + q);
  }

  // Tensor rebuild functions.
  for (const char* f : {"_rebuild_parameter", "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_sparse_tensor",
                        "_rebuild_meta_tensor_no_storage"})
    add(std::string("torch._utils.") + f);
  if (!v.at_least(2, 0)) add("torch._utils._rebuild_sparse_csr_tensor");
  if (v.at_least(2, 0)) {
    add("torch._utils._rebuild_qtensor");
    add("torch._utils._rebuild_parameter_with_state");
    add("torch._tensor._rebuild_from_type_v2");
  }
  if (v.at_least(2, 1)) {
    add("torch._utils._rebuild_tensor_v3");
    add("torch._utils._rebuild_wrapper_subclass");
    add("torch._utils._rebuild_device_tensor_from_numpy");
  }
  // Listed in 2.8 (security.md), gone from the 2.10 table.
  if (v.at_least(2, 1) && !v.at_least(2, 10)) add("torch._utils._rebuild_nested_tensor");
  if (v.at_least(2, 6)) add("torch._utils._rebuild_device_tensor_from_cpu_tensor");
}

// What torch::jit::Unpickler::readGlobal accepts (ptformat.md §2.3); classes of
// the archive itself live under __torch__ and are defined by its code/ files.
bool torchscript_global(std::string_view module, std::string_view name) {
  if (module == "__torch__" || module.substr(0, 10) == "__torch__.") return true;
  if (module == "torch._utils")
    return name == "_rebuild_tensor_v2" || name == "_rebuild_qtensor" || name == "_rebuild_sparse_tensor" ||
           name == "_rebuild_parameter";
  if (module == "torch._tensor") return name == "_rebuild_from_type_v2";
  if (module == "torch.jit._pickle")
    return name.substr(0, 6) == "build_" || name == "restore_type_tag";
  if (module == "__main__") return name == "TensorID" || name == "IntList";
  if (module == "builtins") return name == "complex";
  if (module == "collections") return name == "OrderedDict";
  if (module == "torch.distributed.rpc") return name == "rref";
  if (module == "torch") {
    if (name == "device") return true;
    if (name.size() > 7 && name.substr(name.size() - 7) == "Storage") return true;
    return name.substr(0, 4) == "per_";  // quantization schemes
  }
  return false;
}

// ---------------------------------------------------------------- opcodes

constexpr uint8_t kBinFloat = 'G';

bool weights_only_opcode(uint8_t op, const TorchVersion& v) {
  switch (op) {
    case 0x80: case '.': case 'c': case 'R': case 'b': case 0x81: case 'a': case 'e': case 's': case 'u':
    case '(': case 't': case 0x85: case 0x86: case 0x87: case ')': case ']': case '}': case 0x8f: case 'N':
    case 0x88: case 0x89: case 'J': case 'K': case 'M': case 0x8a: case 'X': case 'U': case 'Q':
    case 'h': case 'j': case 'q': case 'r':
      return true;
    case kBinFloat:
      return v.at_least(2, 0);
    default:
      return false;
  }
}

bool torchscript_opcode(uint8_t op) {
  switch (op) {
    case 0x80: case '.': case ']': case ')': case '}': case 'q': case 'r': case 'h': case 'j': case '(':
    case 0x88: case 0x89: case 'N': case 'K': case 'M': case 'J': case 0x8a: case 'X': case 0x8d: case 'G':
    case 't': case 0x85: case 0x86: case 0x87: case 'a': case 'e': case 'l': case 'd': case 'u': case 's':
    case 'c': case 0x81: case 'b': case 'R': case 'Q':
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------- denylist

struct DenyEntry {
  const char* path;  // "module" (covers its submodules and names) or "module.name"
  const char* reason;
};

constexpr const char* kExec = "runs shell commands or starts processes";
constexpr const char* kCode = "runs or compiles Python code";
constexpr const char* kLoad = "loads a second, unrestricted pickle or model (nested loader)";
constexpr const char* kAttr = "resolves attributes or imports by name (universal gadget)";
constexpr const char* kFile = "reads or writes files";
constexpr const char* kNet = "opens network connections";
constexpr const char* kNative = "loads native code or touches raw memory";
constexpr const char* kTorch = "torch internal that compiles, runs or loads code";
constexpr const char* kScanner = "tampers with security scanners";
constexpr const char* kSys = "gives access to the interpreter or the host system";
constexpr const char* kFxCode = "executes Python source stored in the file (pickled torch.fx GraphModule)";

const DenyEntry kDenylist[] = {
    // processes
    {"os", kExec}, {"subprocess", kExec}, {"_posixsubprocess", kExec}, {"pty", kExec}, {"commands", kExec},
    {"popen2", kExec}, {"platform", kExec}, {"multiprocessing", kExec}, {"concurrent", kExec},
    {"asyncio", kExec}, {"_winapi", kExec}, {"pipes", kExec}, {"threading", kExec}, {"_thread", kExec},
    {"uuid._get_command_stdout", kExec}, {"_osx_support", kExec}, {"_aix_support", kExec},
    {"_pyrepl", kExec}, {"imaplib.IMAP4_stream", kExec},
    // interpreter
    {"sys", kSys}, {"gc", kSys}, {"atexit", kSys}, {"signal", kSys}, {"resource", kSys}, {"syslog", kSys},
    {"getpass", kSys}, {"weakref.finalize", kSys}, {"site", kSys}, {"sitecustomize", kSys},
    {"_interpreters", kSys}, {"interpreters", kSys}, {"_xxsubinterpreters", kSys},
    // Python code
    {"builtins.eval", kCode}, {"builtins.exec", kCode}, {"builtins.execfile", kCode},
    {"builtins.compile", kCode}, {"builtins.breakpoint", kCode}, {"builtins.input", kCode},
    {"builtins.raw_input", kCode}, {"builtins.apply", kCode}, {"builtins.reload", kCode},
    {"builtins.help", kCode}, {"builtins.exit", kSys}, {"builtins.quit", kSys},
    {"runpy", kCode}, {"code", kCode}, {"codeop", kCode}, {"bdb", kCode}, {"pdb", kCode}, {"trace", kCode},
    {"profile", kCode}, {"cProfile", kCode}, {"timeit", kCode}, {"doctest", kCode}, {"pydoc", kCode},
    {"idlelib", kCode}, {"lib2to3", kCode}, {"distutils", kCode}, {"setuptools", kCode}, {"pip", kCode},
    {"ensurepip", kCode}, {"venv", kCode}, {"test", kCode}, {"py_compile", kCode}, {"compileall", kCode},
    {"types.CodeType", kCode}, {"types.FunctionType", kCode}, {"types.LambdaType", kCode},
    {"types.MethodType", kCode}, {"types.ModuleType", kCode}, {"types.new_class", kCode},
    {"marshal", kCode}, {"numpy.f2py", kCode}, {"numpy.testing", kCode}, {"numpy.distutils", kCode},
    {"IPython", kCode}, {"jinja2", kCode}, {"sympy.parsing", kCode}, {"mlflow.projects", kCode},
    // attribute and import resolution
    {"builtins.getattr", kAttr}, {"builtins.setattr", kAttr}, {"builtins.delattr", kAttr},
    {"builtins.__import__", kAttr}, {"builtins.globals", kAttr}, {"builtins.locals", kAttr},
    {"builtins.vars", kAttr}, {"builtins.memoryview", kNative}, {"operator.attrgetter", kAttr},
    {"operator.methodcaller", kAttr}, {"importlib", kAttr}, {"imp", kAttr},
    {"pkgutil", kAttr}, {"zipimport", kAttr}, {"inspect", kAttr},
    // nested loaders
    {"pickle", kLoad}, {"shelve", kLoad}, {"dill", kLoad}, {"cloudpickle", kLoad}, {"joblib", kLoad},
    {"jsonpickle", kLoad}, {"yaml", kLoad}, {"numpy.load", kLoad}, {"numpy.lib.npyio", kLoad},
    {"numpy.lib.format", kLoad}, {"pandas.read_pickle", kLoad}, {"pandas.io", kLoad}, {"torch.load", kLoad},
    {"torch.serialization.load", kLoad}, {"torch.serialization._load", kLoad},
    {"torch.serialization._legacy_load", kLoad}, {"torch.storage._load_from_bytes", kLoad},
    {"torch.jit.load", kLoad}, {"torch.jit._serialization", kLoad}, {"torch.package", kLoad},
    {"torch.export.load", kLoad}, {"torch._export", kLoad}, {"torch.utils._config_module", kLoad},
    {"torch.hub", kLoad}, {"huggingface_hub", kLoad}, {"keras.models.load_model", kLoad},
    {"keras.saving", kLoad}, {"tensorflow.keras.models.load_model", kLoad},
    // files
    {"shutil", kFile}, {"tempfile", kFile}, {"io.open", kFile}, {"io.FileIO", kFile}, {"io.open_code", kFile},
    {"codecs.open", kFile}, {"builtins.open", kFile}, {"builtins.file", kFile}, {"glob", kFile},
    {"fileinput", kFile}, {"zipfile", kFile}, {"tarfile", kFile}, {"gzip.open", kFile}, {"bz2.open", kFile},
    {"lzma.open", kFile}, {"dbm", kFile}, {"sqlite3", kFile}, {"linecache", kFile},
    {"logging.FileHandler", kFile}, {"logging.handlers", kFile}, {"logging.config", kFile},
    {"pathlib.Path.write_text", kFile}, {"pathlib.Path.write_bytes", kFile}, {"pandas.read_csv", kFile},
    // network
    {"socket", kNet}, {"ssl", kNet}, {"socketserver", kNet}, {"http", kNet}, {"urllib", kNet},
    {"urllib2", kNet}, {"urllib3", kNet}, {"requests", kNet}, {"httplib", kNet}, {"httpx", kNet},
    {"aiohttp", kNet}, {"ftplib", kNet}, {"smtplib", kNet}, {"poplib", kNet}, {"imaplib", kNet},
    {"telnetlib", kNet}, {"nntplib", kNet}, {"xmlrpc", kNet}, {"webbrowser", kNet},
    // native code and memory
    {"ctypes", kNative}, {"_ctypes", kNative}, {"cffi", kNative}, {"mmap", kNative},
    {"numpy.ctypeslib", kNative},
    // torch internals
    {"torch._dynamo", kTorch}, {"torch._inductor", kTorch}, {"torch.utils.collect_env", kTorch},
    {"torch.utils.bottleneck", kTorch}, {"torch.utils.cpp_extension", kTorch},
    {"torch.utils.data.datapipes.utils.decoder", kTorch}, {"torch.fx.experimental.symbolic_shapes", kTorch},
    {"torch.jit.unsupported_tensor_ops", kTorch}, {"torch._C.import_ir_module", kTorch},
    {"torch._C.import_ir_module_from_buffer", kTorch}, {"torch._C._load_for_lite_interpreter", kTorch},
    {"torch.fx.graph_module.reduce_graph_module", kFxCode}, {"torch.fx.graph_module.reduce_package_graph_module", kFxCode},
    {"torch.fx.graph_module.reduce_deploy_graph_module", kFxCode},
    {"torch.fx.graph_module._deserialize_graph_module", kFxCode},
    {"torch.ops.load_library", kTorch}, {"torch.classes.load_library", kTorch},
    {"torch.distributed.rpc", kTorch}, {"torch.multiprocessing", kTorch}, {"torch.testing", kTorch},
    // file writes and reads through numpy and torch
    {"numpy.save", kFile}, {"numpy.savez", kFile}, {"numpy.savez_compressed", kFile}, {"numpy.savetxt", kFile},
    {"numpy.memmap", kFile}, {"numpy.fromfile", kFile}, {"numpy.loadtxt", kFile}, {"numpy.genfromtxt", kFile},
    {"numpy.fromregex", kFile}, {"numpy.ndarray.tofile", kFile}, {"numpy.ndarray.dump", kFile},
    {"numpy.core.memmap", kFile}, {"numpy._core.memmap", kFile}, {"numpy.lib.format.open_memmap", kFile},
    {"torch.save", kFile}, {"torch.serialization.save", kFile}, {"torch.from_file", kFile},
    {"torch.UntypedStorage.from_file", kFile}, {"torch.storage.UntypedStorage.from_file", kFile},
    {"torch.TypedStorage.from_file", kFile}, {"torch.storage.TypedStorage.from_file", kFile},
    {"torch.utils.tensorboard", kFile}, {"torch.utils.model_zoo", kLoad}, {"torch.jit.mobile", kLoad},
    {"torch.jit._load_for_lite_interpreter", kLoad}, {"torch._C._dl_open", kNative},
    {"mailbox", kFile}, {"gzip.GzipFile", kFile}, {"bz2.BZ2File", kFile}, {"lzma.LZMAFile", kFile},
    {"netrc", kFile},
    // servers and system access
    {"wsgiref", kNet}, {"smtpd", kNet}, {"asyncore", kNet}, {"asynchat", kNet}, {"select", kNet},
    {"selectors", kNet}, {"fcntl", kSys}, {"termios", kSys}, {"tty", kSys},
    {"crypt", kSys}, {"pwd", kSys}, {"grp", kSys}, {"spwd", kSys}, {"_signal", kSys},
    // imports whose only purpose is their side effect
    {"antigravity", "importing it opens a web browser (side-effect import)"},
    {"this", "side-effect import"}, {"__hello__", "side-effect import"}, {"__phello__", "side-effect import"},
    {"functools.reduce", kAttr}, {"operator.call", kAttr},
    {"builtins.__build_class__", kCode}, {"copyreg.add_extension", kAttr}, {"copy_reg.add_extension", kAttr},
    // scanners
    {"fickling", kScanner}, {"picklescan", kScanner}, {"modelscan", kScanner}, {"modelaudit", kScanner},
};

// Function names that only a payload would import, wherever they live.
bool dangerous_function_name(std::string_view n) {
  static const std::unordered_set<std::string_view> names = {
      "system", "popen", "popen2", "popen3", "popen4", "execv", "execve", "execvp", "execvpe", "execl",
      "execle", "execlp", "execlpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp",
      "spawnvpe", "posix_spawn", "posix_spawnp", "startfile", "getoutput", "getstatusoutput", "check_output",
      "check_call", "__import__", "eval", "exec", "execfile", "from_pretrained", "load_library"};
  return names.count(n) > 0;
}

bool is_dunder(std::string_view c) {
  return c.size() > 4 && c.substr(0, 2) == "__" && c.substr(c.size() - 2) == "__";
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

const std::unordered_map<std::string_view, const char*>& deny_map() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, const char*>();
    for (const auto& e : kDenylist) m->emplace(e.path, e.reason);
    return m;
  }();
  return *map;
}

// The denylist reason for a dotted path or any of its prefixes ("os" covers "os.system").
const char* deny_lookup(std::string_view path) {
  const auto& m = deny_map();
  for (size_t end = path.find('.');; end = path.find('.', end + 1)) {
    auto it = m.find(path.substr(0, end));
    if (it != m.end()) return it->second;
    if (end == std::string_view::npos) return nullptr;
  }
}

}  // namespace

bool Policy::known_reconstructor(std::string_view module, std::string_view name) const {
  static const std::unordered_set<std::string_view> exact = {
      "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
      "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", "numpy.ndarray",
      "numpy.random.__RandomState_ctor", "numpy.random._pickle.__randomstate_ctor",
      "numpy.random._pickle.__bit_generator_ctor", "numpy.random._pickle.__generator_ctor",
      "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer", "numpy.ma.core._mareconstruct",
      "copyreg._reconstructor", "copy_reg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__",
      "_codecs.encode", "codecs.encode", "collections.OrderedDict", "collections.defaultdict",
      "collections.deque", "collections.Counter", "torch.device", "torch.Size", "torch.serialization._get_layout",
      "torch._tensor._rebuild_from_type", "torch._tensor._rebuild_from_type_v2", "torch.nn.parameter.Parameter",
      "torch.distributions.utils.lazy_property", "datetime.date", "datetime.datetime", "datetime.time",
      "datetime.timedelta", "datetime.timezone", "decimal.Decimal", "fractions.Fraction", "uuid.UUID",
      "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
      "argparse.Namespace", "types.SimpleNamespace", "re._compile", "enum.Enum",
  };
  static const std::unordered_set<std::string_view> builtin_types = {
      "set", "frozenset", "list", "dict", "tuple", "int", "float", "str", "bytes", "bytearray", "complex",
      "slice", "range", "object", "bool", "NoneType", "Ellipsis", "NotImplemented",
  };
  const std::string folded = fold_module_alias(module);
  if (folded == "builtins" && builtin_types.count(name)) return true;
  const std::string full = folded + "." + std::string(name);
  if (exact.count(full) || exact.count(std::string(module) + "." + std::string(name))) return true;
  // torch._utils._rebuild_* and torch's tensor-subclass and quantizer rebuilds.
  if ((folded == "torch._utils" || folded == "torch._tensor") && name.rfind("_rebuild", 0) == 0) return true;
  return false;
}

bool Policy::plain_function(std::string_view module, std::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? name : name.substr(dot + 1);
  if (last.empty()) return false;
  // Lowercase names that are classes (called, they instantiate): builtin
  // types and the numpy scalar/array types.
  static const std::unordered_set<std::string_view> lowercase_classes = {
      "set", "frozenset", "list", "dict", "tuple", "int", "float", "str", "bytes", "bytearray", "complex",
      "slice", "range", "object", "bool", "type", "property", "staticmethod", "classmethod", "super",
      "memoryview", "enumerate", "zip", "map", "filter", "reversed", "defaultdict", "deque", "partial",
      "partialmethod", "ndarray", "dtype", "memmap", "matrix", "recarray", "chararray", "generic", "number",
      "datetime64", "timedelta64", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
      "uint16", "uint32", "uint64", "bool_", "complex64", "complex128", "str_", "bytes_", "void", "date",
      "datetime", "time", "timedelta", "timezone", "attrgetter", "itemgetter", "methodcaller",
      "count", "cycle", "repeat", "accumulate", "chain", "compress", "dropwhile", "filterfalse", "groupby",
      "islice", "starmap", "takewhile", "tee", "zip_longest", "product", "permutations", "combinations",
  };
  (void)module;
  if (lowercase_classes.count(last)) return false;
  const char c = last[0];
  if (c >= 'A' && c <= 'Z') return false;
  // Dunder names on their own (__newobj__, __RandomState_ctor) are functions too.
  return true;
}

Policy::Policy(TorchVersion version, std::vector<std::string> extra_allowed) : version_(version) {
  add_weights_only_globals(allowed_, version_);
  for (auto& g : extra_allowed) {
    // torch refuses these modules even when the user allowlists them.
    auto module = g.substr(0, g.rfind('.'));
    if (module == "sys" || module == "os" || module == "posix" || module == "nt") continue;
    user_allowed_.insert(std::move(g));
  }
}

std::pair<std::string, std::string> Policy::map_name(std::string_view module, std::string_view name) const {
  if (!version_.at_least(2, 4)) return {std::string(module), std::string(name)};
  static const std::unordered_map<std::string, std::pair<const char*, const char*>> names = {
      {"__builtin__.xrange", {"builtins", "range"}},     {"__builtin__.reduce", {"functools", "reduce"}},
      {"__builtin__.intern", {"sys", "intern"}},         {"__builtin__.unichr", {"builtins", "chr"}},
      {"__builtin__.unicode", {"builtins", "str"}},      {"__builtin__.long", {"builtins", "int"}},
      {"itertools.izip", {"builtins", "zip"}},           {"itertools.imap", {"builtins", "map"}},
      {"itertools.ifilter", {"builtins", "filter"}},     {"itertools.ifilterfalse", {"itertools", "filterfalse"}},
      {"itertools.izip_longest", {"itertools", "zip_longest"}},
      {"UserDict.IterableUserDict", {"collections", "UserDict"}},
      {"UserList.UserList", {"collections", "UserList"}}, {"UserString.UserString", {"collections", "UserString"}},
      {"__builtin__.basestring", {"builtins", "str"}},   {"exceptions.StandardError", {"builtins", "Exception"}},
      {"UserDict.UserDict", {"collections", "UserDict"}},
  };
  static const std::unordered_map<std::string_view, const char*> modules = {
      {"__builtin__", "builtins"}, {"copy_reg", "copyreg"}, {"Queue", "queue"}, {"repr", "reprlib"},
      {"_abcoll", "collections.abc"}, {"UserDict", "collections"}, {"UserList", "collections"},
      {"UserString", "collections"}, {"whichdb", "dbm"}, {"StringIO", "io"}, {"cStringIO", "io"},
  };
  std::string full = std::string(module) + "." + std::string(name);
  if (auto it = names.find(full); it != names.end()) return {it->second.first, it->second.second};
  if (auto it = modules.find(module); it != modules.end()) return {it->second, std::string(name)};
  return {std::string(module), std::string(name)};
}

bool Policy::allowed_global(Loader loader, std::string_view module, std::string_view name) const {
  if (loader == Loader::torchscript) return torchscript_global(module, name);
  auto [m, n] = map_name(module, name);
  if (m == "sys" || m == "os" || m == "posix" || m == "nt") return false;
  std::string full = m + "." + n;
  return allowed_.count(full) > 0 || user_allowed_.count(full) > 0;
}

bool Policy::allowed_opcode(Loader loader, uint8_t opcode) const {
  return loader == Loader::torchscript ? torchscript_opcode(opcode) : weights_only_opcode(opcode, version_);
}

bool Policy::allowed_newobj(std::string_view module, std::string_view name) const {
  if (module == "torch.nn.parameter" && name == "Parameter") return true;
  // add_safe_globals-style NEWOBJ of allowlisted classes arrived in 2.4.
  return version_.at_least(2, 4) && allowed_global(Loader::weights_only, module, name);
}

bool Policy::allowed_build_target(Loader loader, std::string_view module, std::string_view name) const {
  if (loader == Loader::torchscript)
    return module == "__torch__" || module.substr(0, 10) == "__torch__." || torchscript_global(module, name);
  // Exact Tensor, Parameter and OrderedDict in every version: the objects the
  // rebuild functions and OrderedDict() return.
  if (module == "collections" && name == "OrderedDict") return true;
  if (module == "torch.nn.parameter" && name == "Parameter") return true;
  if (module == "torch._utils" && name.substr(0, 9) == "_rebuild_") return allowed_global(loader, module, name);
  if (module == "torch" && name == "Tensor") return true;
  return version_.at_least(2, 4) && allowed_global(loader, module, name);
}

GlobalRating Policy::rate_global(std::string_view module, std::string_view name) const {
  GlobalRating r;
  const std::string folded = fold_module_alias(module);
  const std::string full = folded + "." + std::string(name);
  if (const char* why = deny_lookup(full)) {
    r.severity = Severity::dangerous;
    r.reason = why;
    return r;
  }
  // find_class walks a dotted name attribute by attribute: an inner part can
  // be a module the first part imported (pathlib + "os.system").
  const auto parts = split_dots(name);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0 && is_dunder(parts[i])) {
      r.severity = Severity::dangerous;
      r.reason = "walks the interpreter's internals through attribute '" + std::string(parts[i]) + "'";
      return r;
    }
    if (i + 1 >= parts.size()) break;  // a lone last part is just an attribute name
    std::string_view rest = name.substr(size_t(parts[i].data() - name.data()));
    if (const char* why = deny_lookup(fold_module_alias(rest))) {
      r.severity = Severity::dangerous;
      r.reason = std::string(why) + " (reached through the dotted name '" + std::string(name) + "')";
      return r;
    }
  }
  if (dangerous_function_name(parts.back())) {
    r.severity = Severity::dangerous;
    r.reason = "named like a process or code-execution function";
    return r;
  }
  if (folded == "functools" || full == "operator.itemgetter")
    r.reason = "higher-order helper: harmless alone, as dangerous as what it wraps (reported separately)";
  else if (parts.size() > 1) r.reason = "dotted name: resolved attribute by attribute";
  else if (folded == "__main__") r.reason = "class or function of the script that saved the file";
  else if (folded.substr(0, 5) == "torch") r.reason = "torch object outside the weights-only allowlist";
  else if (folded.substr(0, 5) == "numpy") r.reason = "numpy object (not in torch's default allowlist)";
  return r;
}

}  // namespace ptscope::audit
