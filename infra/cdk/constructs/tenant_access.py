"""Tenant data access: the role through which a function reads and writes one tenant's items.

Every partition key of the tenant-facing tables is ``<tenant>`` or ``<tenant>#...``
(``infra/cdk/constructs/tables.py``). The function (the API) holds no item grant on those tables
itself: it assumes this role with the session tag ``tenant_id = <the verified tenant>``
(``orchestrator/tenancy/credentials.py``), and the role allows each table's item actions only where
every leading key is that tag, or begins with it and the key delimiter. So ``acme`` never
reaches ``acme-corp``'s items, and a request built with another tenant's key is refused by IAM.

``DescribeTable`` (and ``Scan``) carry no leading key: ``ForAllValues`` over no keys would
match, so each statement also requires the key to be present (``Null: false``) and the role grants
neither action; the repositories build their tables from names and never describe them.

Only the function's own role may assume the role, and it may tag the session with ``tenant_id``
and no other key (``sts:TagSession``, where IAM reads the request's tags). A session assumed
without the tag has no ``aws:PrincipalTag/tenant_id``: the fence's variable is then undefined and
no statement allows anything. A transaction (``TransactWriteItems``) is authorized item by item
as ``PutItem``/``UpdateItem``/``DeleteItem``/``ConditionCheckItem``, each through the same fence.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.cdk.constructs.grants import ITEM_READ_ACTIONS, ITEM_WRITE_ACTIONS
from orchestrator.adapters.dynamodb_keys import DELIMITER
from orchestrator.core import constants

TAG = constants.TENANT_SESSION_TAG
LEADING_KEYS = [f"${{aws:PrincipalTag/{TAG}}}", f"${{aws:PrincipalTag/{TAG}}}{DELIMITER}*"]
"""The partition keys a tenant's session may use: exactly its id, or its id and the delimiter."""
FENCE = {
    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": LEADING_KEYS},
    "Null": {"dynamodb:LeadingKeys": "false"},
}
TRUST = {
    "StringLike": {f"aws:RequestTag/{TAG}": "??*"},  # tenant ids have at least two characters
    "ForAllValues:StringEquals": {"aws:TagKeys": [TAG]},  # that tag and no other
}
UNFENCEABLE_ACTIONS = frozenset({"dynamodb:DescribeTable", "dynamodb:Scan"})
"""Actions without a leading key: the fence would deny them, so they are not granted at all."""


@dataclass(frozen=True)
class FencedTable:
    table: dynamodb.ITable
    actions: tuple[str, ...]


class TenantDataAccess(Construct):
    """The role ``function`` assumes, tagged with a tenant, for that tenant's items only.

    ``function`` gets the role's ARN in ``TENANT_DATA_ACCESS_ROLE_ARN`` and may assume it (with
    the tag); nothing else may. ``grant_items`` takes the place of ``grants.grant_items``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        assert function.role is not None  # a function made here always has its own role
        caller = iam.ArnPrincipal(function.role.role_arn)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=caller,
            description="Tenant data access: one tenant's DynamoDB items, that tenant named by the "
            f"session tag {TAG}",
            max_session_duration=Duration.hours(1),  # the most a chained role session may last
        )
        assert self.role.assume_role_policy is not None  # a role made with assumed_by has one
        self.role.assume_role_policy.add_statements(
            iam.PolicyStatement(actions=["sts:TagSession"], principals=[caller], conditions=TRUST)
        )
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["sts:AssumeRole", "sts:TagSession"], resources=[self.role.role_arn])
        )
        function.add_environment(constants.ENV_TENANT_DATA_ACCESS_ROLE, self.role.role_arn)
        self.tables: list[FencedTable] = []

    def grant_items(
        self, table: dynamodb.ITable, *, read: bool = True, write: bool = False, delete: bool = False
    ) -> None:
        """What ``grants.grant_items`` would grant the function (``DescribeTable`` aside), fenced."""
        actions = tuple(
            action
            for action in (
                (ITEM_READ_ACTIONS if read else ())
                + (ITEM_WRITE_ACTIONS if write else ())
                + (("dynamodb:DeleteItem",) if delete else ())
            )
            if action not in UNFENCEABLE_ACTIONS
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(actions), resources=[table.table_arn], conditions=FENCE)
        )
        self.tables.append(FencedTable(table, actions))
