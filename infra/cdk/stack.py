"""The orchestrator stack: composes the constructs, one per capability."""

from __future__ import annotations

from aws_cdk import CfnOutput, RemovalPolicy, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.cdk.constructs.api import OrchestratorApi
from infra.cdk.constructs.bulkheads import DEFAULT_RESERVATIONS, apply_reservations
from infra.cdk.constructs.event_bus import EventRoutes, OrchestratorBus, bind_event_sources
from infra.cdk.constructs.function_settings import add_settings
from infra.cdk.constructs.functions import (
    AuthConfig,
    FunctionsProps,
    ModelTables,
    OrchestratorFunctions,
    ProviderConfig,
)
from infra.cdk.constructs.observability import OrchestratorObservability
from infra.cdk.constructs.run_events_push import PushTables, RunEventsPush
from infra.cdk.constructs.tables import OrchestratorTables
from infra.cdk.constructs.user_pool import OrchestratorUserPool, jwt_environment
from infra.cdk.constructs.vectors import VectorStorage
from infra.cdk.constructs.web_console import WebConsoleSite
from infra.cdk.constructs.webhooks import WebhookConfig, WebhookDelivery
from infra.cdk.constructs.workflows import TemplateWorkflow
from infra.cdk.constructs.workspace import TenantWorkspace
from orchestrator.core import constants
from orchestrator.templates.graph import TEMPLATES, agent_types


class OrchestratorStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        auth: AuthConfig | None = None,  # an external issuer; None: the stack's user pool signs tokens
        provider: ProviderConfig | None = None,
        retain_data: bool = True,
        event_retention_days: int = constants.DEFAULT_EVENT_RETENTION_DAYS,
        tenant_event_producers: dict[str, list[str]] | None = None,
        fetch_allowed_hosts: str = "",
        reserved_concurrency: dict[str, int] | None = None,
        workspace_access_record: str = "server-access-logs",
        alarm_emails: list[str] | None = None,
        cors_allowed_origins: list[str] | None = None,
        web_console: bool = False,
        webhooks: WebhookConfig | None = None,
        function_memory: dict[str, int] | None = None,  # memory size overrides (core.memory_sizes)
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.removal_policy = removal_policy = RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        self.tables = OrchestratorTables(self, "Tables", removal_policy=removal_policy)
        self.bus = OrchestratorBus(self, "Events")
        self.workspace = TenantWorkspace(
            self, "Workspace", removal_policy=removal_policy, access_record=workspace_access_record
        )
        self.vectors = VectorStorage(self, "Vectors", removal_policy=removal_policy)
        self.functions = self._functions(
            provider or ProviderConfig(), event_retention_days, fetch_allowed_hosts, function_memory or {}
        )
        self.reserved_concurrency = apply_reservations(
            DEFAULT_RESERVATIONS if reserved_concurrency is None else reserved_concurrency,
            named=self.functions.control_functions,
            agents=self.functions.agent_functions,
        )
        self.workflows = self._workflows(construct_id)
        machines = {name: workflow.state_machine for name, workflow in self.workflows.items()}
        self._let_start_runs(machines)
        # the pool exists either way (operators create users in it); it signs the API's tokens
        # unless an external issuer is configured, whose tokens a token authorizer then verifies
        self.users = OrchestratorUserPool(self, "Users", removal_policy=removal_policy)
        token_authorizer = self._authenticate(auth)

        functions, bus = self.functions, self.bus
        self.webhooks = self._webhooks(webhooks or WebhookConfig())
        bind_event_sources(
            bus.bus,
            orchestrator_roles=[fn.role for fn in self.every_function if fn.role is not None],
            tenant_producers=tenant_event_producers or {},
        )
        EventRoutes(
            self,
            "Routes",
            bus=bus.bus,
            audit_writer=functions.audit_writer,
            start_run=functions.start_run,
            execution_ended=functions.execution_ended,
            state_machines=list(machines.values()),
            dead_letters=bus.dead_letters,
            audit_concurrency=self.reserved_concurrency.get(functions.audit_writer.node.path),
        )
        self.api = self._api(token_authorizer, cors_allowed_origins or [], web_console=web_console)
        self.push = self._push(auth)
        self.observability = OrchestratorObservability(
            self,
            "Observability",
            state_machines=machines,
            functions=[*self.every_function, *self.push.functions],
            dead_letters=bus.dead_letters,
            alarm_emails=alarm_emails,
        )
        self.webhooks.alarm_on_disabled_endpoints(self.observability.topic)
        unpushed = (
            "Lifecycle events the push function could not post to clients wait in its dead-letter queue"
        )
        self.observability.alarm_on_dead_letters("push-dead-letters", self.push.dead_letters, unpushed)
        Tags.of(self).add("application", constants.SERVICE_NAME)
        self._outputs(machines)

    def _api(
        self, token_authorizer: lambda_.Function | None, cors_allowed_origins: list[str], *, web_console: bool
    ) -> OrchestratorApi:
        """The HTTPS API, answering browsers of the allowed origins: those configured and, with the
        web console's site (opt-in), the site's own; the site then gets the API's address."""
        functions = self.functions
        self.web_console = WebConsoleSite(self, "WebConsole") if web_console else None
        origins = [self.web_console.origin] if self.web_console else []
        origins += cors_allowed_origins
        if origins:
            add_settings(functions.api, cors_allowed_origins=",".join(origins))
        api = OrchestratorApi(
            self,
            "Api",
            handler=functions.api,
            user_pool=self.users.pool if token_authorizer is None else None,
            token_authorizer=token_authorizer,
            cors_allowed_origins=origins,
        )
        if self.web_console is not None:
            self.web_console.publish(api_url=api.url)
            CfnOutput(self, "WebConsoleUrl", value=self.web_console.url)
        return api

    def _push(self, auth: AuthConfig | None) -> RunEventsPush:
        """The WebSocket API through which clients follow their runs (the API's token verification)."""
        tables = self.tables
        return RunEventsPush(
            self,
            "Push",
            functions=self.functions,
            tables=PushTables(connections=tables.connections, runs=tables.runs, tenants=tables.tenants),
            bus=self.bus.bus,
            jwt_environment=jwt_environment(auth or self.users.auth_config),
            bus_dead_letters=self.bus.dead_letters,
        )

    def _functions(
        self,
        provider: ProviderConfig,
        event_retention_days: int,
        fetch_allowed_hosts: str,
        memory: dict[str, int],
    ) -> OrchestratorFunctions:
        tables = self.tables
        return OrchestratorFunctions(
            self,
            "Functions",
            props=FunctionsProps(
                runs=tables.runs,
                step_results=tables.step_results,
                commands=tables.commands,
                events_table=tables.events,
                idempotency=tables.idempotency,
                tenants=tables.tenants,
                workspace=self.workspace.bucket,
                bus=self.bus.bus,
                agents=agent_types(),
                model_tables=ModelTables(
                    tenant_settings=tables.tenant_settings,
                    prompts=tables.prompts,
                    model_cache=tables.model_cache,
                    usage=tables.usage,
                    circuits=tables.circuits,
                ),
                provider=provider,
                event_retention_days=event_retention_days,
                vectors=self.vectors,
                fetch_allowed_hosts=fetch_allowed_hosts,
                memory=memory,
            ),
        )

    @property
    def every_function(self) -> list[lambda_.Function]:
        """Every function of the stack that puts events (the token authorizer aside)."""
        return [*self.functions.all_functions, self.webhooks.dispatch, self.webhooks.attempt]

    def _webhooks(self, config: WebhookConfig) -> WebhookDelivery:
        """Deliveries to tenants' endpoints; the API registers them (its tenant data role reaches the
        table, its settings say where a URL may point)."""
        functions, table = self.functions, self.tables.webhooks
        webhooks = WebhookDelivery(
            self,
            "Webhooks",
            table=table,
            bus=self.bus.bus,
            dead_letters=self.bus.dead_letters,
            make_function=functions.make_function,
            settings=config.delivery_settings(),
            removal_policy=self.removal_policy,
            retries_name=f"{self.stack_name}-webhook-retries",
        )
        functions.tenant_data.grant_items(table, write=True)
        webhooks.grant_secrets(functions.tenant_data.role, "kms:Encrypt")
        add_settings(
            functions.api,
            webhooks_table=table.table_name,
            webhook_secrets_key=webhooks.secrets_key.key_arn,
            webhook_rotation_grace_seconds=str(config.rotation_grace_seconds),
        )
        for name, value in config.target_settings().items():
            functions.api.add_environment(name, value)
        return webhooks

    def _workflows(self, construct_id: str) -> dict[str, TemplateWorkflow]:
        """One state machine per template."""
        functions = self.functions
        return {
            name: TemplateWorkflow(
                self,
                f"Workflow-{name}",
                template=template,
                agent_functions=dict(functions.agent_functions),
                prepare_map=functions.prepare_map,
                approval_gate=functions.approval_gate,
                undo_work=functions.undo_work,
                run_status=functions.run_status,
                workspace=self.workspace.bucket,
                state_machine_name=f"{construct_id}-{name}",
            )
            for name, template in TEMPLATES.items()
        }

    def _let_start_runs(self, machines: dict[str, sfn.StateMachine]) -> None:
        """The start-run and API functions start executions, and so does the function told of each
        execution's end (it starts the tenant's queued runs); the API also answers task tokens and
        reads executions' histories."""
        functions = self.functions
        machine_arns = self.to_json_string({name: m.state_machine_arn for name, m in machines.items()})
        for starter in (functions.start_run, functions.api, functions.execution_ended):
            add_settings(starter, state_machines=machine_arns)
            for machine in machines.values():
                machine.grant_start_execution(starter)
        # approval decisions and cancels. SendTask* support no resource-level permissions (AWS
        # service authorization reference: no resource types, so Resource "*"); CDK's
        # grant_task_response names the state machine's ARN, a resource the reference does not list
        functions.api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                resources=["*"],
            )
        )
        # a gate re-armed at its reminder or escalation answers its own new token when a person's
        # decision crossed the deadline (orchestrator.runs.gate_deadlines)
        functions.approval_gate.add_to_role_policy(
            iam.PolicyStatement(actions=["states:SendTaskSuccess", "states:SendTaskFailure"], resources=["*"])
        )
        for machine in machines.values():
            machine.grant_execution(functions.api, "states:GetExecutionHistory")  # run timelines

    def _authenticate(self, auth: AuthConfig | None) -> lambda_.Function | None:
        """The API's token settings; the token authorizer of an external issuer (None: the pool's)."""
        functions = self.functions
        jwt_env = jwt_environment(auth or self.users.auth_config)
        for name, value in jwt_env.items():
            functions.api.add_environment(name, value)
        token_authorizer = functions.add_token_authorizer(jwt_env) if auth is not None else None
        if auth is None:  # the pool signs the tokens: a tenant's admins add and disable its users
            add_settings(functions.api, user_pool_id=self.users.pool.user_pool_id)
            self.users.pool.grant(
                functions.api,
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminUserGlobalSignOut",
            )
        return token_authorizer

    def _outputs(self, machines: dict[str, sfn.StateMachine]) -> None:
        tables, bus = self.tables, self.bus
        CfnOutput(self, "ApiUrl", value=self.api.url)
        CfnOutput(self, "WebSocketUrl", value=self.push.url)
        CfnOutput(self, "UserPoolId", value=self.users.pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.users.client.user_pool_client_id)
        CfnOutput(self, "EventBusName", value=bus.bus.event_bus_name)
        CfnOutput(self, "TenantsTableName", value=tables.tenants.table_name)
        CfnOutput(self, "RunsTableName", value=tables.runs.table_name)
        CfnOutput(self, "StepResultsTableName", value=tables.step_results.table_name)
        CfnOutput(self, "WorkspaceBucketName", value=self.workspace.bucket.bucket_name)
        CfnOutput(self, "VectorBucketName", value=self.vectors.bucket_name)
        CfnOutput(self, "DeadLetterQueueUrl", value=bus.dead_letters.queue_url)
        CfnOutput(self, "OperatorAlertsTopicArn", value=self.observability.topic.topic_arn)
        for name, machine in machines.items():
            CfnOutput(self, f"StateMachine{name.title().replace('_', '')}", value=machine.state_machine_arn)
