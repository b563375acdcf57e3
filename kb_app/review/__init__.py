"""Review (多方校核): change requests, who reviews them, and what a published change sets off.

``policy`` (parties and permissions), ``records`` (the requests and their rows), ``queries`` and
``workflow`` (the ``Review`` service: reading, then the actions under the transition table),
``publishing`` (main moved by compare-and-swap), ``branches`` (``cr/*`` pushed with git), ``changes``
(the change told in the reader's terms), ``impact`` and ``reverify`` (a regulation change's reach and
the entries it flags), ``intake_replay`` (the calls a change of the intake rules reads otherwise), and
``objection`` (objections to the dispatch catalogue).
"""
