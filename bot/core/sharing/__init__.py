"""Sharing a result or the profile picture into any chat, through inline mode."""
