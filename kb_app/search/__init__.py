"""Search: Chinese text analysis, the Whoosh indexes that follow main, queries and scoring.

``analysis`` (words, bigrams, synonyms, 文号) → ``documents`` (what each index holds) → ``index``
(``SearchIndex``: state, builds, following main) → ``query`` (a question, run, and its results) →
``scorer`` (BM25F with numpy); ``whoosh_compat`` holds every use of Whoosh's private internals.

Also the TF-IDF similarity used where texts are compared with each other rather than searched
(``textsim``: dispatch history, hot issues, suggestions).
"""
