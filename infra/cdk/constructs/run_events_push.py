"""Push to clients: an API Gateway WebSocket API through which a tenant's clients receive the
lifecycle events of their runs as they happen.

- ``$connect``: a Lambda REQUEST authorizer verifies the API's JWT (``token`` query parameter or
  ``Authorization`` header; no identity source, so API Gateway hands it either) and passes the
  caller (tenant, role, subject) to every route of the connection; a refused token is a 401.
- ``$connect``/``$disconnect``/``subscribe``/``$default``: one routes function records connections
  and subscriptions in the tenant-keyed ``Connections`` table, as the caller's tenant (fenced like
  every tenant table); the message routes answer the client (route responses).
- every lifecycle event on the bus goes to a FIFO queue (one message group) read in order by the
  push function, which posts the envelope to the tenant's subscribed connections through the
  Management API (``@connections``) and forgets the ones that are gone (410).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cdk.constructs.functions import OrchestratorFunctions
from infra.cdk.constructs.tenant_access import TenantDataAccess
from orchestrator.core.constants import EVENT_SOURCE, LIFECYCLE_DETAIL_TYPES, SUBSCRIBE_ACTION
from orchestrator.core.settings import Settings

STAGE = "v1"
MESSAGE_GROUP = "lifecycle"  # one group: the queue hands the events on in the order they arrived
PUSH_TIMEOUT_SECONDS = 30
UNAUTHENTICATED_ROUTES_REASON = (
    "API Gateway runs a WebSocket API's authorizer on $connect only; $disconnect and the message "
    "routes belong to a connection that passed it, and their function reads the caller (tenant, "
    "role, subject) from the authorizer's context, never from a message."
)
FIFO_DEAD_LETTERS_REASON = (
    "This queue is itself the dead-letter queue of the push queue (a FIFO queue needs a FIFO one); "
    "an event that could not be pushed waits here with its body."
)
MANAGE_CONNECTIONS_REASON = (
    "Connection ids are assigned by API Gateway at run time: the push function may post to any "
    "connection of this WebSocket API's stages (@connections/*), no other API."
)


@dataclass
class PushTables:
    connections: dynamodb.ITable
    runs: dynamodb.ITable
    tenants: dynamodb.ITable


class RunEventsPush(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: OrchestratorFunctions,
        tables: PushTables,
        bus: events.IEventBus,
        jwt_environment: dict[str, str],
        bus_dead_letters: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.authorizer = functions.make_function(
            "WebSocketAuthorizer",
            "handlers.websocket_authorizer.handler",
            "Verifies the token of a WebSocket connection (query parameter token or Authorization)",
            jwt_environment,
            timeout=Duration.seconds(10),
        )
        self.routes = self._routes_function(functions, tables)
        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            description="AI orchestrator: the lifecycle events of a tenant's runs, as they happen",
            route_selection_expression="$request.body.action",
            connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("ConnectIntegration", self.routes),
                authorizer=authorizers.WebSocketLambdaAuthorizer(
                    "Authorizer", self.authorizer, identity_source=[]
                ),
            ),
            disconnect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("DisconnectIntegration", self.routes)
            ),
            default_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("DefaultIntegration", self.routes),
                return_response=True,
            ),
        )
        self.api.add_route(
            SUBSCRIBE_ACTION,
            integration=integrations.WebSocketLambdaIntegration("SubscribeIntegration", self.routes),
            return_response=True,
        )
        self.stage = self._stage()
        self.push = self._push_function(functions, tables, bus, bus_dead_letters)
        self.url = self.stage.url
        self._acknowledge()

    def _routes_function(self, functions: OrchestratorFunctions, tables: PushTables) -> lambda_.Function:
        routes = functions.make_function(
            "WebSocketRoutes",
            "handlers.websocket_routes.handler",
            "The WebSocket API's routes: $connect, $disconnect, subscribe and anything else",
            Settings.environment(
                connections_table=tables.connections.table_name,
                runs_table=tables.runs.table_name,
                tenants_table=tables.tenants.table_name,
            ),
        )
        access = TenantDataAccess(
            self, "RoutesTenantData", functions=[routes], description="WebSocket routes"
        )
        access.grant_items(tables.connections, write=True, delete=True)
        access.grant_items(tables.runs)  # a subscription names one of the tenant's runs
        access.grant_items(tables.tenants)  # the tenant is active, the user not disabled
        return routes

    def _stage(self) -> apigwv2.WebSocketStage:
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=50, burst_limit=100),
        )
        cfn_stage = stage.node.default_child
        assert isinstance(cfn_stage, apigwv2.CfnStage)
        cfn_stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format=(
                '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                '"requestTime":"$context.requestTime","routeKey":"$context.routeKey",'
                '"status":"$context.status","connectionId":"$context.connectionId",'
                '"eventType":"$context.eventType","error":"$context.error.message"}'
            ),
        )
        return stage

    def _push_function(
        self,
        functions: OrchestratorFunctions,
        tables: PushTables,
        bus: events.IEventBus,
        bus_dead_letters: sqs.IQueue,
    ) -> lambda_.Function:
        push = functions.make_function(
            "PushEvents",
            "handlers.push_events.handler",
            "Posts each lifecycle event to the WebSocket connections subscribed to its run",
            Settings.environment(
                connections_table=tables.connections.table_name,
                websocket_callback_url=self.stage.callback_url,
            ),
            timeout=Duration.seconds(PUSH_TIMEOUT_SECONDS),
        )
        access = TenantDataAccess(self, "PushTenantData", functions=[push], description="push to clients")
        access.grant_items(tables.connections, delete=True)  # read, and forget the gone ones
        self.api.grant_manage_connections(push)
        queue_settings = {
            "fifo": True,
            "enforce_ssl": True,
            "encryption": sqs.QueueEncryption.SQS_MANAGED,
            "retention_period": Duration.days(4),
        }
        self.dead_letters = dead_letters = sqs.Queue(self, "PushDeadLetters", **queue_settings)  # type: ignore[arg-type]
        Validations.of(dead_letters).acknowledge(
            Acknowledgment(id="AwsSolutions::AwsSolutions-SQS3", reason=FIFO_DEAD_LETTERS_REASON)
        )
        self.queue = sqs.Queue(
            self,
            "PushQueue",
            content_based_deduplication=True,  # what EventBridge needs to put on a FIFO queue
            visibility_timeout=Duration.seconds(PUSH_TIMEOUT_SECONDS * 6),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letters),
            **queue_settings,  # type: ignore[arg-type]
        )
        self.rule = events.Rule(
            self,
            "PushEveryEvent",
            event_bus=bus,
            description="Every lifecycle event, in order, to the push function's FIFO queue",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE], detail_type=list(LIFECYCLE_DETAIL_TYPES)
            ),
            targets=[
                targets.SqsQueue(
                    self.queue,
                    message_group_id=MESSAGE_GROUP,
                    retry_attempts=8,
                    dead_letter_queue=bus_dead_letters,
                )
            ],
        )
        push.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)
        )
        return push

    def _acknowledge(self) -> None:
        for route in self.api.node.find_all():
            if isinstance(route, apigwv2.CfnRoute) and route.route_key != "$connect":
                Validations.of(route).acknowledge(
                    Acknowledgment(
                        id="AwsSolutions::AwsSolutions-APIG4", reason=UNAUTHENTICATED_ROUTES_REASON
                    )
                )
        stack = Stack.of(self)
        api_id = stack.get_logical_id(self.api.node.default_child)  # type: ignore[arg-type]
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        resource = f"arn:<AWS::Partition>:execute-api:{region}:{account}:<{api_id}>/*/*/@connections/*"
        Validations.of(self.push).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", reason=MANAGE_CONNECTIONS_REASON
            )
        )

    @property
    def functions(self) -> list[lambda_.Function]:
        return [self.authorizer, self.routes, self.push]
