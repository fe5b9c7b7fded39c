"""paper-reader's core: the model, the formats, the query language and the store.

Nothing in this package imports textual, rich or pyperclip: the command line,
scripts and tests use it without paying for a UI.
"""
