"""The local cloud's deployer creates the stack's vector bucket, and the vector store uses it.

The synthesized template's ``AWS::S3Vectors::VectorBucket`` and its ``VectorBucketName`` output
are deployed onto a moto server (with the QueryVectors adaptation), as ``LocalCloud`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.assembly import CloudAssembly
from infra.local.cloud import ACCOUNT_ID
from infra.local.deployer import Deployer, Deployment
from orchestrator.adapters.s3_vectors import S3VectorStore
from orchestrator.core.vectors import VectorRecord
from tests.local_cloud.emulation import REGION, vector_query_server
from tests.synthesized import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, boto3.session.Session]]:
    with vector_query_server() as served:
        yield served


@pytest.fixture(scope="module")
def deployment(
    server: tuple[str, boto3.session.Session], tmp_path_factory: pytest.TempPathFactory
) -> Deployment:
    # the stack's vector bucket and the output naming it, exactly as synthesized
    template = synthesized_template()
    resources = resources_of_type(template, "AWS::S3Vectors::VectorBucket")
    assembly = CloudAssembly(
        outdir=Path(tmp_path_factory.mktemp("assembly")),
        stack_name="LocalVectors",
        template={
            "Resources": resources,
            "Outputs": {"VectorBucketName": template["Outputs"]["VectorBucketName"]},
        },
        asset_paths={},
    )
    endpoint, session = server
    return Deployer(session, endpoint, REGION, ACCOUNT_ID).deploy(assembly)


def test_the_vector_bucket_is_created_and_named_by_the_output(
    server: tuple[str, boto3.session.Session], deployment: Deployment
) -> None:
    # Given the deployed template, Then the output names a vector bucket that exists, encrypted
    name = deployment.outputs["VectorBucketName"]
    endpoint, session = server
    bucket = session.client("s3vectors", endpoint_url=endpoint).get_vector_bucket(vectorBucketName=name)
    assert bucket["vectorBucket"]["encryptionConfiguration"]["sseType"] == "AES256"
    # And Ref and the ARN attribute resolve to the bucket's ARN, as on AWS
    ((logical_id, physical),) = [
        (lid, p) for lid, p in deployment.physical.items() if lid.startswith("Vectors")
    ]
    assert physical["Ref"] == physical["VectorBucketArn"] == bucket["vectorBucket"]["vectorBucketArn"]
    assert physical["VectorBucketArn"].endswith(f":bucket/{name}")
    assert logical_id not in deployment.skipped


def test_the_vector_store_works_on_the_deployed_bucket(
    server: tuple[str, boto3.session.Session], deployment: Deployment
) -> None:
    # Given the vector store on the deployed bucket, through the server
    endpoint, session = server
    client: Any = session.client("s3vectors", endpoint_url=endpoint)
    store = S3VectorStore(deployment.outputs["VectorBucketName"], client=client)

    # When a tenant stores and queries vectors
    store.ensure_index("acme", "repo-1", dimension=2)
    store.put(
        "acme",
        "repo-1",
        [
            VectorRecord(key="a.py", vector=[1.0, 0.0], metadata={"language": "python"}),
            VectorRecord(key="b.go", vector=[0.0, 1.0], metadata={"language": "go"}),
        ],
    )
    matches = store.query("acme", "repo-1", [0.2, 1.0], top_k=2)

    # Then the answer is nearest first with the stored metadata
    assert [m.key for m in matches] == ["b.go", "a.py"]
    assert matches[0].metadata == {"language": "go"}
