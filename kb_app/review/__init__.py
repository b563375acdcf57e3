"""Review (多方校核): change requests, who reviews them, and what a published change sets off.

The workflow of a change request from draft to publish, the review policy and its permissions, the
change told in the reader's terms, the article-level impact of a regulation change, re-verification
of the entries it touches, and objections to the dispatch catalogue.
"""
