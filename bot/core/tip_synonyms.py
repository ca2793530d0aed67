"""Words and phrases that mean the same to someone searching the tips, in English, French and
Swedish (Swedish readers search the English tips): any one of a group typed finds the tips that
hold another, a little below those holding what was typed. One group per line, in both
directions; plurals and accents need no entry of their own (a search folds them). Words of four
letters or more also find the words they begin ("scam" finds "scammers"), so a short entry
that begins unrelated words ("prof": "profile") has no place here."""

from __future__ import annotations

from typing import Final

from bot.core.tip_search import Synonyms

SYNONYM_GROUPS: Final = (
    ("sms", "text message", "texto", "message texte"),
    ("scam", "arnaque", "fraud", "fraude", "escroquerie", "swindle", "bedrägeri"),
    ("phishing", "hameçonnage", "filoutage", "nätfiske"),
    ("password", "mot de passe", "mdp", "passphrase", "phrase de passe", "lösenord"),
    ("email", "e-mail", "courriel", "mail", "mél", "e-post"),
    (
        "two-factor",
        "two-step",
        "2fa",
        "mfa",
        "double authentification",
        "authentification à deux facteurs",
        "tvåfaktorsautentisering",
    ),
    ("update", "mise à jour", "uppdatering"),
    ("backup", "back up", "sauvegarde", "säkerhetskopia"),
    ("harassment", "bullying", "cyberbullying", "harcèlement", "cyberharcèlement", "mobbning"),
    ("malware", "virus", "logiciel malveillant", "maliciel", "skadlig kod"),
    ("ransomware", "rançongiciel"),
    ("phone", "smartphone", "téléphone", "mobile phone", "portable", "telefon"),
    ("social network", "social media", "réseau social", "réseaux sociaux", "sociala medier"),
    ("link", "lien", "länk"),
    ("account", "compte", "konto"),
    ("personal data", "données personnelles", "personuppgifter"),
    ("privacy", "vie privée", "confidentialité", "integritet"),
    ("gift card", "carte cadeau", "presentkort"),
    ("parcel", "package", "colis", "paket"),
    ("hacked", "hacking", "piraté", "piratage", "hackad"),
    ("child", "children", "kid", "enfant", "barn"),
    ("pupil", "student", "élève", "étudiant"),
    ("teacher", "educator", "enseignant", "professeur", "lärare"),
    ("wifi", "wi-fi", "wlan"),
    ("qr code", "code qr", "qr-kod"),
    ("bank", "banque"),
    ("screen time", "temps d'écran", "skärmtid"),
    ("report", "signaler", "signalement", "anmäla"),
    ("fake", "faux", "fausse", "falsk"),
    ("photo", "picture", "bild"),
)
SYNONYMS: Final = Synonyms(SYNONYM_GROUPS)
