"""Mail: the durable outbox and its sender, what is mailed, and replies that come back.

Imports nothing at package level: ``conversation/store/history.py`` writes outbox rows through
``mail.store`` inside its transaction, and the composers here read conversations.
"""
