"""Constants of the Instantly source: endpoints, limits, defaults, enum labels and the tables'
column contracts (the vendor's OpenAPI document; docs/vendors/instantly.md)."""

from __future__ import annotations

from typing import Any

from sources.common.retries import RetryPolicy
from sources.common.scopes import OperationScopes
from sources.common.tables import BOOL, DOUBLE, ID, INT, JSON, TEXT, TS, Tables
from sources.common.tables import columns as _columns
from sources.common.values import DocumentedValues

SOURCE_NAME = "instantly"  # dlt source and config section
DEFAULT_BASE_URL = "https://api.instantly.ai/api/v2"
KEY_SETTING = "SOURCES__INSTANTLY__API_KEY (or [sources.instantly] api_key)"
BASE_SETTING = f"SOURCES__INSTANTLY__BASE_URL (the API's is {DEFAULT_BASE_URL})"
PAGE_LIMIT = 100  # "limit (max 100)"
# "No more than 100 requests per second" and "6,000 requests per minute", for the workspace;
# `GET /api/v2/emails`: 20 requests a minute. A 429 carries no Retry-After.
WORKSPACE_LIMITS = ((100, 1), (6_000, 60))
EMAILS_LIMIT = (20, 60)
EMAILS_PATH = "/emails"


def _scopes(resource: str, action: str) -> tuple[str, ...]:
    """The vendor's pattern: the scope, its resource's `all`, `all:` the action, `all:all`."""
    return (f"{resource}:{action}", f"{resource}:all", f"all:{action}", "all:all")


# What the vendor's document requires of a key for each operation the source and the actions
# make ("Requires one of the following scopes: ..."; tests/instantly/test_scopes.py holds this
# to it). Its 403 says only "Forbidden": the error names the scopes from here.
SCOPES = OperationScopes({
    "GET /campaigns": _scopes("campaigns", "read"),
    "GET /workspace-group-members": _scopes("workspace_group_members", "read"),
    "GET /campaigns/{id}": _scopes("campaigns", "read"),
    "GET /campaigns/analytics": (),  # the document names none
    "GET /campaigns/analytics/daily": (),
    "GET /campaigns/analytics/steps": (),
    "GET /accounts": _scopes("accounts", "read"),
    "GET /subsequences": _scopes("subsequences", "read"),
    "GET /subsequences/{id}": _scopes("subsequences", "read"),
    "GET /subsequences/analytics": _scopes("subsequences", "read"),
    "POST /leads/list": _scopes("leads", "read"),
    "GET /emails": _scopes("emails", "read"),
    "POST /subsequences/{id}/pause": _scopes("subsequences", "update"),
    "POST /subsequences/{id}/resume": _scopes("subsequences", "update"),
    "POST /campaigns/{id}/pause": _scopes("campaigns", "update"),
    "POST /campaigns/{id}/activate": _scopes("campaigns", "update"),
    "POST /leads/subsequence/move": _scopes("leads", "update"),
    "POST /leads/subsequence/remove": _scopes("leads", "update"),
    "GET /block-lists-entries": _scopes("block_list_entries", "read"),
    "POST /block-lists-entries": _scopes("block_list_entries", "create"),
    "DELETE /block-lists-entries/{id}": _scopes("block_list_entries", "delete"),
    # the listener's registration and gap healing (sources/instantly/webhooks.py)
    "GET /webhooks": (),  # the document names none
    "POST /webhooks": _scopes("webhooks", "create"),
    "DELETE /webhooks/{id}": _scopes("webhooks", "delete"),
    "GET /webhook-events": _scopes("webhook_events", "read"),
})  # fmt: skip
# 8 attempts from 1 s, each wait at most a minute: a 429 without Retry-After backs off to about
# a minute and a half
RETRY = RetryPolicy(max_attempts=8, backoff_initial=1.0, backoff_max=60.0)
BATCH_ROWS = 2_000

# Labels beside the vendor's numeric enums (the document's x-enumDescriptions).
CAMPAIGN_STATUS = {0: "draft", 1: "active", 2: "paused", 3: "completed",
                   4: "running_subsequences", -99: "account_suspended",
                   -1: "accounts_unhealthy", -2: "bounce_protect"}  # fmt: skip
LEAD_STATUS = {1: "active", 2: "paused", 3: "completed", -1: "bounced", -2: "unsubscribed",
               -3: "skipped"}  # fmt: skip
INTEREST = {0: "out_of_office", 1: "interested", 2: "meeting_booked",
            3: "meeting_completed", 4: "won", -1: "not_interested", -2: "wrong_person",
            -3: "lost", -4: "no_show"}  # fmt: skip
VERIFICATION = {1: "verified", 11: "pending", 12: "pending_verification_job", -1: "invalid",
                -2: "risky", -3: "catch_all", -4: "job_change"}  # fmt: skip
EMAIL_TYPE = {1: "sent_from_campaign", 2: "received", 3: "sent", 4: "scheduled"}
ACCOUNT_STATUS = {1: "active", 2: "paused", 3: "maintenance", -1: "connection_error",
                  -2: "soft_bounce_error", -3: "sending_error"}  # fmt: skip
# column -> (label column, labels)
LABELS: dict[str, dict[str, tuple[str, dict[int, str]]]] = {
    "campaigns": {"status": ("status_label", CAMPAIGN_STATUS)},
    "subsequences": {"status": ("status_label", CAMPAIGN_STATUS)},
    "accounts": {"status": ("status_label", ACCOUNT_STATUS)},
    "leads": {"status": ("status_label", LEAD_STATUS),
              "lt_interest_status": ("lt_interest_status_label", INTEREST),
              "verification_status": ("verification_status_label", VERIFICATION)},
    "emails": {"ue_type": ("ue_type_label", EMAIL_TYPE)},
    "campaign_analytics": {"campaign_status": ("campaign_status_label", CAMPAIGN_STATUS)},
}  # fmt: skip

# A row with this column true deletes its key from the table (dlt's hard delete).
REMOVED = BOOL | {"hard_delete": True}
_STEP = {"type": TEXT, "delay": DOUBLE, "delay_unit": TEXT, "subject": TEXT, "body": TEXT,
         "v_disabled": BOOL}  # fmt: skip
_COUNTS = ("sent", "contacted", "new_leads_contacted", "opened", "unique_opened", "replies",
           "unique_replies", "replies_automatic", "unique_replies_automatic", "clicks",
           "unique_clicks", "opportunities", "unique_opportunities")  # fmt: skip
# a campaign's totals (GET /campaigns/analytics)
_CAMPAIGN_COUNTS = ("leads_count", "contacted_count", "emails_sent_count",
                    "new_leads_contacted_count", "open_count", "open_count_unique",
                    "reply_count", "reply_count_unique", "reply_count_automatic",
                    "link_click_count", "link_click_count_unique", "bounced_count",
                    "unsubscribed_count", "completed_count", "total_opportunities")  # fmt: skip
TABLES: dict[str, dict[str, dict[str, Any]]] = {
    "campaigns": _columns(
        id=ID, name=TEXT, status=INT, status_label=TEXT, is_evergreen=BOOL,
        timestamp_created=TS, timestamp_updated=TS, daily_limit=INT, stop_on_reply=BOOL,
        stop_on_auto_reply=BOOL, open_tracking=BOOL, link_tracking=BOOL, email_list=JSON,
        email_tag_list=JSON, pl_value=DOUBLE, not_sending_status=INT, owned_by=TEXT,
        organization=TEXT, ai_sdr_id=TEXT, campaign_schedule=JSON, email_gap=DOUBLE,
        random_wait_max=DOUBLE, text_only=BOOL, first_email_text_only=BOOL, daily_max_leads=INT,
        prioritize_new_leads=BOOL, auto_variant_select=JSON, match_lead_esp=BOOL,
        stop_for_company=BOOL, core_variables=JSON, custom_variables=JSON,
        insert_unsubscribe_header=BOOL, allow_risky_contacts=BOOL, disable_bounce_protect=BOOL,
        limit_emails_per_company_override=JSON, cc_list=JSON, bcc_list=JSON,
        provider_routing_rules=JSON, is_deleted=BOOL,
    ),
    # Steps and variants carry no id: keyed by their parent and zero-based positions, as the
    # vendor's step analytics number them.
    "campaign_steps": _columns(campaign_id=ID, step=INT | {"nullable": False},
                               variant=INT | {"nullable": False}, **_STEP, removed=REMOVED),
    "subsequences": _columns(
        id=ID, parent_campaign=TEXT, workspace=TEXT, name=TEXT, status=INT, status_label=TEXT,
        timestamp_created=TS, timestamp_leads_updated=TS, conditions=JSON,
        subsequence_schedule=JSON, auto_variant_select=JSON, daily_limit_mode=TEXT,
        daily_limit=INT, ignore_account_daily_limit=BOOL, is_deleted=BOOL,
    ),
    "subsequence_steps": _columns(subsequence_id=ID, step=INT | {"nullable": False},
                                  variant=INT | {"nullable": False}, **_STEP, pre_delay=DOUBLE,
                                  pre_delay_unit=TEXT, removed=REMOVED),
    "accounts": _columns(
        email=ID, first_name=TEXT, last_name=TEXT, status=INT, status_label=TEXT,
        warmup_status=INT, provider_code=INT, daily_limit=INT, setup_pending=BOOL,
        is_managed_account=BOOL, organization=TEXT, timestamp_created=TS, timestamp_updated=TS,
        warmup=JSON, added_by=TEXT, daily_limit_max=DOUBLE, warmup_limit_max=DOUBLE,
        modified_by=TEXT, tracking_domain_name=TEXT, tracking_domain_status=TEXT,
        enable_slow_ramp=BOOL, inbox_placement_test_limit=DOUBLE, status_message=JSON,
        timestamp_warmup_start=TS, stat_warmup_score=DOUBLE, sending_gap=DOUBLE, signature=TEXT,
        reply_to=TEXT, autofix_failed=BOOL,
    ),
    "leads": _columns(
        id=ID, timestamp_created=TS, timestamp_updated=TS, organization=TEXT, campaign=TEXT,
        list_id=TEXT, status=INT, status_label=TEXT, email=TEXT, first_name=TEXT,
        last_name=TEXT, company_name=TEXT, company_domain=TEXT, job_title=TEXT, website=TEXT,
        phone=TEXT, personalization=TEXT, email_open_count=INT, email_reply_count=INT,
        email_click_count=INT, email_opened_step=INT, email_opened_variant=INT,
        email_replied_step=INT, email_replied_variant=INT, email_clicked_step=INT,
        email_clicked_variant=INT, lt_interest_status=INT, lt_interest_status_label=TEXT,
        subsequence_id=TEXT, timestamp_added_subsequence=TS, last_step_from=TEXT,
        last_step_id=TEXT, last_step_timestamp_executed=TS, timestamp_last_contact=TS,
        timestamp_last_open=TS, timestamp_last_reply=TS, timestamp_last_click=TS,
        timestamp_last_interest_change=TS, timestamp_last_touch=TS, verification_status=INT,
        verification_status_label=TEXT, enrichment_status=INT, esp_code=INT, esg_code=INT,
        upload_method=TEXT, uploaded_by_user=TEXT, assigned_to=TEXT, status_summary=JSON,
        status_summary_subseq=JSON, payload=JSON, pl_value_lead=TEXT, last_contacted_from=TEXT,
        is_website_visitor=BOOL,
    ),
    # A lead gone from a complete listing: a lead can number a million, so its last row is
    # not kept in state to be flagged in place; its deletion is a row of its own.
    "lead_deletions": _columns(id=ID, deleted_at=TS, restored=REMOVED),
    "emails": _columns(
        id=ID, timestamp_created=TS, timestamp_email=TS, message_id=TEXT, subject=TEXT,
        from_address_email=TEXT, to_address_email_list=TEXT, cc_address_email_list=TEXT,
        campaign_id=TEXT, subsequence_id=TEXT, list_id=TEXT, lead=TEXT, lead_id=TEXT,
        eaccount=TEXT, ue_type=INT, ue_type_label=TEXT, step=TEXT, step_index=INT, is_unread=BOOL,
        is_auto_reply=BOOL, ai_interest_value=DOUBLE, i_status=INT, thread_id=TEXT,
        content_preview=TEXT, body_text=TEXT, body_html=TEXT, bcc_address_email_list=TEXT,
        reply_to=TEXT, organization_id=TEXT, reminder_ts=TS, ai_assisted=INT, is_focused=INT,
        attachment_json=JSON, from_address_json=JSON, to_address_json=JSON, cc_address_json=JSON,
        ai_agent_id=TEXT,
    ),
    "campaign_analytics": _columns(
        campaign_id=ID, campaign_name=TEXT, campaign_status=INT, campaign_status_label=TEXT,
        campaign_is_evergreen=BOOL, **{c: INT for c in _CAMPAIGN_COUNTS},
        total_opportunity_value=DOUBLE, loaded_at=TS,
    ),
    "campaign_analytics_daily": _columns(
        campaign_id=ID, date=TEXT | {"data_type": "date", "nullable": False},
        **{c: INT for c in _COUNTS},
    ),
    # step -1: what the vendor could not attribute to a step (its null)
    "campaign_analytics_steps": _columns(
        campaign_id=ID, step=INT | {"nullable": False}, variant=INT | {"nullable": False},
        **{c: INT for c in _COUNTS if c not in ("contacted", "new_leads_contacted")},
        meetings_booked=INT, won=INT,
    ),
    "subsequence_analytics": _columns(
        subsequence_id=ID, campaign_id=TEXT, emails_sent=INT, unique_opens=INT,
        unique_replies=INT,
    ),
    # The workspace's block list: an email, or a domain (`is_domain`), it sends nothing to
    "block_list_entries": _columns(id=ID, timestamp_created=TS, organization_id=TEXT,
                                   bl_value=TEXT, is_domain=BOOL, removed=REMOVED),
}  # fmt: skip
KEYS: dict[str, str | list[str]] = {
    "campaign_steps": ["campaign_id", "step", "variant"],
    "subsequence_steps": ["subsequence_id", "step", "variant"],
    "accounts": "email",
    "campaign_analytics": "campaign_id",
    "campaign_analytics_daily": ["campaign_id", "date"],
    "campaign_analytics_steps": ["campaign_id", "step", "variant"],
    "subsequence_analytics": "subsequence_id",
}
INSTANTLY_TABLES = Tables(TABLES, KEYS)


# The values the models interpret, as Instantly's document lists them (sources.common.values)
DOCUMENTED_VALUES = (
    DocumentedValues(
        "leads",
        "lt_interest_status",
        (1, 2, 3, 4, 0, -1, -2, -3, -4),
        "Lead.lt_interest_status",
        "not counted as a positive reply",
    ),
    DocumentedValues(
        "emails", "ue_type", (1, 2, 3, 4), "Email.ue_type", "not counted as a send or a reply"
    ),
)
