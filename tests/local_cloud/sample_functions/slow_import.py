"""A handler whose module takes longer to import than its function's timeout."""

import time

time.sleep(2)


def handler(event, context):
    return {"imported": True, "remaining_ms": context.get_remaining_time_in_millis()}
