"""The web console as a static site (context ``webConsole=true``): a private S3 bucket that only
CloudFront reads (origin access control), over HTTPS, with security headers.

The files are the ones the local cloud serves (``infra/console/static/``), copied at deploy time
with a ``config.json`` naming the stack's API (and its push channel, when the stack has one). The
site's origin (``https://<distribution>.cloudfront.net``) is the one the API answers cross-origin
calls of. ``config.json`` is never cached; every deploy invalidates the copied files.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.console import STATIC_FILES

CONFIG_FILE = "config.json"


class WebConsoleSite(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.DESTROY,  # nothing but copies of the console's files
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    # the API and the push channel are on other origins: https and wss only
                    content_security_policy=(
                        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        "connect-src 'self' https: wss:; base-uri 'none'; form-action 'none'; "
                        "frame-ancestors 'none'"
                    ),
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
            ),
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="AI orchestrator web console",
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
            ),
            additional_behaviors={
                f"/{CONFIG_FILE}": cloudfront.BehaviorOptions(
                    origin=origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    response_headers_policy=self.headers,
                )
            },
        )
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        self.url = f"{self.origin}/"
        self.deployment: s3deploy.BucketDeployment | None = None

    def publish(self, *, api_url: str, websocket_url: str | None = None) -> s3deploy.BucketDeployment:
        """Copy the console's files and its ``config.json`` (``api_url``, ``websocket_url``) to the
        bucket on every deploy, and invalidate them in CloudFront."""
        config = {"api_url": api_url, "websocket_url": websocket_url}
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Publish",
            sources=[
                s3deploy.Source.asset(str(STATIC_FILES)),
                s3deploy.Source.json_data(CONFIG_FILE, config),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            retain_on_delete=False,  # the bucket goes with the stack: its copies too
            memory_limit=256,
        )
        return self.deployment

    @property
    def publisher_function_id(self) -> str:
        """The construct id, in the stack, of the function CDK shares between bucket deployments."""
        stack = Stack.of(self)
        ids = [
            child.node.id
            for child in stack.node.children
            if child.node.id.startswith("Custom::CDKBucketDeployment")
        ]
        if len(ids) != 1:
            raise RuntimeError(f"expected one bucket deployment function, found {ids}")
        return ids[0]
