"""The learner's progress: the log, the record entries and their fold, the maths."""
