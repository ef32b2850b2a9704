// Embedding lookups. No arithmetic; bytes count the rows actually gathered
// (one row per index), not the whole table.
#include "graph/op_rules.h"

namespace ptscope::graph::rules {

void register_embedding_ops(OpRegistry& r) {
  def(r, "aten::embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool scale_grad_by_freq=False, bool sparse=False) -> Tensor",
      OpCategory::embedding,
      [](const Args& a) {
        const TensorMeta &w = tensor(a, 0), &idx = tensor(a, 1);
        if (w.shape.size() != 2) fail("'weight' must be 2-D, got " + shape_str(w.shape));
        if (idx.dtype != DType::int64 && idx.dtype != DType::int32)
          fail("expected indices of type Long or Int, got " + std::string(dtype_name(idx.dtype)));
        Shape out = idx.shape;
        out.push_back(w.shape[1]);
        return one(out, w.dtype);
      },
      [](const Args& a, const Outs& o) {
        OpCost c;
        c.bytes_read = tensor(a, 1).nbytes() + o[0].nbytes();
        c.bytes_written = o[0].nbytes();
        return c;
      })
      .saves = saves_args({1});  // embedding_dense_backward reads the indices
  def(r, "aten::one_hot(Tensor self, int num_classes=-1) -> Tensor", OpCategory::embedding, [](const Args& a) {
    const TensorMeta& x = tensor(a, 0);
    if (x.dtype != DType::int64) fail("one_hot is only applicable to index tensors of type int64");
    const int64_t n = int_arg(a, 1);
    if (n < 0)
      throw Error(ErrorCode::unsupported, "one_hot with num_classes=-1 takes its size from the tensor values");
    Shape out = x.shape;
    out.push_back(n);
    return one(out, DType::int64);
  });
}

}  // namespace ptscope::graph::rules
