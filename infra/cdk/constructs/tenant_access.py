"""Tenant data access: the roles through which functions read and write one tenant's data.

Every partition key of the tenant-facing tables is ``<tenant>`` or ``<tenant>#...``
(``infra/cdk/constructs/tables.py``), every workspace object key begins with ``<tenant>/``, and
every vector index name with ``c-<tenant index key>-`` (``orchestrator/core/vectors.py``). A
function that touches tenant data holds no grant on it itself: it assumes its tenant data access
role with the session tags ``tenant_id = <the tenant it acts for>`` and ``tenant_index = <that
tenant's index key>`` (``orchestrator/tenancy/credentials.py``), and the role allows

- each table's item actions only where every leading key is the ``tenant_id`` tag, or begins
  with it and the key delimiter (``dynamodb:LeadingKeys``): ``acme`` never reaches ``acme-corp``'s
  items;
- object actions only on ``<workspace>/${aws:PrincipalTag/tenant_id}/...`` (tenant ids hold no
  ``/``, ``*`` or ``?``, so the tag cannot widen the prefix), and listing versions only where the
  request's ``s3:prefix`` lies under it;
- vector actions only on ``<vector bucket>/index/c-${aws:PrincipalTag/tenant_index}-*``.

``DescribeTable`` (and ``Scan``) carry no leading key: ``ForAllValues`` over no keys would
match, so each statement also requires the key to be present (``Null: false``) and the roles grant
neither action; the repositories build their tables from names and never describe them.

Only the functions' own roles may assume a role, and they may tag the session with exactly those
two keys (``sts:TagSession``, where IAM reads the request's tags). A role serving one function
trusts that function's role; the role shared by the agent functions (one function per agent type,
too many ARNs for a trust policy's size) trusts the account's principals that carry its caller tag
(``aws:PrincipalTag``), a tag this construct puts on those functions' roles only. A session assumed
without the tags has no ``aws:PrincipalTag/tenant_id``: the fence's variables are then undefined and
no statement allows anything. A transaction (``TransactWriteItems``) is authorized item by item as
``PutItem``/``UpdateItem``/``DeleteItem``/``ConditionCheckItem``, each through the same fence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Duration, Stack, Tags, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.cdk.constructs.grants import ITEM_READ_ACTIONS, ITEM_WRITE_ACTIONS
from infra.cdk.constructs.vectors import VectorStorage
from orchestrator.adapters.dynamodb_keys import DELIMITER
from orchestrator.core import constants
from orchestrator.core.vectors import INDEX_NAME_PREFIX, TENANT_INDEX_KEY_CHARS

TAG = constants.TENANT_SESSION_TAG
INDEX_TAG = constants.TENANT_INDEX_SESSION_TAG
TENANT = f"${{aws:PrincipalTag/{TAG}}}"
LEADING_KEYS = [TENANT, f"{TENANT}{DELIMITER}*"]
"""The partition keys a tenant's session may use: exactly its id, or its id and the delimiter."""
FENCE = {
    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": LEADING_KEYS},
    "Null": {"dynamodb:LeadingKeys": "false"},
}
TRUST = {
    "StringLike": {
        f"aws:RequestTag/{TAG}": "??*",  # tenant ids have at least two characters
        f"aws:RequestTag/{INDEX_TAG}": "?" * TENANT_INDEX_KEY_CHARS,
    },
    "ForAllValues:StringEquals": {"aws:TagKeys": [TAG, INDEX_TAG]},  # those tags and no other
}
CALLER_TAG = "orchestrator:tenant-data-access"
"""The tag on the roles of the functions that share one tenant data access role (the agents')."""
UNFENCEABLE_ACTIONS = frozenset({"dynamodb:DescribeTable", "dynamodb:Scan"})
"""Actions without a leading key: the fence would deny them, so they are not granted at all."""
WORKSPACE_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObjectVersion")
UPLOAD_ACTIONS = ("s3:PutObject", "s3:GetObject")
VECTOR_READ_ACTIONS = (
    "s3vectors:QueryVectors",
    "s3vectors:GetVectors",  # QueryVectors with a metadata filter or returned metadata needs it
)
VECTOR_WRITE_ACTIONS = (
    "s3vectors:GetIndex",
    "s3vectors:CreateIndex",
    "s3vectors:DeleteIndex",
    "s3vectors:PutVectors",
    "s3vectors:DeleteVectors",
)


WILDCARD_REASONS = {
    "objects": "A tenant's objects are created at run time under its own prefix; the session tag "
    "tenant_id (the tenant the function acts for, from its trusted input) names that prefix, and "
    "tenant ids hold no '/', '*' or '?'.",
    "uploads": "A tenant's uploads are presigned and checked at run time under <tenant>/uploads/; "
    "the session tag tenant_id (the verified token's tenant) names the tenant.",
    "indexes": "Vector indexes are created at run time, one per tenant collection, named "
    "c-<tenant index key>-<collection digest>; the session tag tenant_index names the tenant's key "
    "(a fixed 16 hex digits: no tenant's pattern covers another's).",
}


def tenant_objects(bucket: s3.IBucket, prefix: str = "") -> str:
    """The ARN pattern of the session's tenant's objects (under ``prefix`` within its own prefix)."""
    return bucket.arn_for_objects(f"{TENANT}/{prefix}*")


def tenant_indexes(vectors: VectorStorage) -> str:
    """The ARN pattern of the session's tenant's vector indexes."""
    return f"{vectors.bucket_arn}/index/{INDEX_NAME_PREFIX}${{aws:PrincipalTag/{INDEX_TAG}}}-*"


@dataclass(frozen=True)
class FencedTable:
    table: dynamodb.ITable
    actions: tuple[str, ...]


class TenantDataAccess(Construct):
    """The role ``functions`` assume, tagged with a tenant, for that tenant's data only.

    Each function gets the role's ARN in ``TENANT_DATA_ACCESS_ROLE_ARN`` and may assume it (with
    the tags); nothing else may. ``grant_items`` takes the place of ``grants.grant_items``,
    ``grant_workspace`` of ``grants.grant_workspace``, ``grant_uploads`` and ``grant_vectors`` of
    their unfenced forms.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Sequence[lambda_.Function],
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        caller, conditions = self._callers(functions)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=caller.with_conditions(conditions) if conditions else caller,
            description=f"Tenant data access ({description}): one tenant's items, objects and vector "
            f"indexes, that tenant named by the session tag {TAG}",
            max_session_duration=Duration.hours(1),  # the most a chained role session may last
        )
        assert self.role.assume_role_policy is not None  # a role made with assumed_by has one
        self.role.assume_role_policy.add_statements(
            iam.PolicyStatement(
                actions=["sts:TagSession"], principals=[caller], conditions=conditions | TRUST
            )
        )
        for function in functions:
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["sts:AssumeRole", "sts:TagSession"], resources=[self.role.role_arn]
                )
            )
            function.add_environment(constants.ENV_TENANT_DATA_ACCESS_ROLE, self.role.role_arn)
        self.tables: list[FencedTable] = []

    def _callers(
        self, functions: Sequence[lambda_.Function]
    ) -> tuple[iam.PrincipalBase, dict[str, dict[str, str]]]:
        """One function: its role. Several: the account's principals tagged as this role's callers."""
        roles = [function.role for function in functions]
        if any(role is None for role in roles) or not roles:
            raise ValueError("every function given needs its own role")
        if len(roles) == 1:
            return iam.ArnPrincipal(roles[0].role_arn), {}  # type: ignore[union-attr]
        for role in roles:
            Tags.of(role).add(CALLER_TAG, self.node.addr)  # type: ignore[arg-type]
        account = iam.AccountPrincipal(Stack.of(self).account)
        return account, {"StringEquals": {f"aws:PrincipalTag/{CALLER_TAG}": self.node.addr}}

    def grant_items(
        self,
        table: dynamodb.ITable,
        *,
        read: bool = True,
        write: bool = False,
        delete: bool = False,
        batch_write: bool = False,
    ) -> None:
        """What ``grants.grant_items`` would grant the function (``DescribeTable`` aside), fenced;
        ``batch_write``: ``BatchWriteItem`` too (the fence applies to each of its items)."""
        actions = tuple(
            action
            for action in (
                (ITEM_READ_ACTIONS if read else ())
                + (ITEM_WRITE_ACTIONS if write else ())
                + (("dynamodb:DeleteItem",) if delete else ())
                + (("dynamodb:BatchWriteItem",) if batch_write else ())
            )
            if action not in UNFENCEABLE_ACTIONS
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(actions), resources=[table.table_arn], conditions=FENCE)
        )
        self.tables.append(FencedTable(table, actions))

    def grant_workspace(self, bucket: s3.IBucket) -> None:
        """Write the tenant's objects and take back exactly the versions written (undo), nothing more."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(WORKSPACE_ACTIONS), resources=[tenant_objects(bucket)])
        )
        self._acknowledge(f"<{self._logical_id(bucket)}.Arn>/<aws:PrincipalTag/{TAG}>/*", "objects")
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucketVersions"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": f"{TENANT}/*"}},
            )
        )

    def grant_uploads(self, bucket: s3.IBucket) -> None:
        """Presign the tenant's uploads (``PutObject``) and check that they exist."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(UPLOAD_ACTIONS),
                resources=[tenant_objects(bucket, f"{constants.UPLOADS_PREFIX}/")],
            )
        )
        uploads = f"<{self._logical_id(bucket)}.Arn>/<aws:PrincipalTag/{TAG}>/{constants.UPLOADS_PREFIX}/*"
        self._acknowledge(uploads, "uploads")

    def grant_vectors(self, vectors: VectorStorage, *, write: bool = False) -> None:
        """Query the tenant's vector indexes; ``write``: also create, fill, empty and delete them."""
        actions = VECTOR_READ_ACTIONS + (VECTOR_WRITE_ACTIONS if write else ())
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(actions), resources=[tenant_indexes(vectors)])
        )
        bucket = Stack.of(self).get_logical_id(vectors.bucket)
        indexes = f"<{bucket}.VectorBucketArn>/index/{INDEX_NAME_PREFIX}<aws:PrincipalTag/{INDEX_TAG}>-*"
        self._acknowledge(indexes, "indexes")

    def _logical_id(self, bucket: s3.IBucket) -> str:
        return Stack.of(self).get_logical_id(bucket.node.default_child)  # type: ignore[arg-type]

    def _acknowledge(self, resource: str, kind: str) -> None:
        """cdk-nag's wildcard finding on this role's tenant-scoped resource, with its reason."""
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", reason=WILDCARD_REASONS[kind]
            )
        )
