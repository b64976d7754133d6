"""Every number and label the learner sees, formatted once (panel, report, deck summary)."""
