"""Stages of the flow: generate, checks, judge, agree, ground, dedup, sample."""
