"""paper-reader's benchmark: synthetic libraries and the measurements of issue 5."""
