"""Serving updates, whatever the Telegram library: the logic both runtimes share.

``bot.core`` decides what to answer; ``bot.delivery`` paces and queues group posts; this package
is the serving path in between, free of aiogram and python-telegram-bot alike: the order of a
chat's updates and the flood guard (``order``), the process's turns (``turns``), delivering an
Outcome through Telegram's limits (``replies``), the failures of an update (``updates``), the work
beside the updates (``lifecycle``), metrics and health (``metrics``). Each runtime
(``bot.adapters.telegram`` on aiogram, ``bot.adapters.ptb`` on python-telegram-bot) implements
:class:`bot.serving.transport.Transport` and turns its updates into core events; nothing else.
"""
