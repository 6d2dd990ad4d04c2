"""Lambda functions: one per agent type, plus map, approval, compensation, lifecycle, audit and API.

Every function has its own role with exactly the grants it needs. The code asset is the
``functions/`` folder only; third-party packages come from the dependencies layer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.cdk.constructs.dependencies_layer import ARCHITECTURE, REPO_ROOT, RUNTIME, dependencies_layer
from infra.cdk.constructs.function_settings import add_settings
from infra.cdk.constructs.grants import grant_items
from infra.cdk.constructs.request_screening import grant_guardrail
from infra.cdk.constructs.tenant_access import TenantDataAccess
from infra.cdk.constructs.vectors import VectorStorage
from orchestrator.agents import get_agent
from orchestrator.core import constants
from orchestrator.core.memory_sizes import check_agent_overrides, memory_of
from orchestrator.core.settings import Settings

FUNCTIONS_DIR = REPO_ROOT / "functions"


@dataclass
class ProviderConfig:
    """Deployment-wide model provider (CDK context ``modelProvider`` etc.).

    ``api_key_secret``: name or ARN of an existing Secrets Manager secret holding the key
    (never the key itself: it would land in the template).
    """

    provider: str = "offline"
    model: str | None = None
    openai_base_url: str | None = None
    api_key_secret: str | None = None
    api_key_kms_key: str | None = None  # ARN of a customer managed key encrypting the secret
    provider_secrets: dict[str, str] = field(default_factory=dict)  # further providers' key secrets
    bedrock: bool = False  # agents may call Bedrock's Converse API (IAM, no key)
    tenant_keys: bool = False  # agents may read tenants' own keys: secrets "<prefix><tenant>/<provider>"
    prices: str | None = None  # JSON price overrides (orchestrator.providers.pricing)
    cassette: str | None = None  # replay/record: the cassette file the agent functions read
    cassette_mode: str | None = None  # "record"
    timeout_seconds: float = 45.0  # one model HTTP call's limit (the agent function has 120 s)
    guardrail_id: str | None = None  # a Bedrock guardrail the run starts screen requests with
    guardrail_version: str = "DRAFT"
    openai_moderation_at_start: bool = False  # the API and start function may read the OpenAI key


@dataclass
class ModelTables:
    """The tables of the model layer: tenant settings, prompts, response cache, usage, circuits."""

    tenant_settings: dynamodb.ITable
    prompts: dynamodb.ITable
    model_cache: dynamodb.ITable
    usage: dynamodb.ITable
    circuits: dynamodb.ITable


@dataclass
class AuthConfig:
    """Who signs the API's tokens: issuer, audience and a JWKS (inline or by URI)."""

    issuer: str
    audience: str
    jwks_json: str | None = None
    jwks_uri: str | None = None


@dataclass
class FunctionsProps:
    runs: dynamodb.ITable
    step_results: dynamodb.ITable
    commands: dynamodb.ITable
    events_table: dynamodb.ITable
    idempotency: dynamodb.ITable
    tenants: dynamodb.ITable  # status, plan, limits; request windows; concurrent-run slots
    workspace: s3.IBucket
    bus: events.IEventBus
    agents: list[str]
    model_tables: ModelTables
    provider: ProviderConfig = field(default_factory=ProviderConfig)
    vectors: VectorStorage | None = None
    fetch_allowed_hosts: str = ""  # "host:port,..." an archive fetch may reach despite being private
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    event_retention_days: int = constants.DEFAULT_EVENT_RETENTION_DAYS  # 0 keeps audit events
    memory: dict[str, int] = field(default_factory=dict)  # functionMemory overrides (core.memory_sizes)


class OrchestratorFunctions(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, props: FunctionsProps) -> None:
        super().__init__(scope, construct_id)
        self._props = props
        check_agent_overrides(props.memory, props.agents)
        self._code = lambda_.Code.from_asset(
            str(FUNCTIONS_DIR), exclude=["**/__pycache__", "**/*.pyc", "*.egg-info"]
        )
        self.deps_layer = dependencies_layer(self)
        self._table_env = self._tables_environment(props)
        provider_secret = self._provider_secret(props.provider)
        further_secrets = {
            name: self._secret(f"ProviderKey-{name}", reference)
            for name, reference in sorted(props.provider.provider_secrets.items())
        }
        self._key_secrets = (provider_secret, further_secrets)  # read by request screening, if allowed
        served_env = self._served_env(props.provider, further_secrets)
        self._model_env = self._model_environment(props.model_tables)
        self._add_agents(
            self._provider_environment(props.provider, provider_secret, served_env),
            provider_secret,
            further_secrets,
        )
        self._add_undo_work()
        self._add_run_steps()
        self._add_lifecycle_functions()
        # start-run and API functions get STATE_MACHINE_ARNS once the workflows exist; they know the
        # deployment's provider name (to accept runs that ask for it), never its key
        provider_name = Settings.environment(model_provider=props.provider.provider) | served_env
        if props.provider.model:
            provider_name |= Settings.environment(model_name=props.provider.model)
        if props.provider.prices:
            provider_name |= Settings.environment(model_prices=props.provider.prices)
        self._add_start_run(provider_name)
        self._add_api(provider_name)
        if props.memory:  # what a run cost is estimated with: the sizes this deployment declares
            for fn in (self.run_status, self.api):
                add_settings(fn, function_memory=json.dumps(props.memory, sort_keys=True))

    @staticmethod
    def _tables_environment(props: FunctionsProps) -> dict[str, str]:
        return Settings.environment(
            runs_table=props.runs.table_name,
            step_results_table=props.step_results.table_name,
            commands_table=props.commands.table_name,
            events_table=props.events_table.table_name,
            tenants_table=props.tenants.table_name,
            workspace_bucket=props.workspace.bucket_name,
            event_bus=props.bus.event_bus_name,
        )

    @staticmethod
    def _provider_environment(
        provider: ProviderConfig, provider_secret: secretsmanager.ISecret | None, served_env: dict[str, str]
    ) -> dict[str, str]:
        """An agent function's provider settings: the key's secret, never the key."""
        provider_env = Settings.environment(model_provider=provider.provider)
        if provider.model:
            provider_env |= Settings.environment(model_name=provider.model)
        if provider.openai_base_url:
            provider_env |= Settings.environment(openai_base_url=provider.openai_base_url)
        if provider_secret is not None:
            provider_env |= Settings.environment(provider_api_key_secret_arn=provider_secret.secret_arn)
        provider_env |= served_env
        if provider.prices:
            provider_env |= Settings.environment(model_prices=provider.prices)
        if provider.cassette:
            provider_env |= Settings.environment(model_cassette=provider.cassette)
            if provider.cassette_mode:
                provider_env |= Settings.environment(model_cassette_mode=provider.cassette_mode)
        provider_env |= Settings.environment(provider_timeout_seconds=str(provider.timeout_seconds))
        return provider_env

    @staticmethod
    def _model_environment(models: ModelTables) -> dict[str, str]:
        return Settings.environment(
            tenant_settings_table=models.tenant_settings.table_name,
            prompts_table=models.prompts.table_name,
            usage_table=models.usage.table_name,
        )

    def _add_agents(
        self,
        provider_env: dict[str, str],
        provider_secret: secretsmanager.ISecret | None,
        further_secrets: dict[str, secretsmanager.ISecret],
    ) -> None:
        """One function per agent type."""
        models = self._props.model_tables
        agent_model_env = self._model_env | Settings.environment(
            model_cache_table=models.model_cache.table_name,
            circuit_table=models.circuits.table_name,
        )
        self.agent_functions: dict[str, lambda_.Function] = {}
        for agent in self._props.agents:
            self.agent_functions[agent] = self._agent_function(
                agent, provider_env | agent_model_env, provider_secret, further_secrets
            )
        self._grant_agents_tenant_data()

    def _grant_agents_tenant_data(self) -> None:
        """Every agent reaches tenant data only as the run's tenant: one role shared by the agents
        that store vectors, one by the others (their functions' own roles hold no tenant data grant)."""
        props, models = self._props, self._props.model_tables
        with_vectors = props.vectors is not None
        groups = {
            vectors: [
                fn
                for agent, fn in self.agent_functions.items()
                if ("vectors" in get_agent(agent).services and with_vectors) == vectors
            ]
            for vectors in (False, True)
        }
        for vectors, functions in groups.items():
            if not functions:
                continue
            access = TenantDataAccess(
                self,
                "VectorAgentsTenantData" if vectors else "AgentsTenantData",
                functions=functions,
                description="agents storing vectors" if vectors else "agents",
            )
            access.grant_items(props.runs, write=True)  # the run's completion counter
            access.grant_items(props.step_results, write=True)
            access.grant_items(props.commands, write=True)
            access.grant_workspace(props.workspace)
            access.grant_items(models.tenant_settings)
            access.grant_items(models.prompts)
            access.grant_items(models.model_cache, write=True)
            access.grant_items(models.usage, write=True)
            if vectors and props.vectors is not None:
                access.grant_vectors(props.vectors, write=True)

    def _agent_function(
        self,
        agent: str,
        environment: dict[str, str],
        provider_secret: secretsmanager.ISecret | None,
        further_secrets: dict[str, secretsmanager.ISecret],
    ) -> lambda_.Function:
        props, models = self._props, self._props.model_tables
        fn = self.make_function(
            f"Agent-{agent}",
            "handlers.run_agent.handler",
            f"Runs the '{agent}' agent for a step of a run",
            self._table_env
            | environment
            | Settings.environment(agent_type=agent)
            | self._service_env(agent, props),
            timeout=Duration.seconds(120),
            memory=memory_of("run_agent", props.memory, agent=agent),
        )
        props.bus.grant_put_events_to(fn)
        # the one table no tenant owns: every provider's circuit, shared by all tenants (its partition
        # key is "circuits#providers"), read and written with the function's own role
        grant_items(models.circuits, fn, write=True)
        self._grant_model_access(fn, props.provider, further_secrets)
        if provider_secret is not None:
            self._grant_provider_secret(fn, provider_secret)
        return fn

    def _screen_requests(self, fn: lambda_.Function) -> None:
        """The safety check's moderation layers for a function that starts runs: the guardrail, and the
        OpenAI key only when the deployment allows it (tenants' own keys stay with the agents)."""
        provider = self._props.provider
        if provider.guardrail_id:
            grant_guardrail(fn, provider.guardrail_id, provider.guardrail_version)
        if not provider.openai_moderation_at_start:
            return
        provider_secret, further_secrets = self._key_secrets
        if provider.provider == "openai" and provider_secret is not None:
            add_settings(fn, provider_api_key_secret_arn=provider_secret.secret_arn)
            self._grant_provider_secret(fn, provider_secret)
        elif "openai" in further_secrets:  # its ARN is in PROVIDER_SECRETS already
            further_secrets["openai"].grant_read(fn)

    def _grant_provider_secret(self, fn: lambda_.Function, provider_secret: secretsmanager.ISecret) -> None:
        provider_secret.grant_read(fn)
        kms_key = self._props.provider.api_key_kms_key
        if kms_key:  # a customer managed key encrypts the secret
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["kms:Decrypt"],
                    resources=[kms_key],
                    conditions={
                        "StringEquals": {
                            "kms:ViaService": f"secretsmanager.{Stack.of(self).region}.amazonaws.com"
                        }
                    },
                )
            )

    def _add_undo_work(self) -> None:
        props = self._props
        self.undo_work = self.make_function(
            "UndoCompletedWork",
            "handlers.undo_completed_work.handler",
            "Undoes a failed run's completed work, newest first (one bounded round)",
            self._table_env | self._vector_env(props),
            timeout=Duration.seconds(300),
        )
        access = self._tenant_data("UndoCompletedWork", self.undo_work)
        if props.vectors is not None:
            access.grant_vectors(props.vectors, write=True)  # undo deletes a run's collection
        access.grant_items(props.runs, write=True)
        access.grant_items(props.step_results, write=True)
        access.grant_items(props.commands, write=True)
        access.grant_workspace(props.workspace)
        props.bus.grant_put_events_to(self.undo_work)

    def _add_run_steps(self) -> None:
        """The tasks of a run's state machine besides the agents: map manifests, approval gates."""
        props = self._props
        self.prepare_map = self.make_function(
            "PrepareMap",
            "handlers.prepare_map.handler",
            "Writes the item manifest of a map step",
            self._table_env,
        )
        access = self._tenant_data("PrepareMap", self.prepare_map)
        access.grant_items(props.runs)
        access.grant_items(props.step_results)
        access.grant_workspace(props.workspace)

        self.approval_gate = self.make_function(
            "ApprovalGate",
            "handlers.approval_gate.handler",
            "Opens an approval gate: keeps its task token, marks the run AWAITING_APPROVAL",
            self._table_env,
        )
        access = self._tenant_data("ApprovalGate", self.approval_gate)
        access.grant_items(props.runs, write=True)
        access.grant_items(props.step_results, write=True)
        props.bus.grant_put_events_to(self.approval_gate)

    def _add_lifecycle_functions(self) -> None:
        """A run's status transitions, the audit trail, executions that ended without recording it."""
        props = self._props
        models, prices = props.model_tables, props.provider.prices or "{}"  # an ended run's AWS cost
        self.run_status = self.make_function(
            "RunStatus",
            "handlers.run_status.handler",
            "Records a run's lifecycle transitions",
            self._table_env | Settings.environment(usage_table=models.usage.table_name, model_prices=prices),
        )
        access = self._tenant_data("RunStatus", self.run_status)
        access.grant_items(props.runs, write=True)
        access.grant_items(props.tenants, write=True, delete=True)  # an ended run's slot
        access.grant_items(props.step_results)
        access.grant_items(models.usage, write=True)
        props.bus.grant_put_events_to(self.run_status)

        self.audit_writer = self.make_function(
            "AuditWriter",
            "handlers.audit_writer.handler",
            "Writes every bus event to the audit table",
            self._table_env | Settings.environment(event_retention_days=str(props.event_retention_days)),
        )
        self._tenant_data("AuditWriter", self.audit_writer).grant_items(
            props.events_table, read=False, write=True, batch_write=True
        )

        self.execution_ended = self.make_function(
            "ExecutionEnded",
            "handlers.execution_ended.handler",
            "Gives an ended run's slot back, marks an unrecorded end, starts queued runs",
            self._table_env,
        )
        access = self._tenant_data("ExecutionEnded", self.execution_ended)
        access.grant_items(props.runs, write=True)
        access.grant_items(props.tenants, write=True, delete=True)  # an ended run's slot
        props.bus.grant_put_events_to(self.execution_ended)

    def _add_start_run(self, provider_name: dict[str, str]) -> None:
        props, models = self._props, self._props.model_tables
        self.start_run = self.make_function(
            "StartRun",
            "handlers.start_run.handler",
            "Starts a run from an OrchestrationRequested event",
            self._table_env | provider_name | self._model_env,
        )
        access = self._tenant_data("StartRun", self.start_run)
        access.grant_items(props.runs, write=True)
        access.grant_items(props.tenants, write=True, delete=True)  # status and run slots
        access.grant_items(models.tenant_settings)  # the run's estimate
        access.grant_items(models.prompts)  # pinning its prompt versions
        access.grant_items(models.usage)  # what is left of the budget
        props.bus.grant_put_events_to(self.start_run)
        self._screen_requests(self.start_run)

    def _add_api(self, provider_name: dict[str, str]) -> None:
        props, models = self._props, self._props.model_tables
        self.api = self.make_function(
            "Api",
            "handlers.api.handler",
            "The HTTPS API (runs, events, templates, settings, prompts, usage)",
            self._table_env
            | provider_name
            | self._model_env
            | Settings.environment(model_cache_table=models.model_cache.table_name),
        )
        # no item grant of its own: one tenant's items at a time, through the tenant data access role
        self.tenant_data = TenantDataAccess(self, "TenantDataAccess", functions=[self.api], description="API")
        self.tenant_data.grant_items(models.tenant_settings, write=True)
        self.tenant_data.grant_items(models.prompts, write=True)
        self.tenant_data.grant_items(models.usage, write=True)  # budgets
        self.tenant_data.grant_items(models.model_cache, write=True)  # invalidation counters only
        self.tenant_data.grant_items(props.runs, write=True)
        self.tenant_data.grant_items(props.step_results, write=True)  # approval decisions
        self.tenant_data.grant_items(props.events_table)
        self.tenant_data.grant_items(props.commands)  # a run's lineage: the commands of each step
        self.tenant_data.grant_items(props.idempotency, write=True)
        # the tenant's status and limits, its request windows, its run slots (transactions)
        self.tenant_data.grant_items(props.tenants, write=True, delete=True)
        add_settings(self.api, idempotency_table=props.idempotency.table_name)
        if props.fetch_allowed_hosts:  # an archive URL is checked at run start as its fetch checks it
            add_settings(self.api, fetch_allowed_hosts=props.fetch_allowed_hosts)
        props.bus.grant_put_events_to(self.api)
        self._screen_requests(self.api)
        self.tenant_data.grant_uploads(props.workspace)
        if props.vectors is not None:
            self.tenant_data.grant_vectors(props.vectors)  # collection search
            add_settings(self.api, vector_bucket=props.vectors.bucket_name)

    def _tenant_data(self, name: str, function: lambda_.Function) -> TenantDataAccess:
        """The role ``function`` reaches tenant data through, as one tenant at a time."""
        return TenantDataAccess(self, f"{name}TenantData", functions=[function], description=name)

    @staticmethod
    def _vector_env(props: FunctionsProps) -> dict[str, str]:
        return (
            Settings.environment(vector_bucket=props.vectors.bucket_name) if props.vectors is not None else {}
        )

    def _service_env(self, agent: str, props: FunctionsProps) -> dict[str, str]:
        """What an agent's declared services need: the vector bucket, the fetch allowance."""
        services = get_agent(agent).services
        env = self._vector_env(props) if "vectors" in services else {}
        if "fetch" in services and props.fetch_allowed_hosts:
            env |= Settings.environment(fetch_allowed_hosts=props.fetch_allowed_hosts)
        return env

    def _provider_secret(self, provider: ProviderConfig) -> secretsmanager.ISecret | None:
        """The existing secret holding the provider key (name or complete ARN)."""
        if not provider.api_key_secret:
            return None
        return self._secret("ProviderApiKey", provider.api_key_secret)

    def _secret(self, construct_id: str, reference: str) -> secretsmanager.ISecret:
        if reference.startswith("arn:"):
            return secretsmanager.Secret.from_secret_complete_arn(self, construct_id, reference)
        return secretsmanager.Secret.from_secret_name_v2(self, construct_id, reference)

    @staticmethod
    def _served_env(provider: ProviderConfig, further: dict[str, secretsmanager.ISecret]) -> dict[str, str]:
        """What tells a function which providers this deployment serves (never a key)."""
        env: dict[str, str] = {}
        if further:
            arns = {name: secret.secret_arn for name, secret in further.items()}
            env |= Settings.environment(
                provider_secrets=Stack.of(next(iter(further.values()))).to_json_string(arns)
            )
        if provider.bedrock:
            env |= Settings.environment(bedrock_enabled=True)
        if provider.openai_base_url:
            env |= Settings.environment(openai_base_url=provider.openai_base_url)
        if provider.cassette:
            env |= Settings.environment(model_cassette=provider.cassette)
        return env

    def _grant_model_access(
        self, fn: lambda_.Function, provider: ProviderConfig, further: dict[str, secretsmanager.ISecret]
    ) -> None:
        """Keys of further providers, tenants' own keys (their prefix only), Bedrock's Converse."""
        for secret in further.values():
            secret.grant_read(fn)
        stack = Stack.of(self)
        if provider.tenant_keys:
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[
                        stack.format_arn(
                            service="secretsmanager",
                            resource="secret",
                            resource_name=f"{constants.DEFAULT_TENANT_KEY_PREFIX}*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    ],
                )
            )
        if provider.bedrock:
            fn.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["bedrock:InvokeModel"],  # what Converse needs
                    resources=[
                        f"arn:{stack.partition}:bedrock:*::foundation-model/*",
                        stack.format_arn(service="bedrock", resource="inference-profile", resource_name="*"),
                    ],
                )
            )

    def make_function(
        self,
        construct_id: str,
        handler: str,
        description: str,
        environment: dict[str, str],
        *,
        timeout: Duration | None = None,
        memory: int | None = None,
    ) -> lambda_.Function:
        """A function of ``handler`` (``handlers.<name>.handler``), its memory size ``memory`` or its
        handler's (``orchestrator.core.memory_sizes``, the deployment's overrides applied)."""
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            retention=self._props.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        return lambda_.Function(
            self,
            construct_id,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=self._code,
            layers=[self.deps_layer],
            description=description,
            timeout=timeout or Duration.seconds(30),
            memory_size=memory or memory_of(handler.split(".")[1], self._props.memory),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": constants.SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": constants.METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
            }
            | environment,
        )

    def add_token_authorizer(self, jwt_environment: dict[str, str]) -> lambda_.Function:
        """The API's token authorizer (an external issuer's tokens): no grants, only the verifier's
        configuration. Not in ``all_functions``: it puts no events, and a refused token is an error
        of its invocation (that is how API Gateway learns to answer 401), not an alarm."""
        self.token_authorizer = self.make_function(
            "TokenAuthorizer",
            "handlers.authorizer.handler",
            "Verifies the API's Bearer tokens before API Gateway passes a request on",
            jwt_environment,
            timeout=Duration.seconds(10),
        )
        return self.token_authorizer

    @property
    def control_functions(self) -> dict[str, lambda_.Function]:
        """The functions that keep runs moving and answer users, by name (the bulkheads' keys)."""
        return {
            "api": self.api,
            "run_status": self.run_status,
            "approval_gate": self.approval_gate,
            "undo_work": self.undo_work,
            "execution_ended": self.execution_ended,
            "start_run": self.start_run,
            "audit_writer": self.audit_writer,
            "prepare_map": self.prepare_map,
        }

    @property
    def all_functions(self) -> list[lambda_.Function]:
        return [
            *self.agent_functions.values(),
            self.undo_work,
            self.prepare_map,
            self.approval_gate,
            self.run_status,
            self.audit_writer,
            self.execution_ended,
            self.start_run,
            self.api,
        ]
