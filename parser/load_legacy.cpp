// Pre-1.6 torch.save: a stream of pickles followed by raw storages, and the
// ancient tar layout (sys_info, pickle, storages, tensors members).
#include <cstring>
#include <map>

#include "core/error.h"
#include "parser/loaders.h"
#include "parser/naming.h"
#include "parser/tar_header.h"
#include "parser/torch_rebuild.h"

namespace ptscope {
namespace {

// LONG1 of 0x1950a86a20f9469cfc6c, little-endian.
constexpr uint8_t kMagicBytes[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

std::string key_string(const PyRef& v) {
  if (v && v->kind == PyKind::string) return v->s;
  if (v && v->kind == PyKind::integer) return std::to_string(v->i);
  throw Error(ErrorCode::corrupt, "storage key is neither a string nor an integer");
}

struct StreamCursor {
  ByteSpan data;
  uint64_t pos = 0;
  std::string context;
  std::shared_ptr<PyNodeTracker> tracker;

  PickleResult next_pickle(PickleOptions options = {}) {
    if (pos >= data.size()) throw Error(ErrorCode::truncated, context + ": stream ends before the next pickle");
    options.tracker = tracker;
    try {
      PickleResult r = unpickle(data.subspan(pos), options);
      pos += r.end_offset;
      return r;
    } catch (const Error& e) {
      throw Error(e.code(), context + " (pickle at offset " + std::to_string(pos) + "): " + e.what());
    }
  }
  int64_t read_i64() {
    if (data.size() - pos < 8) throw Error(ErrorCode::truncated, context + ": stream ends inside a storage header");
    int64_t v = int64_t(load_le64(data.data() + pos));
    pos += 8;
    return v;
  }
  int32_t read_i32() {
    if (data.size() - pos < 4) throw Error(ErrorCode::truncated, context + ": stream ends inside a tensor header");
    int32_t v = int32_t(load_le32(data.data() + pos));
    pos += 4;
    return v;
  }
};

// Fills a storage with `numel` elements read at the cursor (zero-copy slice).
void read_raw_storage(StreamCursor& cur, const std::shared_ptr<const MappedFile>& file, uint64_t base_offset,
                      Storage& s) {
  const int64_t numel = cur.read_i64();
  const size_t item = itemsize(s.dtype);
  if (numel < 0 || uint64_t(numel) > (cur.data.size() - cur.pos) / item)
    throw Error(ErrorCode::truncated, cur.context + ": storage '" + s.key + "' declares " + std::to_string(numel) +
                                          " elements but the file ends first");
  const uint64_t nbytes = uint64_t(numel) * item;
  if (s.declared_bytes && nbytes != s.declared_bytes)
    throw Error(ErrorCode::corrupt, cur.context + ": storage '" + s.key + "' holds " + std::to_string(nbytes) +
                                        " bytes but the pickle declares " + std::to_string(s.declared_bytes));
  s.declared_bytes = nbytes;
  s.file_offset = base_offset + cur.pos;
  s.data = file->slice(file, s.file_offset, nbytes);
  cur.pos += nbytes;
}

}  // namespace

void load_legacy_stream(std::shared_ptr<const MappedFile> file, const LoadOptions&, Model& model) {
  model.kind = FileKind::legacy_stream;
  StreamCursor cur{file->bytes(), 0, "legacy stream", model.pickle_nodes};
  PickleResult magic = cur.next_pickle();
  const PyRef& m = magic.value;
  const bool magic_ok = m && m->kind == PyKind::bigint && m->s.size() == sizeof kMagicBytes &&
                        std::equal(m->s.begin(), m->s.end(), reinterpret_cast<const char*>(kMagicBytes));
  if (!magic_ok) throw Error(ErrorCode::not_pytorch, "pickle stream does not start with torch's magic number");
  PickleResult proto = cur.next_pickle();
  if (!proto.value || proto.value->kind != PyKind::integer)
    throw Error(ErrorCode::corrupt, "legacy stream: protocol version is not an integer");
  model.format_version = proto.value->i;
  if (proto.value->i != 1001)
    throw Error(ErrorCode::unsupported, "legacy stream protocol version " + std::to_string(proto.value->i) + " (expected 1001)");
  PickleResult sys_info = cur.next_pickle();
  if (sys_info.value && sys_info.value->kind == PyKind::dict) {
    PyRef le = sys_info.value->get("little_endian");
    if (le && le->kind == PyKind::boolean) {
      model.producer_hints.push_back(std::string("written on a ") + (le->b ? "little" : "big") + "-endian host");
      model.byteorder = "little";  // storages are always written little-endian
    }
    if (PyRef sizes = sys_info.value->get("type_sizes"))
      if (PyRef l = sizes->get("long"); l && l->kind == PyKind::integer)
        model.producer_hints.push_back("C long was " + std::to_string(l->i) + " bytes on the writer");
  }

  // Storages are declared in the object pickle and their bytes follow it.
  TorchRebuilder rebuilder(false, &model.warnings);
  std::map<std::string, std::shared_ptr<Storage>> roots;
  struct View { std::shared_ptr<Storage> storage; std::string root; uint64_t offset; };
  std::vector<View> views;
  StorageResolver resolver;
  resolver.fetch = [&](const std::string& key, DType dtype, uint64_t declared, const std::string& location) {
    auto s = std::make_shared<Storage>();
    s->key = key;
    s->dtype = dtype;
    s->declared_bytes = declared;
    s->location = location;
    s->record = "storage " + key;
    roots[key] = s;
    return s;
  };
  PickleOptions po;
  po.persistent_load = [&](const PyRef& pid) -> PyRef {
    PyRef node = rebuilder.load_storage_pid(pid, resolver);
    // 6th field: (view_key, offset, size) for pre-0.4 storage views.
    if (pid->kind == PyKind::tuple && pid->items.size() >= 6 && pid->items[5]->kind == PyKind::tuple &&
        pid->items[5]->items.size() >= 3 && node->kind == PyKind::storage) {
      const auto& vm = pid->items[5]->items;
      auto v = std::make_shared<Storage>(*node->storage);
      v->key = key_string(vm[0]);
      int64_t off = vm[1]->kind == PyKind::integer ? vm[1]->i : 0;
      int64_t size = vm[2]->kind == PyKind::integer ? vm[2]->i : 0;
      if (off < 0 || size < 0) throw Error(ErrorCode::corrupt, "legacy storage view with negative bounds");
      v->declared_bytes = uint64_t(size) * itemsize(v->dtype);
      views.push_back({v, node->storage->key, uint64_t(off) * itemsize(v->dtype)});
      return storage_value(v);
    }
    return node;
  };
  PickleResult object = cur.next_pickle(po);
  model.pickle_protocol = object.protocol;
  PickleResult keys = cur.next_pickle();
  if (!keys.value || keys.value->kind != PyKind::list)
    throw Error(ErrorCode::corrupt, "legacy stream: storage key list is not a list");
  for (const auto& k : keys.value->items) {
    const std::string key = key_string(k);
    auto it = roots.find(key);
    if (it == roots.end()) throw Error(ErrorCode::corrupt, "legacy stream: storage '" + key + "' is not referenced by the object");
    read_raw_storage(cur, file, 0, *it->second);
    model.records.push_back("storage " + key);
  }
  for (const auto& [key, s] : roots)
    if (s->data.size() == 0 && s->declared_bytes) throw Error(ErrorCode::corrupt, "legacy stream: storage '" + key + "' has no data");
  for (auto& v : views) {
    const Storage& root = *roots.at(v.root);
    if (v.offset > root.data.size() || v.storage->declared_bytes > root.data.size() - v.offset)
      throw Error(ErrorCode::corrupt, "legacy stream: storage view '" + v.storage->key + "' exceeds its root");
    v.storage->data = Blob{root.data.bytes.subspan(v.offset, v.storage->declared_bytes), root.data.owner};
    v.storage->file_offset = root.file_offset + v.offset;
  }
  if (cur.pos != file->size())
    model.warnings.push_back(std::to_string(file->size() - cur.pos) + " bytes follow the last storage");
  rebuilder.rebuild(object.value);
  model.object = object.value;
  model.root = name_saved_object(model.object, model.tensors);
}

namespace {

// A member's data as torch reads it (TarFile.getmember: the last member of
// that name wins), from the listing Python's tarfile would make.
struct TarData {
  std::string name;
  uint64_t offset = 0, size = 0;
};

std::vector<TarData> list_tar(ByteSpan data) {
  const TarListing listing = list_tar_members(data);
  if (listing.end == TarListing::End::read_error)
    throw Error(ErrorCode::corrupt, "tar listing fails as in Python's tarfile: " + listing.error);
  if (listing.end == TarListing::End::limit) throw Error(ErrorCode::limit_exceeded, "too many tar members");
  std::vector<TarData> members;
  for (const auto& m : listing.members) {
    if (m.available < m.size)
      throw Error(ErrorCode::truncated, "tar member '" + m.name + "' runs past the end of the file");
    if (m.has_data()) members.push_back({m.name, m.data_offset, m.size});
  }
  return members;
}

// The members 'storages' and 'tensors' hold a pickled record count, then
// per record a pickled header tuple and raw data.
int64_t record_count(StreamCursor& cur, const std::string& member) {
  PickleResult count = cur.next_pickle();
  if (!count.value || count.value->kind != PyKind::integer || count.value->i < 0)
    throw Error(ErrorCode::corrupt, "tar '" + member + "': count is not a non-negative integer");
  return count.value->i;
}

PyRef record_header(StreamCursor& cur, const std::string& member, size_t min_items, const std::string& layout) {
  PickleResult header = cur.next_pickle();
  if (!header.value || header.value->kind != PyKind::tuple || header.value->items.size() < min_items)
    throw Error(ErrorCode::corrupt, "tar '" + member + "': " + layout);
  return header.value;
}

}  // namespace

void load_legacy_tar(std::shared_ptr<const MappedFile> file, const LoadOptions&, Model& model) {
  model.kind = FileKind::legacy_tar;
  std::vector<TarData> members = list_tar(file->bytes());
  auto member = [&](const std::string& name) -> const TarData& {
    for (auto it = members.rbegin(); it != members.rend(); ++it)
      if (it->name == name) return *it;
    throw Error(ErrorCode::corrupt, "legacy tar file has no '" + name + "' member");
  };
  for (const auto& m : members) model.records.push_back(m.name);
  model.byteorder = "little";

  std::map<std::string, PyRef> objects;  // storages and tensors by key
  TorchRebuilder rebuilder(false, &model.warnings);
  {
    const TarData& m = member("storages");
    StreamCursor cur{file->bytes().subspan(m.offset, m.size), 0, "tar member 'storages'", model.pickle_nodes};
    const int64_t count = record_count(cur, "storages");
    for (int64_t i = 0; i < count; ++i) {
      const PyRef header = record_header(cur, "storages", 3, "storage header is not (key, location, type)");
      auto s = std::make_shared<Storage>();
      s->key = key_string(header->items[0]);
      s->location = header->items[1]->kind == PyKind::string ? header->items[1]->s : "";
      s->dtype = storage_dtype_of(header->items[2]);
      s->record = "storages:" + s->key;
      read_raw_storage(cur, file, m.offset, *s);
      objects[s->key] = storage_value(s);
    }
    PickleResult views = cur.next_pickle();
    if (views.value && views.value->kind == PyKind::list)
      for (const auto& v : views.value->items) {
        if (v->kind != PyKind::tuple || v->items.size() < 4) throw Error(ErrorCode::corrupt, "tar 'storages': malformed view");
        const std::string target = key_string(v->items[0]), root = key_string(v->items[1]);
        auto it = objects.find(root);
        if (it == objects.end()) throw Error(ErrorCode::corrupt, "tar storage view refers to unknown storage " + root);
        const Storage& r = *it->second->storage;
        const int64_t off = v->items[2]->kind == PyKind::integer ? v->items[2]->i : -1;
        const int64_t n = v->items[3]->kind == PyKind::integer ? v->items[3]->i : -1;
        const size_t item = itemsize(r.dtype);
        if (off < 0 || n < 0 || uint64_t(off) * item > r.data.size() || uint64_t(n) * item > r.data.size() - uint64_t(off) * item)
          throw Error(ErrorCode::corrupt, "tar storage view " + target + " exceeds its root");
        auto s = std::make_shared<Storage>(r);
        s->key = target;
        s->declared_bytes = uint64_t(n) * item;
        s->file_offset = r.file_offset + uint64_t(off) * item;
        s->data = Blob{r.data.bytes.subspan(uint64_t(off) * item, s->declared_bytes), r.data.owner};
        objects[target] = storage_value(s);
      }
  }
  {
    const TarData& m = member("tensors");
    StreamCursor cur{file->bytes().subspan(m.offset, m.size), 0, "tar member 'tensors'", model.pickle_nodes};
    const int64_t count = record_count(cur, "tensors");
    for (int64_t i = 0; i < count; ++i) {
      const PyRef header = record_header(cur, "tensors", 2, "tensor header is not (key, storage_id, type)");
      const std::string key = key_string(header->items[0]);
      const std::string storage_id = key_string(header->items[1]);
      auto it = objects.find(storage_id);
      if (it == objects.end() || it->second->kind != PyKind::storage)
        throw Error(ErrorCode::corrupt, "tar tensor " + key + " refers to unknown storage " + storage_id);
      const int32_t ndim = cur.read_i32();
      cur.read_i32();  // padding: ndim was once written as 8 bytes
      if (ndim < 0 || ndim > 64) throw Error(ErrorCode::corrupt, "tar tensor " + key + " has " + std::to_string(ndim) + " dims");
      auto t = std::make_shared<Tensor>();
      t->storage = it->second->storage;
      t->dtype = t->storage->dtype;
      t->rebuild = "legacy tar";
      for (int d = 0; d < ndim; ++d) t->shape.push_back(cur.read_i64());
      for (int d = 0; d < ndim; ++d) t->strides.push_back(cur.read_i64());
      t->storage_offset = cur.read_i64();
      // Reuse the rebuild checks by expressing the tensor as a v2 rebuild call.
      auto node = std::make_shared<PyValue>();
      node->kind = PyKind::tensor;
      node->tensor = t;
      bool ok = t->storage_offset >= 0;
      for (int d = 0; d < ndim; ++d) ok = ok && t->shape[d] >= 0 && t->strides[d] >= 0;
      if (!ok || t->min_storage_bytes() > t->storage->data.size())
        throw Error(ErrorCode::corrupt, "tar tensor " + key + " does not fit its storage");
      objects[key] = node;
    }
  }
  {
    const TarData& m = member("pickle");
    PickleOptions po;
    po.tracker = model.pickle_nodes;
    po.persistent_load = [&](const PyRef& pid) -> PyRef {
      if (pid && pid->kind == PyKind::tuple && !pid->items.empty()) return pid->items[0];  // ('module', cls, ...)
      const std::string key = key_string(pid);
      auto it = objects.find(key);
      if (it == objects.end()) throw Error(ErrorCode::corrupt, "tar pickle refers to unknown object " + key);
      return it->second;
    };
    PickleResult object;
    try {
      object = unpickle(file->bytes().subspan(m.offset, m.size), po);
    } catch (const Error& e) {
      throw Error(e.code(), std::string("tar member 'pickle': ") + e.what());
    }
    model.pickle_protocol = object.protocol;
    rebuilder.rebuild(object.value);
    model.object = object.value;
    model.root = name_saved_object(model.object, model.tensors);
  }
}

}  // namespace ptscope
