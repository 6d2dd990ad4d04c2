"""The grants functions get: exactly the actions the product's code uses, in one place (the functions
construct and the tenant data access role both build on these)."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from orchestrator.core import constants

ITEM_READ_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
ITEM_WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem")


def grant_items(
    table: dynamodb.ITable,
    fn: lambda_.IFunction,
    *,
    read: bool = True,
    write: bool = False,
    delete: bool = False,
) -> None:
    """Exactly the item actions the repositories use: no Scan, no batch calls, DeleteItem only where
    an item is taken back (a tenant's concurrent-run slot)."""
    actions = (
        (ITEM_READ_ACTIONS if read else ())
        + (ITEM_WRITE_ACTIONS if write else ())
        + (("dynamodb:DeleteItem",) if delete else ())
    )
    table.grant(fn, *actions)


def grant_uploads(bucket: s3.IBucket, fn: lambda_.IFunction) -> None:
    """Presign uploads (``PutObject``) and check that they exist, under each tenant's uploads prefix only."""
    fn.add_to_role_policy(
        iam.PolicyStatement(
            actions=["s3:PutObject", "s3:GetObject"],
            resources=[bucket.arn_for_objects(f"*/{constants.UPLOADS_PREFIX}/*")],
        )
    )


def grant_workspace(bucket: s3.IBucket, fn: lambda_.IFunction) -> None:
    """Write objects and take back exactly the versions written (undo), nothing more."""
    fn.add_to_role_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObjectVersion"],
            resources=[bucket.arn_for_objects("*")],
        )
    )
    fn.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:ListBucketVersions"], resources=[bucket.bucket_arn])
    )
