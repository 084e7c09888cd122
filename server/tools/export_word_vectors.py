"""Regenerate ``server/parley/knowledge/data/word_vectors.npz`` from a WordLlama wheel.

Parley ships the token vectors of WordLlama's ``l2_supercat`` model (MIT licence, see
``data/NOTICE``) in a compact form of its own, so the server needs numpy only, not WordLlama's
runtime (tokenizers, pydantic, huggingface-hub). This script is how that file was made:

    pip download wordllama==0.4.0.post1 --no-deps -d /tmp/wheel
    .venv/bin/python server/tools/export_word_vectors.py /tmp/wheel/wordllama-*.whl

What it keeps: the tokens a lowercased word can become (Parley lowercases before embedding,
so tokens with capitals are unreachable and dropped; byte tokens such as ``<0xE2>`` stay), the
BPE merges among them in rank order, and each token's 256 numbers as int8 with one float scale
per token (measured on the StackFAQ questions: the same MRR@10 as the original float16).
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

WEIGHTS = "wordllama/weights/l2_supercat_256.safetensors"
TOKENIZER = "wordllama/tokenizers/l2_supercat_tokenizer_config.json"
OUTPUT = Path(__file__).resolve().parent.parent / "parley" / "knowledge" / "data"


def main(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        matrix = _safetensors_matrix(archive.read(WEIGHTS))
        tokenizer = json.loads(archive.read(TOKENIZER))
    vocabulary: dict[str, int] = tokenizer["model"]["vocab"]
    kept = sorted((i, t) for t, i in vocabulary.items() if t == t.lower() or _is_byte(t))
    new_id = {token: n for n, (_, token) in enumerate(kept)}
    merges = [
        merge
        for merge in tokenizer["model"]["merges"]
        if all(part in new_id for part in merge.split(" ")) and merge.replace(" ", "") in new_id
    ]
    rows = matrix[[i for i, _ in kept]].astype(np.float32)
    scales = np.abs(rows).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.round(rows / scales[:, None]).astype(np.int8)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        vectors=quantised,
        scales=scales.astype(np.float32),
        tokens=np.frombuffer(json.dumps([t for _, t in kept]).encode(), dtype=np.uint8),
        merges=np.frombuffer(json.dumps(merges).encode(), dtype=np.uint8),
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "word_vectors.npz").write_bytes(buffer.getvalue())
    print(f"{len(kept)} tokens, {len(merges)} merges, {len(buffer.getvalue()):,} bytes")


def _is_byte(token: str) -> bool:
    """``<0xE2>``: a byte-fallback token, for characters the vocabulary lacks."""
    return token.startswith("<0x") and token.endswith(">") and len(token) == 6


def _safetensors_matrix(data: bytes) -> np.ndarray:
    """The single float16 tensor of a safetensors file (8-byte header size, JSON, raw data)."""
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    tensor = header["embedding.weight"]
    start, end = tensor["data_offsets"]
    raw = data[8 + size + start : 8 + size + end]
    return np.frombuffer(raw, dtype=np.float16).reshape(tensor["shape"])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
