"""Unit tests of ganlab, one file per module (the training loops in test_training_*)."""
