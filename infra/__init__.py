"""Where the orchestrator runs: the CDK app (cdk/), the local cloud (local/), the operator CLI (cli/)
and tenant onboarding for a deployment (admin/)."""
