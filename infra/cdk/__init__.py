"""The CDK app: the stack (stack.py), built from context (app_factory.py), cdk-nag (nag.py), and one
construct per capability (constructs/)."""
