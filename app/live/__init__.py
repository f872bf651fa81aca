"""Live: what happens on a document reaches open pages as Server-Sent Events (issue 27).

Operations send signals (app.signals); ``events`` writes one small row per happening in the
sender's transaction and wakes the app servers after the commit (PostgreSQL NOTIFY, Redis
pub/sub, or in-process with SQLite); ``broker`` holds each process's listener; ``views`` serves
``/d/<slug>/live``. Events carry ids and a kind only: pages fetch what they may see through
the routes that already check it.
"""
