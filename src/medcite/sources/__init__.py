"""Sources: read corpus files into `Document`s (:mod:`medcite.sources.read`, one module per
format) and classify their evidence level (:mod:`medcite.sources.evidence`)."""
