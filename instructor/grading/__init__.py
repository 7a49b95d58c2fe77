"""Grading a class: collecting an LMS download, checking, autograding, reporting, handing back."""
