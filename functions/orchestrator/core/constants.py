"""Names shared by infrastructure, functions and tests: environment variables, event names.

Infra (CDK) sets these variables on each function; the functions read them once through
``orchestrator.core.settings``; tests import the same names.
"""

from __future__ import annotations

# --- environment variables -------------------------------------------------------------
ENV_RUNS_TABLE = "RUNS_TABLE_NAME"
ENV_STEP_RESULTS_TABLE = "STEP_RESULTS_TABLE_NAME"
ENV_EVENTS_TABLE = "EVENTS_TABLE_NAME"
ENV_IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE_NAME"
ENV_COMMANDS_TABLE = "COMMANDS_TABLE_NAME"
ENV_EVENT_RETENTION_DAYS = "EVENT_RETENTION_DAYS"  # audit events expire after this many days; 0 keeps them
ENV_WORKSPACE_BUCKET = "WORKSPACE_BUCKET_NAME"
ENV_EVENT_BUS = "EVENT_BUS_NAME"
ENV_STATE_MACHINES = "STATE_MACHINE_ARNS"  # JSON object: template name -> state machine ARN
ENV_AGENT_TYPE = "AGENT_TYPE"
ENV_MODEL_PROVIDER = "MODEL_PROVIDER"
ENV_MODEL_NAME = "MODEL_NAME"
ENV_OPENAI_BASE_URL = "OPENAI_BASE_URL"
ENV_PROVIDER_API_KEY = "PROVIDER_API_KEY"  # plain value (local servers, tests)
ENV_PROVIDER_API_KEY_SECRET = "PROVIDER_API_KEY_SECRET_ARN"  # noqa: S105 - a variable name, not a secret
ENV_PROVIDER_SECRETS = "PROVIDER_SECRETS"  # JSON: {"openai": "<secret arn>", ...} keys of further providers
ENV_TENANT_KEY_PREFIX = "TENANT_KEY_SECRET_PREFIX"  # tenants' own keys: secret "<prefix><tenant>/<provider>"
ENV_BEDROCK_ENABLED = "BEDROCK_ENABLED"  # "1": the agent functions may call Bedrock (IAM, no key)
ENV_MODEL_PRICES = (
    "MODEL_PRICES"  # JSON: {"provider/model-prefix": {"input": .., "output": .., ...}} per 1M tokens
)
ENV_FUNCTION_MEMORY = "FUNCTION_MEMORY"  # JSON: the deployment's memory overrides (core.memory_sizes)
ENV_MODEL_CASSETTE = "MODEL_CASSETTE"  # replay provider / record mode: the cassette file (JSON lines)
ENV_MODEL_CASSETTE_MODE = "MODEL_CASSETTE_MODE"  # "record": calls go to the real provider and are written
ENV_PROVIDER_TIMEOUT_SECONDS = "PROVIDER_TIMEOUT_SECONDS"  # one model HTTP call's limit
ENV_GUARDRAIL_ID = "BEDROCK_GUARDRAIL_ID"  # a Bedrock guardrail screening run requests (none: not used)
ENV_GUARDRAIL_VERSION = "BEDROCK_GUARDRAIL_VERSION"  # its version (default DRAFT)
ENV_MODERATION_TIMEOUT_SECONDS = "MODERATION_TIMEOUT_SECONDS"  # one moderation call's limit
ENV_TENANT_SETTINGS_TABLE = "TENANT_SETTINGS_TABLE_NAME"
ENV_PROMPTS_TABLE = "PROMPTS_TABLE_NAME"
ENV_MODEL_CACHE_TABLE = "MODEL_CACHE_TABLE_NAME"
ENV_USAGE_TABLE = "USAGE_TABLE_NAME"
ENV_CIRCUIT_TABLE = "CIRCUIT_BREAKER_TABLE_NAME"
ENV_USER_POOL_ID = "USER_POOL_ID"  # set where the stack's user pool signs the API's tokens
ENV_TENANTS_TABLE = "TENANTS_TABLE_NAME"  # tenants: status, plan and limits; rate windows; run slots
ENV_RESPONSE_CACHE_TTL_SECONDS = "RESPONSE_CACHE_TTL_SECONDS"
ENV_TENANT_DATA_ACCESS_ROLE = "TENANT_DATA_ACCESS_ROLE_ARN"  # tenant data as one tenant: this role, tagged
TENANT_SESSION_TAG = "tenant_id"  # the session tag naming that tenant (LeadingKeys, the S3 prefix)
TENANT_INDEX_SESSION_TAG = "tenant_index"  # the session tag naming its vector indexes' prefix
ENV_CONNECTIONS_TABLE = "CONNECTIONS_TABLE_NAME"  # WebSocket connections and what each subscribed to
ENV_WEBSOCKET_CALLBACK_URL = "WEBSOCKET_CALLBACK_URL"  # the WebSocket API's @connections endpoint
ENV_JWT_ISSUER = "JWT_ISSUER"
ENV_JWT_AUDIENCE = "JWT_AUDIENCE"
ENV_JWT_JWKS = "JWT_JWKS"  # static JSON key set (public keys only)
ENV_JWT_JWKS_URI = "JWT_JWKS_URI"
ENV_CONSOLE_REGION = "AWS_REGION"
ENV_CORS_ALLOWED_ORIGINS = "CORS_ALLOWED_ORIGINS"  # "https://console.example.com,...": the web console's
ENV_WEBHOOKS_TABLE = "WEBHOOKS_TABLE_NAME"  # tenants' webhook endpoints and their delivery logs
ENV_WEBHOOK_RETRIES = "WEBHOOK_RETRIES_STATE_MACHINE_ARN"  # the state machine retrying a delivery
ENV_WEBHOOK_RETRY_SCHEDULE = "WEBHOOK_RETRY_SCHEDULE"  # seconds between attempts: "5,300,1800,..."
ENV_WEBHOOK_DISABLE_AFTER = "WEBHOOK_DISABLE_AFTER"  # dead letters in a row that disable an endpoint
ENV_WEBHOOK_ALLOWED_HOSTS = "WEBHOOK_ALLOWED_HOSTS"  # "host:port,...": private targets webhooks may reach
ENV_WEBHOOK_ALLOW_LOOPBACK = "WEBHOOK_ALLOW_LOOPBACK"  # "1": the local cloud delivers to this machine
ENV_WEBHOOK_TIMEOUT_SECONDS = "WEBHOOK_TIMEOUT_SECONDS"  # one delivery attempt's limit
ENV_WEBHOOK_SECRETS_KEY = "WEBHOOK_SECRETS_KEY_ARN"  # the KMS key sealing webhook signing secrets
ENV_WEBHOOK_ROTATION_GRACE_SECONDS = "WEBHOOK_ROTATION_GRACE_SECONDS"  # old secret still signs this long

# --- table key attributes (the constructs declare the same names) ----------------------
PK = "pk"
SK = "sk"
TTL_ATTRIBUTE = "expires_at"

# --- events ----------------------------------------------------------------------------
EVENT_SOURCE = "ai.orchestrator"
REQUEST_DETAIL_TYPE = "OrchestrationRequested"
# a tenant's integrations put requests with the source ``<prefix><tenant id>``; the bus policy binds
# each source to that tenant's producer principals, and the tenant of a run is taken from it
TENANT_SOURCE_PREFIX = "orchestrator.tenant."
RUN_REQUEST_REFUSED = "RUN_REQUEST_REFUSED"
NO_RUN = "-"  # the run id of audit events no run belongs to (a refused request to start one)

ORCHESTRATION_QUEUED = "ORCHESTRATION_QUEUED"  # it waits for a slot of its tenant's plan
ORCHESTRATION_STARTED = "ORCHESTRATION_STARTED"
PHASE_STARTED = "PHASE_STARTED"
PHASE_COMPLETED = "PHASE_COMPLETED"
STEP_RETRYING = "STEP_RETRYING"  # an attempt failed with an error the state machine retries
PHASE_FAILED = "PHASE_FAILED"
PHASE_COMPENSATED = "PHASE_COMPENSATED"
ERROR_OCCURRED = "ERROR_OCCURRED"
ORCHESTRATION_COMPLETED = "ORCHESTRATION_COMPLETED"
ORCHESTRATION_COMPENSATED = "ORCHESTRATION_COMPENSATED"
COMPENSATION_FAILED = "COMPENSATION_FAILED"
INTEGRATION_EXECUTED = "INTEGRATION_EXECUTED"
INTEGRATION_REVERTED = "INTEGRATION_REVERTED"
ARTIFACT_WRITTEN = "ARTIFACT_WRITTEN"
COMMAND_UNDONE = "COMMAND_UNDONE"
APPROVAL_REQUESTED = "APPROVAL_REQUESTED"
APPROVAL_REMINDER = "APPROVAL_REMINDER"  # the gate's deadline is near and nobody decided yet
APPROVAL_ESCALATED = "APPROVAL_ESCALATED"  # the deadline passed: the gate's escalation roles decide now
APPROVAL_DEFAULTED = "APPROVAL_DEFAULTED"  # the deadline passed: the gate took its default decision
ORCHESTRATION_REJECTED = "ORCHESTRATION_REJECTED"
ORCHESTRATION_CANCELLED = "ORCHESTRATION_CANCELLED"
USER_ACTION = "USER_ACTION"
BUDGET_THRESHOLD_REACHED = "BUDGET_THRESHOLD_REACHED"
ORCHESTRATION_RESUMED = "ORCHESTRATION_RESUMED"  # in an ended run's trail: a new run resumes it
ORCHESTRATION_REPLAYED = "ORCHESTRATION_REPLAYED"  # in an ended run's trail: a new run replays it
WEBHOOK_ENDPOINT_DISABLED = "WEBHOOK_ENDPOINT_DISABLED"  # deliveries to it kept failing: admins are told

LIFECYCLE_DETAIL_TYPES = (
    RUN_REQUEST_REFUSED,
    ORCHESTRATION_QUEUED,
    ORCHESTRATION_STARTED,
    PHASE_STARTED,
    PHASE_COMPLETED,
    STEP_RETRYING,
    PHASE_FAILED,
    PHASE_COMPENSATED,
    ERROR_OCCURRED,
    ORCHESTRATION_COMPLETED,
    ORCHESTRATION_COMPENSATED,
    COMPENSATION_FAILED,
    INTEGRATION_EXECUTED,
    INTEGRATION_REVERTED,
    ARTIFACT_WRITTEN,
    COMMAND_UNDONE,
    APPROVAL_REQUESTED,
    APPROVAL_REMINDER,
    APPROVAL_ESCALATED,
    APPROVAL_DEFAULTED,
    ORCHESTRATION_REJECTED,
    ORCHESTRATION_CANCELLED,
    USER_ACTION,
    BUDGET_THRESHOLD_REACHED,
    ORCHESTRATION_RESUMED,
    ORCHESTRATION_REPLAYED,
    WEBHOOK_ENDPOINT_DISABLED,
)

# --- push to clients (WebSocket) -------------------------------------------------------
SUBSCRIBE_ACTION = "subscribe"  # {"action": "subscribe", "run_id": "<id>"}; no run_id: every run
CONNECTION_TTL_SECONDS = 3 * 3600  # API Gateway closes a connection after 2 h; its item goes after 3 h

# --- state machines --------------------------------------------------------------------
CATCH_STATE_PREFIX = "Record failure at "  # the state a Catch enters: compensation starts there

# --- observability ---------------------------------------------------------------------
SERVICE_NAME = "ai-orchestrator"
METRICS_NAMESPACE = "AiOrchestrator"
CORRELATION_HEADER = "x-correlation-id"
IDEMPOTENCY_HEADER = "idempotency-key"
# what a browser page on an allowed origin may send and read (CORS)
CORS_REQUEST_HEADERS = ("Authorization", "Content-Type", CORRELATION_HEADER, IDEMPOTENCY_HEADER, "If-Match")
CORS_EXPOSED_HEADERS = (CORRELATION_HEADER, "Location", "Retry-After", "ETag", "Idempotent-Replayed")
CORS_MAX_AGE_SECONDS = 600
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
DEFAULT_EVENT_RETENTION_DAYS = 365

# --- limits ----------------------------------------------------------------------------
MAX_TOPIC_LENGTH = 2000
MAX_SUMMARY_LENGTH = 280
MAX_INLINE_RESULT_BYTES = 32 * 1024  # larger step outputs live in the workspace bucket
MAX_MAP_ITEMS = 10_000
MAX_REQUEST_BODY_BYTES = 64 * 1024  # the largest API request body (a topic is at most a few KiB)
MAX_MAP_CONCURRENCY = 40  # the bulkhead of one map step
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the largest file a tenant may upload for a run (POST /uploads)
UPLOAD_URL_TTL_SECONDS = 900  # how long an upload URL stays valid
UPLOADS_PREFIX = "uploads"  # <tenant>/uploads/<upload id>: files tenants uploaded for their runs
RUN_DATA_PREFIX = ".runs"  # <tenant>/.runs/<run id>/...: a run's own data in the workspace

# --- vector storage (S3 Vectors) -------------------------------------------------------
ENV_VECTOR_BUCKET = "VECTOR_BUCKET"  # the vector bucket holding one index per tenant collection
ENV_FETCH_ALLOWED_HOSTS = (
    "FETCH_ALLOWED_HOSTS"  # "host:port,...": private addresses an archive fetch may reach
)

TOOL_PROVIDER = "none"
"""The provider a tool agent's result names: its output was computed in code, no model was called."""

# --- models: caching, budgets ----------------------------------------------------------
DEFAULT_TENANT_KEY_PREFIX = "orchestrator/tenants/"
DEFAULT_RESPONSE_CACHE_TTL_SECONDS = 7 * 24 * 3600
BUDGET_THRESHOLD_FRACTION = 0.8  # BUDGET_THRESHOLD_REACHED once a month's spend passes this share
MICRO_USD = 1_000_000  # costs are kept as integer micro-dollars in the usage ledger

# --- webhooks (Standard Webhooks) -------------------------------------------------------
DEFAULT_WEBHOOK_RETRY_SCHEDULE = "5,300,1800,7200,18000,36000,50400"
"""Seconds before each retry of a failed delivery (the Standard Webhooks example schedule: 5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 14 h; about 31.5 hours in all), each with +-10% jitter."""
DEFAULT_WEBHOOK_DISABLE_AFTER = 5  # dead-lettered deliveries in a row, none delivered between
DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 15.0
DEFAULT_WEBHOOK_ROTATION_GRACE_SECONDS = 24 * 3600
