"""report.html: one self-contained page summing up a run or a file command."""

from synthpipe.report.html import render_report, worst, write_report

__all__ = ["render_report", "worst", "write_report"]
