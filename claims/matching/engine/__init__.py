"""Claim memory's engine: plain text in, plain data out, no Django.

- ``text``: terms, numbers and names of a text (what BM25 and the features see);
- ``engine``: the BM25 index, nearest-embedding candidates, their fusion and the
  calibrated logistic re-ranker (``Index``, ``Calibration``, ``Hit``);
- ``minilm``: sentence embeddings from the verified all-MiniLM-L6-v2 weights with numpy.

``claims/matching/service.py`` feeds it rows from the database; the ``match`` command, the
benchmark and ``scripts/eval_matching.py`` use it directly.
"""
