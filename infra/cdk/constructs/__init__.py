"""One CDK construct per capability."""
