// Pickle analysis: runs our pickle VM (parser/pickle.h) symbolically with an
// observer on every opcode, so imports, calls and their operands are the
// values the stack really holds (memo, STRING operands, dotted names, EXT,
// FRAME tricks), then walks the resulting value graph for what only shows
// afterwards (mutated tensors, discarded calls, expansion, nested payloads).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/context.h"
#include "core/bytes.h"
#include "parser/pickle.h"

namespace ptscope::audit {

// One opcode as a linear disassembler sees it (no stack): used to recognise
// pickles and to keep listing imports past a point where the VM had to stop.
struct LinearOp {
  uint64_t offset = 0;
  uint8_t opcode = 0;
  uint64_t next = 0;        // offset of the following opcode
  std::string text1, text2; // GLOBAL/INST module and name; string operands
};
// Decodes the opcode at `pos`; nullopt for an unknown opcode or a truncated argument.
std::optional<LinearOp> decode_op(ByteSpan bytes, uint64_t pos);

// Starts like a pickle: PROTO 0-5, or a protocol 0/1 stream that decodes to a
// STOP and imports something. Cheap; used to pick members worth unpickling.
bool looks_like_pickle(ByteSpan bytes);

// A storage a pickle references through a persistent id.
struct StorageRef {
  std::string key;
  std::string type;      // "torch.FloatStorage", "torch.storage.UntypedStorage", ...
  int64_t numel = 0;     // elements of the storage's dtype (bytes for UntypedStorage)
  uint64_t itemsize = 0; // 0 when the type is unknown
  uint64_t offset = 0;   // of the BINPERSID opcode
};

// An index tensor of a sparse rebuild: a view into a storage record.
struct IndexView {
  std::string key;        // storage key
  std::string type;       // storage class: indices are torch.LongStorage or torch.IntStorage
  uint64_t itemsize = 0;
  int64_t offset = 0;     // in elements
  std::vector<int64_t> sizes, strides;
};

// A torch._utils._rebuild_sparse_tensor call whose index tensors are views of
// storages (what torch.save writes): checked against the records later
// (audit/sparse_check.h), because only the container can read the records.
struct SparseRef {
  std::string layout;                // "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc"
  std::vector<int64_t> size;         // the declared dense size
  std::vector<IndexView> indices;    // COO: {indices}; compressed: {compressed, plain}
  std::vector<int64_t> values_sizes; // empty when unknown
  uint64_t offset = 0;               // of the call, relative to the member
};

struct PickleJob {
  ByteSpan bytes;
  std::string member;     // label for findings
  std::string role;       // for the member report
  Loader loader = Loader::weights_only;
  // Designated pickles (data.pkl, legacy sections) must parse: a failure is
  // an error. Others were only guessed to be pickles: a failure without any
  // import means "not a pickle" and is dropped.
  bool designated = true;
  uint64_t base_offset = 0;  // added to reported offsets (pickles inside a larger section)
  bool report_member = true; // add a MemberReport entry
  bool table_pids = false;   // legacy tar 'pickle': persistent ids are plain keys into tables
};

struct PickleOutcome {
  bool parsed = false;          // reached STOP
  bool is_pickle = false;       // parsed, or imported something before failing
  uint64_t end = 0;             // offset just past STOP (relative to job.bytes)
  int protocol = -1;
  bool weights_only_ok = true;  // nothing the weights-only unpickler would refuse
  bool imports = false;         // any import or call of a non-allowlisted callable
  PyRef value;
  std::vector<StorageRef> storages;
  std::vector<SparseRef> sparse;
};

// Scans exactly one pickle starting at job.bytes[0].
PickleOutcome scan_pickle(Context& ctx, const PickleJob& job);

// Scans a pickle and, if bytes follow its STOP, reports them and scans any
// further pickles there (torch reads one; other loaders read on).
PickleOutcome scan_pickle_with_trailer(Context& ctx, const PickleJob& job);

// Bytes found inside something else that may be a pickle (not designated:
// dropped without a trace if they are not one), scanned with their trailer.
PickleOutcome scan_guessed_pickle(Context& ctx, ByteSpan bytes, const std::string& member, const std::string& role);

// Bounds check of a rebuilt tensor view: elements needed by
// offset + sum((size_i - 1) * stride_i) + 1, nullopt on overflow or a negative value.
std::optional<uint64_t> view_extent(int64_t offset, const std::vector<int64_t>& sizes,
                                    const std::vector<int64_t>& strides);

}  // namespace ptscope::audit
