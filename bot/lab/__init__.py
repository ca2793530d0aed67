"""Tools beside the product, never on the serving path: the engine simulation
(`pixbot simulate`), the calibration command (`pixbot calibrate`) and the benchmarks
(`pixbot bench …`). Nothing in bot.core, bot.adapters, bot.delivery, storage or content imports
this package (tests/unit/test_architecture.py checks it); `pixbot run` never loads it."""
