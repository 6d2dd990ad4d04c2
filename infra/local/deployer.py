"""Deploys a cloud assembly's resources onto the emulated AWS, through boto3 only.

Resources are created in dependency order with their intrinsic functions (Ref, GetAtt,
Join, Sub, Select, Split) resolved to local names and ARNs, so the state machines run their
real, CDK-generated definitions. Resources with no local counterpart (API Gateway, which the
local API server replaces; IAM policies, alarms, dashboards, layers) are recorded, not created.

The WebSocket API (``AWS::ApiGatewayV2::*``) is read into a ``WebSocketApiSpec`` (its routes, their
functions and authorizer) that the local WebSocket gateway serves, and a function's variable holding
the API's callback URL (``https://<api id>.execute-api.<region>.amazonaws.com/<stage>``) is pointed
at the gateway's local Management API. SQS event source mappings are recorded for the local queue
pollers (``EventSourceSpec``), not created in moto, which would invoke the function inside the
sender's request.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from infra.local.assembly import CloudAssembly
from infra.local.lambda_runtime import FunctionSpec
from infra.local.websocket_resources import EventSourceSpec, WebSocketApiDeployer, WebSocketApiSpec

NOT_CREATED = {
    "AWS::IAM::Policy": "permissions are not enforced locally",
    "AWS::Lambda::Permission": "invocation permissions are not enforced locally",
    "AWS::Lambda::LayerVersion": "the local runtime uses the installed packages",
    "AWS::ApiGateway::RestApi": "served by the local API server",
    "AWS::ApiGateway::Account": "served by the local API server",
    "AWS::ApiGateway::Deployment": "served by the local API server",
    "AWS::ApiGateway::Stage": "served by the local API server",
    "AWS::ApiGateway::Resource": "served by the local API server",
    "AWS::ApiGateway::Method": "served by the local API server",
    # CORS preflights and the refusals' CORS headers come from the API function locally (api/cors.py)
    "AWS::ApiGateway::GatewayResponse": "the API function's answers carry the console's origin",
    # the local API server hands every request to the API function, which verifies its token itself
    "AWS::ApiGateway::Authorizer": "the API function verifies every token (local signing key)",
    # the local cloud's tokens come from its own signing key (infra/local/tokens.py), not a pool
    "AWS::Cognito::UserPool": "tokens are signed by the local key (infra/local/tokens.py)",
    "AWS::Cognito::UserPoolClient": "tokens are signed by the local key (infra/local/tokens.py)",
    "AWS::SQS::QueuePolicy": "resource policies are not enforced locally",
    "AWS::S3::BucketPolicy": "resource policies are not enforced locally",
    "AWS::CloudWatch::Alarm": "no metrics locally",
    "AWS::CloudTrail::Trail": "no access records locally (nor server access logs)",
    "AWS::CloudWatch::Dashboard": "no metrics locally",
}


@dataclass
class Deployment:
    stack_name: str
    region: str
    account_id: str
    physical: dict[str, dict[str, str]] = field(default_factory=dict)  # logical id -> {"Ref":..., attr:...}
    functions: dict[str, FunctionSpec] = field(default_factory=dict)  # logical id -> spec
    state_machines: dict[str, str] = field(default_factory=dict)  # name -> arn
    skipped: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    websocket: WebSocketApiSpec | None = None
    event_sources: list[EventSourceSpec] = field(default_factory=list)

    def ref(self, logical_id: str) -> str:
        return self.physical[logical_id]["Ref"]


class Resolver:
    def __init__(self, deployment: Deployment) -> None:
        self.d = deployment
        self.pseudo = {
            "AWS::Region": deployment.region,
            "AWS::AccountId": deployment.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": deployment.stack_name,
            "AWS::NoValue": None,
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.pseudo[arg] if arg in self.pseudo else self.d.ref(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.d.physical[logical_id][attribute]
            if key == "Fn::Join":
                delimiter, parts = arg
                return delimiter.join(str(p) for p in self.resolve(parts))
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                delimiter, text = arg
                return str(self.resolve(text)).split(delimiter)
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if name in self.pseudo:
                return str(self.pseudo[name])
            if "." in name:
                logical_id, attribute = name.split(".", 1)
                return self.d.physical[logical_id][attribute]
            return self.d.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


def references(value: Any) -> set[str]:
    """Logical ids a property value depends on."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str) and not arg.startswith("AWS::"):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else arg.split(".")[0])
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {
                    m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text) if not m.startswith("AWS::")
                }
                if not isinstance(arg, str):
                    found |= references(arg[1])
            else:
                found |= references(arg)
    return found


def deployment_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(logical_id: str) -> None:
        if state.get(logical_id) == "done":
            return
        if state.get(logical_id) == "visiting":
            raise RuntimeError(f"dependency cycle at {logical_id}")
        state[logical_id] = "visiting"
        resource = resources[logical_id]
        depends = set(
            resource.get("DependsOn", [])
            if isinstance(resource.get("DependsOn"), list)
            else [resource["DependsOn"]]
            if resource.get("DependsOn")
            else []
        )
        for dependency in sorted((references(resource.get("Properties", {})) | depends) & resources.keys()):
            visit(dependency)
        state[logical_id] = "done"
        order.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return order


class Deployer(WebSocketApiDeployer):
    def __init__(
        self,
        session: Any,
        endpoint_url: str,
        region: str,
        account_id: str,
        *,
        websocket_management_url: str = "",
    ) -> None:
        self._clients: dict[str, Any] = {}
        self._session = session
        self._endpoint = endpoint_url
        self.region = region
        self.account_id = account_id
        self.websocket_management_url = websocket_management_url  # where callback URLs point locally

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._endpoint, region_name=self.region
            )
        return self._clients[service]

    def deploy(self, assembly: CloudAssembly) -> Deployment:
        deployment = Deployment(assembly.stack_name, self.region, self.account_id)
        resolver = Resolver(deployment)
        resources = assembly.resources()
        for logical_id in deployment_order(resources):
            resource = resources[logical_id]
            kind = resource["Type"]
            name = _physical_name(assembly.stack_name, logical_id)
            create = getattr(self, "_" + kind.replace("AWS::", "").replace("::", "_").lower(), None)
            if create is None:
                deployment.skipped[logical_id] = NOT_CREATED.get(kind, f"{kind} has no local counterpart")
                deployment.physical[logical_id] = {"Ref": name, "Arn": f"arn:aws:local:::{name}"}
                continue
            properties = resolver.resolve(resource.get("Properties", {}))
            deployment.physical[logical_id] = create(logical_id, name, properties, assembly, deployment)
        for key, output in assembly.template.get("Outputs", {}).items():
            try:
                deployment.outputs[key] = resolver.resolve(output["Value"])
            except KeyError:
                deployment.outputs[key] = None
        return deployment

    # --- one method per resource type (name = type without "AWS::", lowercased) -----------
    def _dynamodb_table(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        table_name = p.get("TableName", name)
        self.client("dynamodb").create_table(
            TableName=table_name,
            KeySchema=p["KeySchema"],
            AttributeDefinitions=p["AttributeDefinitions"],
            BillingMode=p.get("BillingMode", "PAY_PER_REQUEST"),
        )
        if p.get("TimeToLiveSpecification", {}).get("Enabled"):
            self.client("dynamodb").update_time_to_live(
                TableName=table_name, TimeToLiveSpecification=p["TimeToLiveSpecification"]
            )
        arn = f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{table_name}"
        return {"Ref": table_name, "Arn": arn}

    def _s3_bucket(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        """Bucket names are global on AWS; locally the stack's name keeps them apart."""
        bucket = p.get("BucketName", name.lower().replace("_", "-"))[:63]
        s3 = self.client("s3")
        s3.create_bucket(Bucket=bucket)
        if p.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        arn = f"arn:aws:s3:::{bucket}"
        return {
            "Ref": bucket,
            "Arn": arn,
            "DomainName": f"{bucket}.s3.amazonaws.com",
            "RegionalDomainName": f"{bucket}.s3.{self.region}.amazonaws.com",
        }

    def _s3vectors_vectorbucket(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        """Like S3 buckets, named after the stack locally; Ref is the ARN, as on AWS."""
        bucket = p.get("VectorBucketName") or re.sub(r"[^a-z0-9-]", "-", name.lower())[:63].strip("-")
        kwargs: dict[str, Any] = {"vectorBucketName": bucket}
        encryption = p.get("EncryptionConfiguration")
        if encryption:
            kwargs["encryptionConfiguration"] = {
                key: encryption[prop]
                for prop, key in (("SseType", "sseType"), ("KmsKeyArn", "kmsKeyArn"))
                if prop in encryption
            }
        s3vectors = self.client("s3vectors")
        s3vectors.create_vector_bucket(**kwargs)
        created = s3vectors.get_vector_bucket(vectorBucketName=bucket)["vectorBucket"]
        arn = created["vectorBucketArn"]
        return {"Ref": arn, "VectorBucketArn": arn, "CreationTime": str(created.get("creationTime", ""))}

    def _events_eventbus(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        bus_name = p.get("Name", name)
        arn = self.client("events").create_event_bus(Name=bus_name)["EventBusArn"]
        return {"Ref": bus_name, "Name": bus_name, "Arn": arn}

    def _iam_role(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        role = self.client("iam").create_role(
            RoleName=p.get("RoleName", name)[:64],
            AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]),
        )["Role"]
        return {"Ref": role["RoleName"], "Arn": role["Arn"], "RoleId": role["RoleId"]}

    def _logs_loggroup(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        group = p.get("LogGroupName", f"/local/{name}")
        self.client("logs").create_log_group(logGroupName=group)
        return {"Ref": group, "Arn": f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{group}:*"}

    def _lambda_function(
        self, lid: str, name: str, p: dict[str, Any], assembly: CloudAssembly, deployment: Deployment
    ) -> dict[str, str]:
        function_name = p.get("FunctionName", name)[:64]
        environment = {
            k: self.local_callback_url(str(v), deployment)
            for k, v in p.get("Environment", {}).get("Variables", {}).items()
        }
        code = p["Code"]
        if "S3Key" not in code or code["S3Key"] not in assembly.asset_paths:
            raise RuntimeError(f"{lid}: only asset code is supported locally, got {sorted(code)}")
        response = self.client("lambda").create_function(
            FunctionName=function_name,
            Runtime=p.get("Runtime", "python3.12"),
            Role=p["Role"],
            Handler=p["Handler"],
            Code={"ZipFile": _placeholder_zip()},
            Description=p.get("Description", ""),
            Timeout=int(p.get("Timeout", 3)),
            MemorySize=int(p.get("MemorySize", 128)),
            Environment={"Variables": environment},
        )
        if p.get("ReservedConcurrentExecutions"):  # recorded (GetFunctionConcurrency answers it)
            reserved = int(p["ReservedConcurrentExecutions"])
            self.client("lambda").put_function_concurrency(
                FunctionName=function_name, ReservedConcurrentExecutions=reserved
            )
        deployment.functions[lid] = FunctionSpec(
            name=function_name,
            arn=response["FunctionArn"],
            handler=p["Handler"],
            code_dir=Path(assembly.asset_paths[code["S3Key"]]),
            environment=environment,
            timeout_seconds=int(p.get("Timeout", 3)),
            memory_mb=int(p.get("MemorySize", 128)),
            reserved_concurrency=int(p.get("ReservedConcurrentExecutions") or 0),
        )
        return {"Ref": function_name, "Arn": response["FunctionArn"]}

    def _kms_key(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        metadata = self.client("kms").create_key(Description=p.get("Description", name))["KeyMetadata"]
        return {"Ref": metadata["KeyId"], "Arn": metadata["Arn"], "KeyId": metadata["KeyId"]}

    def _sqs_queue(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        fifo = bool(p.get("FifoQueue"))
        queue_name = p.get("QueueName") or (f"{name[:75]}.fifo" if fifo else name[:80])
        attributes: dict[str, str] = {
            key: str(p[key]).lower() if isinstance(p[key], bool) else str(p[key])
            for key in (
                "FifoQueue",
                "ContentBasedDeduplication",
                "VisibilityTimeout",
                "MessageRetentionPeriod",
            )
            if key in p
        }
        if "RedrivePolicy" in p:
            attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
        url = self.client("sqs").create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
        arn = f"arn:aws:sqs:{self.region}:{self.account_id}:{queue_name}"
        return {"Ref": url, "Arn": arn, "QueueName": queue_name, "QueueUrl": url}

    def _lambda_eventinvokeconfig(
        self, lid: str, name: str, p: dict[str, Any], assembly: CloudAssembly, deployment: Deployment
    ) -> dict[str, str]:
        """Asynchronous retries and on-failure destination, applied by the local runtime."""
        function_name = p["FunctionName"]
        for logical_id, spec in deployment.functions.items():
            if spec.name == function_name:
                deployment.functions[logical_id] = replace(
                    spec,
                    async_retries=int(p.get("MaximumRetryAttempts", 2)),
                    on_failure=p.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
                )
        return {"Ref": f"{function_name}-event-invoke-config"}

    def _stepfunctions_statemachine(
        self, lid: str, name: str, p: dict[str, Any], assembly: CloudAssembly, deployment: Deployment
    ) -> dict[str, str]:
        machine_name = p.get("StateMachineName", name)
        definition = p["DefinitionString"]
        if not isinstance(definition, str):
            definition = json.dumps(definition)
        arn = self.client("stepfunctions").create_state_machine(
            name=machine_name,
            definition=definition,
            roleArn=p["RoleArn"],
            type=p.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        deployment.state_machines[machine_name] = arn
        return {"Ref": arn, "Arn": arn, "Name": machine_name}

    def _events_rule(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        rule_name = p.get("Name", name)[:64]
        bus = p.get("EventBusName", "default")
        kwargs: dict[str, Any] = {"Name": rule_name, "EventBusName": bus, "State": p.get("State", "ENABLED")}
        if "EventPattern" in p:
            kwargs["EventPattern"] = json.dumps(p["EventPattern"])
        if "Description" in p:
            kwargs["Description"] = p["Description"]
        arn = self.client("events").put_rule(**kwargs)["RuleArn"]
        targets = [
            {
                k: v
                for k, v in target.items()
                if k in ("Id", "Arn", "Input", "InputPath", "RetryPolicy", "RoleArn", "SqsParameters")
            }
            for target in p.get("Targets", [])
        ]
        if targets:
            self.client("events").put_targets(Rule=rule_name, EventBusName=bus, Targets=targets)
        return {"Ref": rule_name, "Arn": arn}


def _physical_name(stack_name: str, logical_id: str) -> str:
    return f"{stack_name}-{logical_id}"


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "Code runs from the synthesized asset through the local runtime.\n")
    return buffer.getvalue()
