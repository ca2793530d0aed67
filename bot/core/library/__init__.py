"""The cybersecurity tips library for educators: browse, search, share, send to a group."""
