#!/usr/bin/env python3
"""The metric set of `ptscope stats`, computed by torch, for bench/stats_bench.sh.

    /usr/bin/python3 bench/stats_torch.py --make FILE     # write a vgg16 state_dict (random init)
    /usr/bin/python3 bench/stats_torch.py FILE [--threads N]   # time torch on FILE, print JSON

Same metrics and conventions as docs/stats.md, written the way one would in torch: moments in
float64 on the float64 copy, numpy-style histogram via bucketize, fake quantization (int8/int4 per
tensor and per channel, int4 per group of 128), fp16/bf16 round trips, pruning quantiles by a sort,
channel norms, spectral norm by torch.linalg.matrix_norm(ord=2), zlib on the same 4 MiB samples
(zstd too when the `zstandard` module is installed). Times are wall seconds per phase.
"""
import argparse
import json
import math
import time
import zlib

import torch

BINS = 64
SAMPLE = 4 << 20
BLOCK = 64 << 10


def make_vgg16(path):
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.vgg16(weights=None)
    torch.save(model.state_dict(), path)


def core_metrics(t):
    w = t.detach().to(torch.float64).reshape(-1)
    fin = torch.isfinite(w)
    f = w[fin]
    n = f.numel()
    out = {"nan": int(torch.isnan(w).sum()), "inf": int(torch.isinf(w).sum()), "count": n}
    if n == 0:
        return out
    mean = f.mean()
    d = f - mean
    m2, m3, m4 = (d * d).mean(), (d ** 3).mean(), (d ** 4).mean()
    mags = f.abs()
    absmax = mags.max()
    energy = (f * f).sum()
    out.update(mean=float(mean), std=float(m2.sqrt()), std_unbiased=float(f.std()), min=float(f.min()),
               max=float(f.max()), l1=float(mags.sum()), l2=float(energy.sqrt()), rms=float((energy / n).sqrt()),
               skewness=float(m3 / m2 ** 1.5), kurtosis=float(m4 / m2 ** 2 - 3), zeros=int((f == 0).sum()),
               near_zero=int((mags <= 1e-6 * absmax).sum()))
    lo, hi = float(f.min()), float(f.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / BINS
    edges = torch.tensor([i * step + lo for i in range(1, BINS)], dtype=torch.float64)
    counts = torch.bincount(torch.bucketize(f, edges, right=True), minlength=BINS).to(torch.float64)
    p = counts[counts > 0] / n
    out["entropy_bits"] = float(-(p * p.log2()).sum())

    rows = w.where(fin, torch.zeros_like(w)).reshape(t.shape[0], -1) if t.dim() >= 2 else w.reshape(1, -1)

    def fq(x, amax, bits):
        qmax = 2 ** (bits - 1) - 1
        s = amax / qmax
        safe = torch.where(s == 0, torch.ones_like(s), s)
        q = torch.clamp(torch.round(x / safe), -qmax - 1, qmax) * safe
        return float(((x - q) ** 2).sum())

    def db(err):
        return math.inf if err == 0 else 10 * math.log10(float(energy) / err)

    row_amax = rows.abs().amax(dim=1, keepdim=True)
    out["sqnr_int8_tensor_db"] = db(fq(rows, absmax, 8))
    out["sqnr_int4_tensor_db"] = db(fq(rows, absmax, 4))
    out["sqnr_int8_channel_db"] = db(fq(rows, row_amax, 8))
    out["sqnr_int4_channel_db"] = db(fq(rows, row_amax, 4))
    r, c = rows.shape
    padded = torch.zeros(r, (c + 127) // 128 * 128, dtype=torch.float64)
    padded[:, :c] = rows
    groups = padded.reshape(r, -1, 128)
    out["sqnr_int4_group_db"] = db(fq(groups, groups.abs().amax(dim=2, keepdim=True), 4))
    f32 = f.to(torch.float32)
    out["sqnr_fp16_db"] = db(float(((f - f32.half().double()) ** 2).sum()))
    out["sqnr_bf16_db"] = db(float(((f - f32.bfloat16().double()) ** 2).sum()))
    out["outlier_ratio"] = float(absmax / (energy / n).sqrt())

    std = float(m2.sqrt())
    out["below_k_sigma"] = [float((mags < k * std).sum()) / n for k in (0.5, 1.0, 2.0)]
    ordered = torch.sort(mags).values
    sq = ordered * ordered
    cum = torch.cumsum(sq, 0)
    kept = []
    for s in (0.5, 0.7, 0.9):
        k = round(s * n)
        kept.append(float((energy - (cum[k - 1] if k > 0 else 0)) / energy))
    out["energy_kept"] = kept
    if t.dim() >= 2:
        l2 = rows.pow(2).sum(dim=1).sqrt()
        med = float(l2.median())
        out["dead_channels"] = int((l2 == 0).sum())
        out["near_dead_channels"] = int(((l2 > 0) & (l2 <= 0.01 * med)).sum())
    return out


def spectral(t):
    if t.dim() < 2:
        return None
    m = t.detach().reshape(t.shape[0], -1)
    return float(torch.linalg.matrix_norm(m, ord=2))  # in the tensor's own dtype, as one would call it


def compression(t):
    raw = t.detach().contiguous().numpy().tobytes()
    if len(raw) > SAMPLE:
        blocks = SAMPLE // BLOCK
        raw = b"".join(raw[(len(raw) - BLOCK) * b // (blocks - 1):][:BLOCK] for b in range(blocks))
    out = {"zlib_ratio": len(raw) / len(zlib.compress(raw, 6))}
    try:
        import zstandard
        out["zstd_ratio"] = len(raw) / len(zstandard.ZstdCompressor(level=3).compress(raw))
    except ImportError:
        pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--make", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.make:
        make_vgg16(a.file)
        return
    if a.threads:
        torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    sd = torch.load(a.file, map_location="cpu")
    tensors = [(k, v) for k, v in sd.items() if isinstance(v, torch.Tensor) and v.dtype.is_floating_point]
    t1 = time.perf_counter()
    res = {k: core_metrics(v) for k, v in tensors}
    t2 = time.perf_counter()
    spec = {k: spectral(v) for k, v in tensors}
    t3 = time.perf_counter()
    comp = {k: compression(v) for k, v in tensors}
    t4 = time.perf_counter()
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "load_s": t1 - t0,
                      "core_s": t2 - t1, "spectral_s": t3 - t2, "compression_s": t4 - t3, "total_s": t4 - t0,
                      "tensors": len(tensors), "numel": sum(v.numel() for _, v in tensors),
                      "example": {"name": tensors[0][0], "core": res[tensors[0][0]], "spectral": spec[tensors[0][0]],
                                  "compress": comp[tensors[0][0]]}}, indent=1))


if __name__ == "__main__":
    main()
