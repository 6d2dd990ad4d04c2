"""Where the orchestrator runs: CDK constructs and stack, the local cloud, the CLI."""
