"""Lambda entry points: parse the event, call one domain function, return a small model.

While a handler module loads (the init phase), the cyclic garbage collector is paused: what
init creates lives as long as the execution environment, and scanning it again and again
while thousands of modules' objects are made cost every cold start ~8% of its CPU
(``bench/handler_imports.py``). Every handler resumes it where it checks its settings
(``orchestrator.core.settings.check_at_init``), after freezing what init made.
"""

import gc

gc.disable()
