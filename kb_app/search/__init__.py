"""Search: Chinese text analysis, the Whoosh indexes that follow main, queries and scoring.

Also the TF-IDF similarity used where texts are compared with each other rather than searched
(dispatch history, hot issues, suggestions).
"""
