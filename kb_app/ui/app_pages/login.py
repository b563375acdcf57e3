"""Log-in: local accounts (username and password), checked on the server by ``/auth/login``.

The form posts to the server, which sets the session cookie and sends the browser back (to ``next``,
or the user's landing page); a refused log-in comes back here with its message (signed by the server)
and the user name typed. The signed-out landing page of the app.
"""

import streamlit as st

from kb_app.ui.signin import sign_in

sign_in(st.query_params.get("next", ""))
