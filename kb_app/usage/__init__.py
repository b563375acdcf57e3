"""Learning from use: what people searched, voted and reported, and what the hotline learns from it.

The feedback store (search logs, votes, reports, maintenance tasks), usage statistics, hot issues of
a period, suggested questions and missing answers.
"""
