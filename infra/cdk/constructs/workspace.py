"""The tenants' workspace: one versioned S3 bucket, one prefix per tenant, and a record of who
touched which object.

Agents' artifacts live under ``<tenant>/``; a run's own data (large outputs, map manifests)
under ``<tenant>/.runs/<run id>/``. Versioning is what lets compensation restore exactly
what was there before a run: undo deletes the versions the run wrote.

Access record (CDK context ``workspaceAccessRecord``), kept in a separate bucket for 365 days:

- ``server-access-logs`` (the default): S3 server access logs, one line per request (requester,
  operation, key, status). No charge beyond the log objects' storage; delivered within hours,
  best effort (S3 documents that a record may rarely be missing).
- ``cloudtrail``: a trail of the bucket's object-level data events (reads and writes), each with
  the full caller identity (the tenant session's role and ``tenant_id`` tag), delivered within
  minutes; CloudTrail charges per 100,000 data events.
- ``off``: no record beyond the orchestrator's own command log and events.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_s3 as s3
from constructs import Construct

ACCESS_RECORDS = ("server-access-logs", "cloudtrail", "off")
ACCESS_RECORD_DAYS = 365
ACCESS_LOG_PREFIX = "workspace-access/"


def access_record_from_context(value: Any) -> str:
    """``workspaceAccessRecord`` context: one of ``ACCESS_RECORDS`` (default: server access logs)."""
    if value in (None, ""):
        return ACCESS_RECORDS[0]
    if value not in ACCESS_RECORDS:
        raise ValueError(
            f"context workspaceAccessRecord must be one of {', '.join(ACCESS_RECORDS)}, got {value!r}"
        )
    return str(value)


class TenantWorkspace(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        removal_policy: RemovalPolicy,
        access_record: str = ACCESS_RECORDS[0],
    ) -> None:
        super().__init__(scope, construct_id)
        access_record_from_context(access_record)
        # log delivery through the log bucket's policy (ACLs stay disabled, objects owner-enforced)
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        self.access_logs: s3.Bucket | None = None
        if access_record != "off":
            self.access_logs = self._access_log_bucket(removal_policy)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            versioned=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            auto_delete_objects=False,
            server_access_logs_bucket=self.access_logs if access_record == "server-access-logs" else None,
            server_access_logs_prefix=ACCESS_LOG_PREFIX if access_record == "server-access-logs" else None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireOldVersions",
                    noncurrent_version_expiration=Duration.days(90),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
        )
        self.trail: cloudtrail.Trail | None = None
        if access_record == "cloudtrail":
            self.trail = self._data_event_trail()
            self._acknowledge_no_server_logs(
                "Object-level access is recorded by a CloudTrail trail of this bucket's data events "
                "(context workspaceAccessRecord=cloudtrail) instead of server access logs."
            )
        elif access_record == "off":
            self._acknowledge_no_server_logs(
                "The deployment turned the access record off (context workspaceAccessRecord=off); "
                "every write and undo is still in the orchestrator's command log and events."
            )

    def _access_log_bucket(self, removal_policy: RemovalPolicy) -> s3.Bucket:
        logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption log delivery supports
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(id="ExpireRecords", expiration=Duration.days(ACCESS_RECORD_DAYS))
            ],
        )
        Validations.of(logs).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-S1",
                reason="This bucket holds the workspace's access records; logging the log bucket "
                "would record the log deliveries themselves.",
            )
        )
        return logs

    def _data_event_trail(self) -> cloudtrail.Trail:
        trail = cloudtrail.Trail(
            self,
            "DataEvents",
            bucket=self.access_logs,
            s3_key_prefix="workspace-trail",
            include_global_service_events=False,
            is_multi_region_trail=False,
            enable_file_validation=True,
        )
        trail.add_s3_event_selector(
            [cloudtrail.S3EventSelector(bucket=self.bucket)],
            include_management_events=False,
            read_write_type=cloudtrail.ReadWriteType.ALL,
        )
        return trail

    def _acknowledge_no_server_logs(self, reason: str) -> None:
        Validations.of(self.bucket).acknowledge(
            Acknowledgment(id="AwsSolutions::AwsSolutions-S1", reason=reason)
        )
