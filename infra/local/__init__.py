"""The local cloud: the synthesized CDK app deployed onto an in-process AWS emulation (moto).

``LocalCloud`` (cloud.py) is the entry point. Every adaptation of moto lives in
``moto_adapters.py`` (the S3 Vectors query engine it serves in ``vector_queries.py``); everything
else talks to the emulation through boto3 only.
"""
