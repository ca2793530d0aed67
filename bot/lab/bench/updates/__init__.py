"""``pixbot bench updates``: N simulated learners answer concurrently through the real
dispatcher, handlers, conversation, content bank and database, with a Bot API session that
answers locally (no network). The same learners then talk to a bare aiogram echo bot on the same
session: the ceiling of aiogram and this process on this machine; and a durable echo bot, the
echo once it has claimed each update id in the database: the floor of any bot that must handle
a redelivered update once. Reports updates/s, p50/p99 handler latency (the wall time of
``Dispatcher.feed_update`` less the wait for a turn under MAX_CONCURRENT_UPDATES, reported
apart), errors and memory.

Learners behave like people who only see messages: /start, "Take a test", an area, a competence
they have not taken yet, then a random option for each challenge (one or two options and Submit
for multiple choice, a typed guess for text challenges, Skip now and then), "Another competence"
after a result; a learner who has taken all 16 competences becomes a new person. Each waits for
its update to be handled (and, with ``think``, for a pause) before it sends the next.

The dispatcher's startup hooks (command menus, reminders, group planning, delivery worker) are
not run: ``feed_update`` does not trigger them, only polling and the webhook server do. What
``pixbot run`` does to its process's memory is done: startup's objects frozen, the heap trimmed
every ten seconds (bot.memory).

``--flooders N`` measures issue #14's scenario instead: N people each send ``FLOOD_UPDATES``
updates in ``FLOOD_SECONDS`` (presses of their live buttons, /start and typed text, each sent
without waiting for the previous reply, as a script would) while the learners answer at their
pace, and the Bot API answers every ``THROTTLE_EVERY``-th message or edit with a 429
(``retry_after`` 1 s, raised by aiogram's own ``check_response``). The bot is the real one with
its shipped defaults (real time, limiter and flood guard). Reported: the learners' latency
(``feed_update``'s wall time: handling plus every wait), replies lost, messages to a flooder's
chat beyond Telegram's per-chat rate, the flooders' updates handled and dropped, 429s, errors.

Modules: ``session`` (the Bot API answered locally, what each learner saw), ``learners`` (the
people), ``bots`` (pixbot, the echo bots, the database of a run), ``runs`` (one run and its
measures), ``flood`` (``--flooders``), ``report`` (goals and tables), ``main`` (every database's
runs; ``run_updates``, the command's entry).
"""
