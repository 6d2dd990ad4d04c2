"""The tenants' vector collections: one S3 Vectors bucket, one index per (tenant, collection).

Index names are derived from the tenant and the collection at run time
(``orchestrator/repositories/vector_store.py``), so grants cover the bucket's indexes
(``<bucket arn>/index/*``) with exactly the actions the vector store uses. The bucket name is
taken from its ARN (``arn:...:bucket/<name>``): CloudFormation names the bucket.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Fn, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3vectors as s3vectors
from constructs import Construct

READ_ACTIONS = (
    "s3vectors:QueryVectors",
    "s3vectors:GetVectors",  # QueryVectors with a metadata filter or returned metadata needs it
)
WRITE_ACTIONS = (
    "s3vectors:GetIndex",
    "s3vectors:CreateIndex",
    "s3vectors:DeleteIndex",
    "s3vectors:PutVectors",
    "s3vectors:DeleteVectors",
)
INDEXES_REASON = (
    "Vector indexes are created at run time, one per tenant collection, named by a hash of the "
    "tenant and the collection; the grant is limited to this bucket's indexes and the vector "
    "store's own actions (no bucket or policy changes)."
)


class VectorStorage(Construct):
    """``removal_policy``: DESTROY deletes the bucket with the stack only once it has no indexes."""

    def __init__(
        self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3vectors.CfnVectorBucket(
            self,
            "Bucket",
            encryption_configuration=s3vectors.CfnVectorBucket.EncryptionConfigurationProperty(
                sse_type="AES256"
            ),
        )
        self.bucket.apply_removal_policy(removal_policy)
        self.bucket_arn: str = self.bucket.attr_vector_bucket_arn
        self.bucket_name: str = Fn.select(1, Fn.split("/", self.bucket_arn))
        self.indexes_arn: str = f"{self.bucket_arn}/index/*"

    def grant_read(self, fn: lambda_.IFunction) -> None:
        """Query the bucket's indexes (with filters and metadata)."""
        self._grant(fn, READ_ACTIONS)

    def grant_read_write(self, fn: lambda_.IFunction) -> None:
        """Query, and create, fill, empty and delete the bucket's indexes."""
        self._grant(fn, READ_ACTIONS + WRITE_ACTIONS)

    def _grant(self, fn: lambda_.IFunction, actions: tuple[str, ...]) -> None:
        fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[self.indexes_arn]))
        bucket = Stack.of(self).get_logical_id(self.bucket)
        Validations.of(fn).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket}.VectorBucketArn>/index/*]",
                reason=INDEXES_REASON,
            )
        )
