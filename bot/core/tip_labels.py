"""The names of the tips' topics, audiences and levels (translated where shown): the groups'
settings and the library both show them."""

from __future__ import annotations

from typing import Final

from bot.core.text import N_

LABELS: Final = {
    "everyone": N_("everyone"),
    "pupils": N_("pupils"),
    "educators": N_("educators"),
    "professionals": N_("people at work"),
    "basic": N_("basic"),
    "intermediate": N_("intermediate"),
    "advanced": N_("advanced"),
    "expert": N_("expert"),
}
TOPIC_NAMES: Final = {
    "passwords": N_("passwords"),
    "two-factor": N_("two-factor"),
    "phishing": N_("phishing"),
    "scams": N_("scams"),
    "updates": N_("updates"),
    "backups": N_("backups"),
    "public-wifi": N_("public Wi-Fi"),
    "social-networks": N_("social networks"),
    "privacy": N_("privacy"),
    "devices": N_("devices"),
    "children-online": N_("children online"),
    "well-being": N_("well-being"),
    "harassment": N_("harassment"),
    "teaching": N_("teaching"),
    "incidents": N_("incidents"),
}
