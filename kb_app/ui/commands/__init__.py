"""The ``kb`` command's families (content, review, dispatch, reports, admin), registered on ``kb_app.cli``.

Like the Streamlit pages, a command only parses, calls the facade and prints.
"""
