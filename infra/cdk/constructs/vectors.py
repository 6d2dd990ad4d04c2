"""The tenants' vector collections: one S3 Vectors bucket, one index per (tenant, collection).

Index names are derived from the tenant and the collection at run time
(``orchestrator/core/vectors.py``: ``c-<tenant index key>-<collection digest>``), so a tenant data
access role (``tenant_access.py``) allows a session only its own tenant's indexes,
``<bucket arn>/index/c-${aws:PrincipalTag/tenant_index}-*``, with exactly the actions the vector
store uses. The bucket name is taken from its ARN (``arn:...:bucket/<name>``): CloudFormation names
the bucket.
"""

from __future__ import annotations

from aws_cdk import Fn, RemovalPolicy
from aws_cdk import aws_s3vectors as s3vectors
from constructs import Construct


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
