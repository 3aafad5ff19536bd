"""``make soak``: event intake under load while the processes and the database are killed and restarted
(issue 9). See ``soak/__main__.py``."""
