"""DynamoDB tables. Every partition key begins with the tenant id."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from orchestrator.core.constants import PK, SK, TTL_ATTRIBUTE

TABLE_DESCRIPTIONS = {
    "Runs": "pk = tenant id, sk = run id",
    "StepResults": "pk = tenant id#run id, sk = step or step#item (map items)",
    "Commands": "pk = tenant id#run id, sk = result key#index (the command log: side effects and undo)",
    "Events": "pk = tenant id#run id, sk = timestamp#event id (audit)",
    "Idempotency": "pk = tenant id, sk = Idempotency-Key of a POST /runs (expires after 24 h)",
    "TenantSettings": "pk = tenant id, sk = settings kind (models, budget)",
    "Prompts": "pk = tenant id#agent type, sk = version number (immutable) or ACTIVE (the pointer)",
    "ModelCache": "pk = tenant id, sk = hash of provider, model, prompt, parameters, schema (TTL)",
    "Usage": "pk = tenant id, sk = month (YYYY-MM): tokens, cost, calls, cache hits, budget reservations",
    "Circuits": "pk = circuits#providers, sk = provider#<name>: the breaker state every function shares",
    "Tenants": "pk = tenant id, sk = profile (status, plan, limits, active runs) | rate#<minute> (TTL) "
    "| run#<run id> (a concurrent-run slot) | user#<name>",
    "Connections": "pk = tenant id, sk = connection#<connection id>: a WebSocket client and its "
    "subscriptions (TTL)",
    "Webhooks": "pk = tenant id, sk = endpoint#<id> | pk = tenant id#endpoint id, sk = delivery id (TTL)",
}


class OrchestratorTables(Construct):
    """The repositories' tables: runs, step results, command log, events (audit), idempotency keys,
    tenant settings, prompts, the model response cache, usage and budgets, provider circuits, tenants,
    WebSocket connections, webhooks."""

    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.runs = self._table("Runs", removal_policy)
        self.step_results = self._table("StepResults", removal_policy)
        self.commands = self._table("Commands", removal_policy)
        self.events = self._table("Events", removal_policy, ttl=True)
        self.idempotency = self._table("Idempotency", removal_policy, ttl=True)
        self.tenant_settings = self._table("TenantSettings", removal_policy)
        self.prompts = self._table("Prompts", removal_policy)
        self.model_cache = self._table("ModelCache", removal_policy, ttl=True)
        self.usage = self._table("Usage", removal_policy)
        self.circuits = self._table("Circuits", removal_policy, ttl=True)
        self.tenants = self._table("Tenants", removal_policy, ttl=True)
        self.connections = self._table("Connections", removal_policy, ttl=True)
        self.webhooks = self._table("Webhooks", removal_policy, ttl=True)

    def _table(self, name: str, removal_policy: RemovalPolicy, ttl: bool = False) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            name,
            partition_key=dynamodb.Attribute(name=PK, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SK, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=TTL_ATTRIBUTE if ttl else None,
            removal_policy=removal_policy,
            # kept data cannot be deleted by a mistaken DeleteTable either (only the stack's owner,
            # turning this off first, can)
            deletion_protection=removal_policy == RemovalPolicy.RETAIN,
        )
