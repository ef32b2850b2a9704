// The rule catalogue: ids are stable (waivers and SARIF refer to them), so a
// rule is never renumbered; retired ones would stay listed.
#include "audit/audit.h"

namespace ptscope::audit {

const std::vector<RuleInfo>& audit_rules() {
  using S = Severity;
  static const std::vector<RuleInfo> rules = {
      // pickle content
      {"PTS100", "non-allowlisted-global", S::suspicious, "Import of a global outside the weights-only allowlist",
       "torch.load(weights_only=True) refuses this global, and an unrestricted load imports it. Classes of "
       "your own code appear here when a whole object (not a state_dict) was saved; save state_dicts instead, "
       "or allowlist the class with --allow-global if you trust it."},
      {"PTS101", "dangerous-global", S::dangerous, "Import of a known code-execution, file, network or loader gadget",
       "The pickle imports a function that runs commands, code, native libraries, network or file I/O, or "
       "another unrestricted loader. Loading it with weights_only=False runs that function. Do not load it."},
      {"PTS102", "dynamic-import", S::dangerous, "STACK_GLOBAL with computed module or name",
       "The module or name of an import is not a constant string but the result of a call or another "
       "computed value: the import cannot be known statically, which only payloads do."},
      {"PTS103", "dotted-name", S::suspicious, "Global with a dotted name",
       "Pickle resolves 'a.b.c' attribute by attribute, so a dotted name can reach objects its module only "
       "imported. Nested classes produce such names legitimately; torch's allowlist never does."},
      {"PTS104", "ext-opcode", S::dangerous, "EXT1/EXT2/EXT4 import through the copyreg extension registry",
       "The object is named by a number in copyreg's registry instead of by name; no model writer uses this "
       "and the target cannot be checked."},
      {"PTS110", "call", S::suspicious, "Call of a callable outside the allowlist (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST)",
       "This is where unpickling runs code: the callable is invoked with arguments from the file. Dangerous "
       "when the callable is a known gadget or is itself computed."},
      {"PTS111", "build-state", S::suspicious, "BUILD with state on a type outside the allowlist",
       "BUILD calls __setstate__ or sets attributes (also on classes and modules). State keys such as "
       "__setstate__ plant a callable that a second BUILD invokes."},
      {"PTS112", "opcode", S::suspicious, "Opcode the weights-only unpickler does not accept",
       "torch.load(weights_only=True) stops at this opcode (protocol 4+ framing, INST/OBJ, EXT, text "
       "opcodes, ...). Files from torch.save with the default protocol 2 never contain it."},
      {"PTS113", "container-mutation", S::suspicious, "APPEND/SETITEM on something other than a list or dict",
       "The mutation calls the target's own append/__setitem__. On a tensor it writes out of bounds in "
       "torch <= 2.9 (CVE-2026-24747)."},
      {"PTS114", "persistent-id", S::suspicious, "Persistent id that is not a torch storage reference",
       "torch resolves persistent ids only of the form ('storage', type, key, location, numel)."},
      {"PTS115", "storage-size", S::dangerous, "Storage larger than its data record, or the record is missing",
       "A storage that claims more elements than its record holds reads past the buffer in torch <= 2.9 "
       "(CVE-2026-24747); torch >= 2.10 refuses the file."},
      {"PTS116", "tensor-bounds", S::dangerous, "Tensor view outside its storage",
       "storage_offset + sum((size-1)*stride) reaches past the storage, or a size, stride or offset is "
       "negative: an out-of-bounds read primitive; or a sparse tensor whose indices leave its declared "
       "size (torch rebuilds it with check_invariants=False: CVE-2025-62164)."},
      {"PTS117", "frame", S::dangerous, "Opcode argument straddles a FRAME boundary, or FRAMEs nest",
       "Readers that honour frames and readers that ignore them see different opcodes here: a scanner "
       "evasion technique."},
      {"PTS118", "proto", S::info, "Missing, repeated or misplaced PROTO, or protocol other than 2",
       "torch.save writes protocol 2 with one PROTO at the start; anything else is rewritten or hand-made."},
      {"PTS119", "expansion", S::suspicious, "Resource exhaustion: shared-reference expansion or a hard limit",
       "The pickle references the same values so often that walking it expands enormously (billion "
       "laughs), or it exceeds the scanner's opcode, memo or nesting limits."},
      {"PTS120", "parse-error", S::suspicious, "Malformed pickle",
       "The pickle cannot be decoded to its STOP. Everything before the error was still analysed; the "
       "rest could not be, so the file is reported as an error (exit 2)."},
      {"PTS121", "payload-before-error", S::dangerous, "Imports or calls before a parse error",
       "Unpickling runs opcodes as it reads them: the imports and calls before the error have already "
       "happened when the loader fails (the 'broken pickle' trick of nullifAI)."},
      {"PTS122", "trailing-data", S::suspicious, "Data after the pickle's STOP",
       "torch.load reads one pickle; other tools read on. Further pickles found there are scanned too."},
      {"PTS123", "nested-payload", S::suspicious, "Pickle or archive embedded in a string or bytes constant",
       "A constant holds another pickle or zip (possibly base64). It is scanned as well; it only runs if "
       "something loads it, which a nested-loader call would do."},
      {"PTS124", "discarded-call", S::suspicious, "Result of a call is discarded",
       "The object a call created is not part of the unpickled value: the call ran only for its side effect."},
      // file kind
      {"PTS200", "torchscript", S::suspicious, "TorchScript archive: contains code",
       "torch.jit.load compiles and runs the code/ files. torch.load(weights_only=True) refuses TorchScript "
       "since 2.6; up to 2.5 it dispatched to torch.jit.load (CVE-2025-32434)."},
      {"PTS201", "torch-package", S::suspicious, "torch.package archive: contains Python source",
       "torch.package imports the Python modules stored in the archive when it loads it."},
      {"PTS202", "exported-program", S::suspicious, "torch.export (.pt2) archive: contains a serialized program",
       "torch.export.load reconstructs and runs a graph; not a weights-only file."},
      {"PTS203", "legacy-tar", S::suspicious, "Legacy tar checkpoint (torch <= 0.3)",
       "weights_only=True refuses the tar format, and an unrestricted load unpickles every member."},
      {"PTS204", "mobile-flatbuffer", S::suspicious, "Mobile flatbuffer module: contains bytecode",
       "A lite-interpreter module; torch.load cannot read it, torch.jit.load runs its bytecode."},
      {"PTS205", "not-torch-loadable", S::info, "torch.load cannot load this file",
       "The bytes are not a valid torch.save file (no data.pkl, bad magic, not in a subdirectory, ...)."},
      {"PTS206", "legacy-header", S::info, "Legacy stream header is not the torch magic and protocol",
       "torch.load unpickles the first pickle before it checks the magic number, so whatever that pickle "
       "does happens anyway."},
      {"PTS207", "not-a-model", S::info, "Not a PyTorch file or pickle",
       "Neither a zip, a tar nor a pickle stream: torch.load fails on the first byte. Not scanned further."},
      {"PTS208", "compressed", S::info, "Compressed file that torch.load cannot read",
       "gzip/bzip2/xz/zstd/7z: torch.load does not decompress. gzip is decompressed and scanned; others not."},
      {"PTS209", "legacy-layout", S::suspicious, "Legacy stream or tar storage layout does not add up",
       "The raw storage records after the pickles do not match the storages the pickles declare."},
      {"PTS210", "load-time-code", S::dangerous, "TorchScript or mobile code run at load touches files or custom ops",
       "A __setstate__ (and what it calls) or mobile bytecode uses aten::from_file (maps a file, writable when "
       "shared) or an op of a custom namespace: torch.jit.load runs it. aten::from_file anywhere in the code is "
       "reported too."},
      {"PTS230", "safetensors", S::info, "safetensors file: cannot carry code",
       "A JSON header and raw tensor bytes, nothing is unpickled or run. The header is validated as the "
       "safetensors reader does; a malformed one is an error. torch.load cannot read it (safetensors.torch can)."},
      // zip container
      {"PTS300", "zip-name-mismatch", S::dangerous, "Local header name differs from the central directory name",
       "torch uses the central name; Python's zipfile refuses the member (CVE-2025-1944): a scanner evasion."},
      {"PTS301", "zip-duplicate", S::dangerous, "Duplicate member names",
       "Different readers pick different copies; torch's choice depends on the directory layout."},
      {"PTS302", "zip-case", S::suspicious, "Names that differ only in case, or a pickle found only case-insensitively",
       "torch looks records up case-insensitively (DATA.PKL is loaded as data.pkl); exact-name scanners miss it."},
      {"PTS303", "zip-outside-prefix", S::suspicious, "Member outside the archive's top folder",
       "torch takes the folder from the first entry and ignores or rejects the rest."},
      {"PTS304", "zip-unsafe-path", S::suspicious, "Absolute member path or '..' segment",
       "Extracting the archive writes outside the target folder (zip slip)."},
      {"PTS305", "zip-overlap", S::suspicious, "Members overlap each other or the central directory",
       "Overlapping data is how zip bombs and hidden members are built."},
      {"PTS306", "zip-concatenated", S::dangerous, "More than one zip archive in the file",
       "torch reads the first archive's data, Python's zipfile the last: each sees a different model."},
      {"PTS307", "zip-extra-bytes", S::suspicious, "Bytes before, between or after the zip structures",
       "torch.save leaves no gaps; unreferenced bytes can hide a payload."},
      {"PTS308", "zip-hidden-member", S::dangerous, "Local header not referenced by the central directory",
       "A member that tools walking local headers see and torch does not (or the reverse)."},
      {"PTS309", "zip-encrypted", S::suspicious, "Encryption or patch flags set",
       "torch refuses such members (miniz); tools that crash on them fail open. Unreadable: exit 2."},
      {"PTS310", "zip-bomb", S::suspicious, "Compression ratio above the bound",
       "The member is not inflated (decompression bomb); it is reported as unreadable."},
      {"PTS311", "zip-crc", S::suspicious, "CRC-32 mismatch",
       "torch ignores CRCs, Python's zipfile refuses the member (CVE-2025-10156)."},
      {"PTS312", "zip-method", S::suspicious, "Compression method other than stored or deflate",
       "torch cannot read the member; other tools may. Unreadable here: exit 2."},
      {"PTS313", "zip-header-mismatch", S::suspicious, "Local and central headers disagree (method, flags)",
       "Readers that trust the local header see another member than torch."},
      {"PTS314", "zip-nested-archive", S::suspicious, "Member that is itself an archive",
       "Scanned recursively; torch never opens it, other tools might. (info inside .pt2 archives, which embed "
       "torch.save files by design)"},
  };
  return rules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const auto& r : audit_rules())
    if (id == r.id) return &r;
  return nullptr;
}

}  // namespace ptscope::audit
