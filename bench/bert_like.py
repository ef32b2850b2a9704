"""BERT-base shaped encoder (token + position embeddings, 12 post-norm layers, tanh pooler) that the
benchmarks build with torch's own TransformerEncoder; imported by cuda_bench.py and graph_bench.py."""
import torch
import torch.nn as nn


class BertLike(nn.Module):
    def __init__(self, vocab=30522, d=768, layers=12, heads=12, hidden=3072, max_len=512, dropout=0.0,
                 enable_nested_tensor=False):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.norm = nn.LayerNorm(d)
        layer = nn.TransformerEncoderLayer(d, heads, hidden, dropout=dropout, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=enable_nested_tensor)
        self.pooler = nn.Linear(d, d)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.norm(self.tok(ids) + self.pos(pos))
        x = self.encoder(x)
        return torch.tanh(self.pooler(x[:, 0]))
