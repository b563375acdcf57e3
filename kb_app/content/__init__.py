"""Content: the files of a knowledge base and the git store they live in.

The content model (entries, regulations, configuration) read from a set of files, their front matter
and Markdown dialect, the rules of the content contract, versions in force on a date, and the git
store — the only place that runs git — with its server-side hooks.
"""
