"""The orchestrator stack: composes the constructs, one per capability."""

from __future__ import annotations

from aws_cdk import CfnOutput, RemovalPolicy, Stack, Tags
from constructs import Construct

from infra.cdk.constructs.api import OrchestratorApi
from infra.cdk.constructs.event_bus import EventRoutes, OrchestratorBus, bind_event_sources
from infra.cdk.constructs.functions import (
    AuthConfig,
    FunctionsProps,
    ModelTables,
    OrchestratorFunctions,
    ProviderConfig,
)
from infra.cdk.constructs.observability import OrchestratorObservability
from infra.cdk.constructs.tables import OrchestratorTables
from infra.cdk.constructs.user_pool import OrchestratorUserPool, jwt_environment
from infra.cdk.constructs.vectors import VectorStorage
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
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        tables = OrchestratorTables(
            self, "Tables", removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        )
        bus = OrchestratorBus(self, "Events")
        workspace = TenantWorkspace(
            self, "Workspace", removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        )
        vectors = VectorStorage(
            self, "Vectors", removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        )
        functions = OrchestratorFunctions(
            self,
            "Functions",
            props=FunctionsProps(
                runs=tables.runs,
                step_results=tables.step_results,
                commands=tables.commands,
                events_table=tables.events,
                idempotency=tables.idempotency,
                tenants=tables.tenants,
                workspace=workspace.bucket,
                bus=bus.bus,
                agents=agent_types(),
                model_tables=ModelTables(
                    tenant_settings=tables.tenant_settings,
                    prompts=tables.prompts,
                    model_cache=tables.model_cache,
                    usage=tables.usage,
                    circuits=tables.circuits,
                ),
                provider=provider or ProviderConfig(),
                event_retention_days=event_retention_days,
                vectors=vectors,
                fetch_allowed_hosts=fetch_allowed_hosts,
            ),
        )
        self.workflows = {
            name: TemplateWorkflow(
                self,
                f"Workflow-{name}",
                template=template,
                agent_functions=dict(functions.agent_functions),
                prepare_map=functions.prepare_map,
                approval_gate=functions.approval_gate,
                undo_work=functions.undo_work,
                run_status=functions.run_status,
                workspace=workspace.bucket,
                state_machine_name=f"{construct_id}-{name}",
            )
            for name, template in TEMPLATES.items()
        }
        machines = {name: workflow.state_machine for name, workflow in self.workflows.items()}
        machine_arns = self.to_json_string({name: m.state_machine_arn for name, m in machines.items()})
        for starter in (functions.start_run, functions.api):
            starter.add_environment(constants.ENV_STATE_MACHINES, machine_arns)
            for machine in machines.values():
                machine.grant_start_execution(starter)
        for machine in machines.values():
            machine.grant_task_response(functions.api)  # approval decisions and cancels
        # the pool exists either way (operators create users in it); it signs the API's tokens
        # unless an external issuer is configured, whose tokens a token authorizer then verifies
        self.users = OrchestratorUserPool(
            self, "Users", removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        )
        jwt_env = jwt_environment(auth or self.users.auth_config)
        for name, value in jwt_env.items():
            functions.api.add_environment(name, value)
        token_authorizer = functions.add_token_authorizer(jwt_env) if auth is not None else None
        if auth is None:  # the pool signs the tokens: a tenant's admins add and disable its users
            functions.api.add_environment(constants.ENV_USER_POOL_ID, self.users.pool.user_pool_id)
            self.users.pool.grant(
                functions.api,
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminUserGlobalSignOut",
            )

        bind_event_sources(
            bus.bus,
            orchestrator_roles=[fn.role for fn in functions.all_functions if fn.role is not None],
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
        )
        api = OrchestratorApi(
            self,
            "Api",
            handler=functions.api,
            user_pool=self.users.pool if token_authorizer is None else None,
            token_authorizer=token_authorizer,
        )
        self.api = api
        OrchestratorObservability(
            self,
            "Observability",
            state_machines=machines,
            functions=functions.all_functions,
            dead_letters=bus.dead_letters,
        )
        self.functions = functions
        self.tables = tables
        self.bus = bus
        self.workspace = workspace
        self.vectors = vectors
        Tags.of(self).add("application", constants.SERVICE_NAME)

        CfnOutput(self, "ApiUrl", value=api.url)
        CfnOutput(self, "UserPoolId", value=self.users.pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.users.client.user_pool_client_id)
        CfnOutput(self, "EventBusName", value=bus.bus.event_bus_name)
        CfnOutput(self, "TenantsTableName", value=tables.tenants.table_name)
        CfnOutput(self, "RunsTableName", value=tables.runs.table_name)
        CfnOutput(self, "StepResultsTableName", value=tables.step_results.table_name)
        CfnOutput(self, "WorkspaceBucketName", value=workspace.bucket.bucket_name)
        CfnOutput(self, "VectorBucketName", value=vectors.bucket_name)
        CfnOutput(self, "DeadLetterQueueUrl", value=bus.dead_letters.queue_url)
        for name, machine in machines.items():
            CfnOutput(self, f"StateMachine{name.title().replace('_', '')}", value=machine.state_machine_arn)
