"""The public site and JSON API (``kb web``): Starlette served by uvicorn, no Streamlit.

* ``app`` — the application factory, routes, error mapping, metrics middleware;
* ``api`` / ``pages`` / ``hooks`` — the JSON API v1, the server-rendered pages, the signed
  endpoints between a primary and its replicas;
* ``views`` — what both show, built through the facade (audience rules stay in the core);
* ``site`` — one worker's state: served commit and day, response cache and ETags, clients and
  rate limits, batched search logs;
* ``keys`` (API keys), ``ratelimit`` (shared token buckets), ``metrics`` (Prometheus text),
  ``follow`` (read replicas), ``server`` (uvicorn with N workers), ``openapi`` (the API's description).
"""
