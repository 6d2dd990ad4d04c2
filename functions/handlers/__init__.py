"""Lambda entry points: parse the event, call one domain function, return a small model.

While a handler module loads (the init phase), the cyclic garbage collector is paused: what
init creates lives as long as the execution environment, and scanning it again and again
while thousands of modules' objects are made cost every cold start ~8% of its CPU
(``bench/handler_imports.py``). Every handler resumes it where it checks its settings
(``orchestrator.core.settings.check_at_init``), after freezing what init made.

The functions use no pydantic plugin, so pydantic is told not to look for any: its first
validator would otherwise read the metadata of every installed distribution for plugin entry
points (~4% of ``import boto3`` in each cold start). ``PYDANTIC_DISABLE_PLUGINS`` set in a
function's environment still wins.
"""

import gc
import os

gc.disable()
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
