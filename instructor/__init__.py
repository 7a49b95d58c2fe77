"""Instructor-side tools: grading a class (`make grade`), the student bundle (`make bundle`) and the
notebook plumbing they share. Never shipped to students."""
