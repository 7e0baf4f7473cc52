"""Rooms, messages and moderation: see the chat issue."""
