"""Augmentation: derived records from real or accepted ones (paraphrase, back-translation, style and
stance transfer), with lineage, and the checks only a derived record needs. See stage.py and checks.py;
methods.py says what each method rewrites in each task kind."""
