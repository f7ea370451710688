"""Hugging Face Daily Papers: a second source of the graph (arXiv preprints and their daily
listings), read (:mod:`.reader`), mapped to quads (:mod:`.mapping`) and linked to the
Anthology's papers and persons (:mod:`.link`)."""
