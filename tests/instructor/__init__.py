"""Tests of the instructor's tools: release, leaks, grading steps, isolation, the autograder tables in-process."""
