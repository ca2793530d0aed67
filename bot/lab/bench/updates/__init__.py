"""``pixbot bench updates``: N simulated learners answer concurrently through the real
handlers, serving path, conversation, content bank and database, with a Bot API that answers
locally (no network), on each Telegram runtime (``--runtime``: aiogram, python-telegram-bot, or
both, each then in a process of its own). The same learners then talk to the bare echo bot of
the same library on the same local Bot API: the ceiling of that library and this process on
this machine; and a durable echo bot, the echo once it has claimed each update id in the
database: the floor of any bot that must handle a redelivered update once. Reports updates/s,
p50/p99 handler latency (the wall time of handing the update to the runtime, less the waits for
a turn: the runtime's own bound, MAX_CONCURRENT_UPDATES, Telegram's rates, reported apart), CPU
per update, errors and memory; and each runtime's idle RSS, measured in fresh processes (Python
alone, the library imported alone, pixbot built as ``pixbot run`` builds it).

Learners behave like people who only see messages: /start, "Take a test", an area, a competence
they have not taken yet, then a random option for each challenge (one or two options and Submit
for multiple choice, a typed guess for text challenges, Skip now and then), "Another competence"
after a result; a learner who has taken all 16 competences becomes a new person. Each waits for
its update to be handled (and, with ``think``, for a pause) before it sends the next.

The bot's background work (command menus, reminders, group planning, delivery worker) is not
started: only polling and the webhook server start it. What ``pixbot run`` does to its
process's memory is done: startup's objects frozen, the heap trimmed every ten seconds
(bot.memory).

``--flooders N`` measures issue #14's scenario instead: N people each send ``FLOOD_UPDATES``
updates in ``FLOOD_SECONDS`` (presses of their live buttons, /start and typed text, each sent
without waiting for the previous reply, as a script would) while the learners answer at their
pace, and the Bot API answers every ``THROTTLE_EVERY``-th message or edit with a 429
(``retry_after`` 1 s, raised by the library's own parsing of the answer). The bot is the real
one with its shipped defaults (real time, limiter and flood guard). Reported: the learners'
latency (the wall time of handing the update to the runtime: handling plus every wait),
replies lost, messages to a flooder's chat beyond Telegram's per-chat rate, the flooders'
updates handled and dropped, 429s, errors.

Modules: ``api`` (the Bot API answered locally, whatever the runtime: what each learner saw),
``session`` and ``request`` (aiogram's and python-telegram-bot's clients on it), ``learners``
(the people), ``database`` (the database of a run), ``runtimes`` (pixbot and the echo bots,
whatever the runtime), ``aiogram_bots`` and ``ptb_bots`` (each runtime's: only the one that runs
is imported), ``runs`` (one run and its measures), ``flood`` (``--flooders``), ``idle`` (memory
at rest), ``report`` (goals and tables), ``main`` (every database's and runtime's runs;
``run_updates``, the command's entry).
"""
