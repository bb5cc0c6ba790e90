"""Deliberation: procedures (四议两公开), meetings' quorum and decisions, public notices
(公示) and elections' counting. The rules are data files under ``data/``; ``rules.py``
reads and applies them without I/O."""
