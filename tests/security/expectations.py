"""The written expectations of the authorization matrix: for every route (URL name), who may
read it and who may write through it. A route that is not here fails the suite, so a new page or
endpoint is born with its rule.

Policies (the same word for GET and for writes; a write outside the rule must never be 2xx):

- PUBLIC: anyone, signed in or not (a wrong token on an API route may still get 401).
- SECRET_LINK: anyone holding the link (the calendar feed's secret is the credential).
- SIGNED_IN: any signed-in user; lists are filtered, which the markers check.
- SESSION_ONLY: a browser session; an API token gets 403 (token management, cases/api/views.py).
- TOKEN_MINT: a session member of the token's association (A); other users 404, tokens 403.
- NOT_ALLOWED: 405 for the signed-in (after the sign-in check: anonymous goes to sign in).
- NOT_ALLOWED_ALL: 405 for everybody (no sign-in check before it).
- CASE_VIEW / CASE_OWN / CASE_CHANGE / CASE_OWN_CHANGE / CASE_PRINT / CASE_REVEAL: the case
  decides: who sees it (own association or share), who sees it as its own association (deadlines,
  shares), who may change it, print it, reveal identities. Not seeing the case: 404, never 403;
  seeing it without the right: 403.
- DOSSIER: the dossiers of A (members of A who see and print the case): others 404.
- PRESET: the dossier presets of A (members of A who print): others 404.
- ACTING_VIEW / ACTING_CHANGE / ACTING_PRINT / ACTING_STATS / ACTING_ADMIN: the association one
  acts for (session: the active one; token: its own) must grant the permission; else 403.
- ANY_STATS: published cross-association figures: any member who may see figures; else 404.
- STATS_A: A's statistics reports: members of A who may see figures; else 404.
- MEMBERS_A: A's member list: A's admins; A's other members 403; others 404.
- ACTING_TEAM: the team view of the association one acts for: its lawyers and admins; else 403.
- DEADLINE_TEAM: reassigning a deadline of A: A's lawyers and admins; A's staff 403; others 404.
- MEMBER_OF_A: acting as A (association switcher): members of A; others 404.
- LINKING_A: A's persons and match decisions: A's lawyers acting for A; A's other members 403 or
  404 (acting for another association); others 404.
- OWN_OBJECT: the owner's own token: the owner; others 404 (API tokens: 403).
- AUDIT: the access log of the association one acts for: its admins; everyone else 404. It names
  the cases read (their reference), which admins may see though they do not read case files.
- LEAD_LAWYER: a victim's data export and erasure (GDPR): the lead association's lawyers; others 404.
- SESSION_NOT_ALLOWED: 405 for a session, 403 for an API token (token management refuses tokens first).
- ADMIN_SITE: the Django admin, for `is_staff` accounts only: nobody here (sign-in page).
"""

from dataclasses import dataclass

PAGE, API = "page", "api"


@dataclass(frozen=True)
class Route:
    kind: str
    get: str
    write: str | None = None
    methods: tuple[str, ...] = ()


def page(get, write="NOT_ALLOWED"):
    return Route(PAGE, get, write, ("POST",))


def api(get, write=None, methods=""):
    return Route(API, get, write, tuple(methods.split()))


ROUTES: dict[str, Route] = {
    # --- public, sign-in, site ---------------------------------------------------------------
    "healthz": Route(PAGE, "PUBLIC", "PUBLIC", ("POST",)),
    "login": Route(PAGE, "PUBLIC", "PUBLIC", ("POST",)),
    "logout": Route(PAGE, "NOT_ALLOWED_ALL", "PUBLIC", ("POST",)),
    "set_language": Route(PAGE, "PUBLIC", "PUBLIC", ("POST",)),
    "schema": Route(API, "PUBLIC", "PUBLIC", ("POST",)),
    "swagger-ui": Route(API, "PUBLIC", "PUBLIC", ("POST",)),
    "redoc": Route(API, "PUBLIC", "PUBLIC", ("POST",)),
    "api-root": api("SIGNED_IN", "NOT_ALLOWED", "POST"),
    "home": page("SIGNED_IN", "SIGNED_IN"),
    "association_switch": page("NOT_ALLOWED", "MEMBER_OF_A"),
    "member_list": page("MEMBERS_A", "MEMBERS_A"),
    "member_mfa_reset": page("NOT_ALLOWED", "MEMBERS_A"),
    "member_add": page("NOT_ALLOWED", "MEMBERS_A"),
    "member_invite": page("NOT_ALLOWED", "MEMBERS_A"),
    "member_invite_resend": page("NOT_ALLOWED", "MEMBERS_A"),
    # The invitation link: its token is the credential; a wrong one shows « lien plus valable ».
    "account_activate": Route(PAGE, "SECRET_LINK", "SECRET_LINK", ("POST",)),
    "member_role_change": page("NOT_ALLOWED", "MEMBERS_A"),
    "member_remove": page("NOT_ALLOWED", "MEMBERS_A"),
    "api_tokens": page("SIGNED_IN", "SIGNED_IN"),
    "api_token_revoke": page("NOT_ALLOWED", "OWN_OBJECT"),
    # --- second factor, access log, victims' rights (GDPR) ------------------------------------------
    "mfa_verify": page("SIGNED_IN", "SIGNED_IN"),
    "mfa_enrol": page("SIGNED_IN", "SIGNED_IN"),
    "mfa_reauth": page("SIGNED_IN", "SIGNED_IN"),
    "account_security": page("SIGNED_IN", "SIGNED_IN"),
    "recovery_codes_regenerate": page("NOT_ALLOWED", "SIGNED_IN"),
    "access_log": page("AUDIT", "AUDIT"),
    "access_log_export": page("AUDIT", "AUDIT"),
    "victim_export": page("LEAD_LAWYER", "LEAD_LAWYER"),
    "victim_erase": page("LEAD_LAWYER", "LEAD_LAWYER"),
    # --- calendar feed ---------------------------------------------------------------------------
    "calendar_page": page("SIGNED_IN"),
    "calendar_token_create": page("NOT_ALLOWED", "SIGNED_IN"),
    "calendar_token_revoke": page("NOT_ALLOWED", "OWN_OBJECT"),
    "calendar_feed": Route(PAGE, "SECRET_LINK", "NOT_ALLOWED_ALL", ("POST",)),
    # --- cases (pages) ---------------------------------------------------------------------------
    "case_list": page("ACTING_VIEW", "ACTING_VIEW"),
    "case_create": page("ACTING_CHANGE", "ACTING_CHANGE"),
    "case_detail": page("CASE_VIEW", "CASE_VIEW"),
    "case_victims": page("CASE_VIEW"),
    # Pickers' search (JSON): for those who fill the case's forms.
    "case_victim_choices": page("CASE_CHANGE"),
    "case_suspect_choices": page("CASE_CHANGE"),
    "case_procedure_choices": page("CASE_CHANGE"),
    "case_history": page("CASE_OWN"),
    "case_timeline": page("CASE_VIEW"),
    "case_prescription": page("CASE_VIEW"),
    "case_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "victim_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "victim_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "victim_identity": page("CASE_REVEAL", "CASE_REVEAL"),
    "suspect_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "suspect_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "exhibit_upload": page("CASE_CHANGE", "CASE_CHANGE"),
    "exhibit_download": page("CASE_VIEW", "CASE_VIEW"),
    "share_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "share_revoke": page("NOT_ALLOWED", "CASE_CHANGE"),
    # --- procedures (pages) ----------------------------------------------------------------------
    "procedure_create": page("CASE_CHANGE", "CASE_CHANGE"),
    "referral_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "procedure_detail": page("CASE_VIEW", "CASE_VIEW"),
    "case_procedure_list": page("CASE_VIEW"),
    "procedure_saved_filter_create": page("NOT_ALLOWED", "CASE_VIEW"),
    "procedure_saved_filter_delete": page("NOT_ALLOWED", "CASE_VIEW"),
    # One form for « Attribuer » (who may change the case: 403 otherwise) and « Exporter » (who
    # reads it); the action is in the body, so the route's rule is the case's view.
    "procedure_bulk": page("NOT_ALLOWED", "CASE_VIEW"),
    "global_search": page("SIGNED_IN"),
    # Reference data (the 168 parquets), the parquet field's search: nothing of any case.
    "parquet_choices": page("SIGNED_IN"),
    "procedure_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "procedure_transfer": page("CASE_CHANGE", "CASE_CHANGE"),
    "hearing_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "decision_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "filing_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "event_add": page("CASE_CHANGE", "CASE_CHANGE"),
    "filing_eligibility": page("CASE_VIEW"),
    "hearing_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "filing_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "referral_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "decision_update": page("CASE_CHANGE", "CASE_CHANGE"),
    "deadline_list": page("ACTING_VIEW", "ACTING_VIEW"),
    "deadline_team": page("ACTING_TEAM"),
    "deadline_reassign": page("DEADLINE_TEAM", "DEADLINE_TEAM"),
    # Linking: the association's lawyers, acting for it (it processes criminal-offence data).
    "linking_review": page("ACTING_CHANGE"),
    "linking_search": page("NOT_ALLOWED", "ACTING_CHANGE"),
    "linking_person": page("LINKING_A"),
    "linking_decide": page("NOT_ALLOWED", "LINKING_A"),
    "linking_withdraw": page("NOT_ALLOWED", "LINKING_A"),
    "linking_procedure_decide": page("NOT_ALLOWED", "LINKING_A"),
    "linking_procedure_withdraw": page("NOT_ALLOWED", "LINKING_A"),
    "deadline_detail": page("CASE_OWN", "CASE_OWN"),
    "deadline_complete": page("NOT_ALLOWED", "CASE_OWN_CHANGE"),
    "deadline_override": page("CASE_OWN_CHANGE", "CASE_OWN_CHANGE"),
    "deadline_cancel": page("CASE_OWN_CHANGE", "CASE_OWN_CHANGE"),
    # --- imports and exports (pages) -------------------------------------------------------------
    "procedure_import": page("CASE_CHANGE", "CASE_CHANGE"),
    "import_job": page("CASE_CHANGE"),
    "import_job_status": page("CASE_CHANGE"),
    "import_job_apply": page("NOT_ALLOWED", "CASE_CHANGE"),
    "import_job_resume": page("NOT_ALLOWED", "CASE_CHANGE"),
    "procedure_export_csv": page("ACTING_VIEW"),
    "procedure_export_xlsx": page("ACTING_VIEW"),
    "deadline_export_csv": page("ACTING_VIEW"),
    "deadline_export_xlsx": page("ACTING_VIEW"),
    # --- dossiers (pages) ------------------------------------------------------------------------
    "dossier_request": page("CASE_PRINT", "CASE_PRINT"),
    "dossier_detail": page("DOSSIER", "DOSSIER"),
    "dossier_status": page("DOSSIER"),
    "dossier_download": page("DOSSIER"),
    # A numbered part of a dossier over the RPVA limit: the rights of the whole download.
    "dossier_download_part": page("DOSSIER"),
    "dossier_preset_delete": page("NOT_ALLOWED", "PRESET"),
    "procedure_dossier_request": page("NOT_ALLOWED", "CASE_PRINT"),
    "hearing_dossier_request": page("NOT_ALLOWED", "CASE_PRINT"),
    "procedure_dossiers_request": page("NOT_ALLOWED", "CASE_PRINT"),
    "dossier_retry": page("NOT_ALLOWED", "DOSSIER"),
    # --- statistics (pages) ----------------------------------------------------------------------
    "statistics_dashboard": page("ACTING_STATS"),
    "statistics_export": page("ACTING_STATS"),
    "statistics_procedures": page("ACTING_STATS"),
    "statistics_run": page("NOT_ALLOWED", "ACTING_ADMIN"),
    "statistics_publications": page("ACTING_STATS", "ACTING_ADMIN"),
    "statistics_publication": page("ANY_STATS"),
    "statistics_report_request": page("ACTING_STATS", "ACTING_STATS"),
    "statistics_report": page("STATS_A"),
    "statistics_report_status": page("STATS_A"),
    "statistics_report_download": page("STATS_A"),
    # --- API: cases --------------------------------------------------------------------------------
    "case-list": api("SIGNED_IN", "ACTING_CHANGE", "POST"),
    "case-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "victim-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "victim-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "suspect-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "suspect-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "exhibit-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "exhibit-detail": api("CASE_VIEW"),
    "exhibit-download": api("CASE_VIEW"),
    "share-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "share-detail": api("CASE_OWN"),
    "share-revoke": api("NOT_ALLOWED", "CASE_OWN_CHANGE", "POST"),
    "token-list": api("SESSION_ONLY", "TOKEN_MINT", "POST"),
    "token-revoke": api("SESSION_NOT_ALLOWED", "OWN_OBJECT", "POST"),
    "platform-list": api("SIGNED_IN"),
    "platform-detail": api("SIGNED_IN"),
    "court-of-appeal-list": api("SIGNED_IN"),
    "court-of-appeal-detail": api("SIGNED_IN"),
    "parquet-list": api("SIGNED_IN"),
    "parquet-detail": api("SIGNED_IN"),
    "offence-list": api("SIGNED_IN"),
    "offence-detail": api("SIGNED_IN"),
    # --- API: procedures ---------------------------------------------------------------------------
    "procedure-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "procedure-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "procedure-eligibility": api("CASE_VIEW"),
    "procedure-transfer": api("NOT_ALLOWED", "CASE_CHANGE", "POST"),
    "referral-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "referral-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "filing-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "filing-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "hearing-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "hearing-detail": api("CASE_VIEW", "CASE_CHANGE", "PUT PATCH"),
    "decision-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "decision-detail": api("CASE_VIEW", "CASE_CHANGE", "PATCH"),
    "event-list": api("SIGNED_IN", "CASE_CHANGE", "POST"),
    "event-detail": api("CASE_VIEW"),
    "deadline-list": api("SIGNED_IN"),
    "deadline-detail": api("CASE_OWN"),
    "deadline-complete": api("NOT_ALLOWED", "CASE_OWN_CHANGE", "POST"),
    "deadline-override": api("NOT_ALLOWED", "CASE_OWN_CHANGE", "POST"),
    "deadline-cancel": api("NOT_ALLOWED", "CASE_OWN_CHANGE", "POST"),
    "case-timeline": api("CASE_VIEW"),
    "import-list": api("NOT_ALLOWED", "CASE_CHANGE", "POST"),
    "import-detail": api("CASE_CHANGE"),
    "procedure-export": api("SIGNED_IN"),
    # --- API: reports --------------------------------------------------------------------------------
    "dossier-list": api("SIGNED_IN", "CASE_PRINT", "POST"),
    "dossier-detail": api("DOSSIER"),
    "dossier-download": api("DOSSIER"),
    "dossier-preset-list": api("SIGNED_IN", "ACTING_PRINT", "POST"),
    "dossier-preset-detail": api("PRESET", "PRESET", "PUT PATCH DELETE"),
    "api_statistics_summary": api("ACTING_STATS"),
}

# Pages that may first send a signed-in user to the second factor or to a fresh sign-in
# (cases/mfa): there, that redirect is an answer as good as the page itself.
SECOND_FACTOR_FIRST = {
    "api_tokens",
    "api_token_revoke",
    "member_mfa_reset",
    "member_add",
    "member_invite",
    "member_invite_resend",
    "member_role_change",
    "member_remove",
    "mfa_verify",
    "mfa_enrol",
    "mfa_reauth",
    "account_security",
    "recovery_codes_regenerate",
}

# Routes whose answers may name case A1 (its reference) to someone who does not read it.
MAY_NAME_THE_CASE = {"access_log", "access_log_export"}

# The Django admin: every route of the site is behind `is_staff`. Listed by registered model, so
# registering a model (or adding an admin page) fails the matrix until it is written down here.
ADMIN_MODELS = [
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "cases.association",
    "cases.membership",
    "cases.platform",
    "cases.courtofappeal",
    "cases.parquet",
    "cases.offence",
    "cases.accesslog",
    "procedures.courtclosure",
    "reports.dossierpreset",
    "reports.dossier",
    "pghistory.events",
]
ADMIN_EXTRA_ROUTES = [
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
    "admin:catch_all",
    "admin:otp_totp_totpdevice_config",
    "admin:otp_totp_totpdevice_qrcode",
    "admin:auth_user_password_change",
]


def admin_routes() -> set[str]:
    routes = set(ADMIN_EXTRA_ROUTES)
    for label in ADMIN_MODELS:
        app, model = label.split(".")
        routes |= {f"admin:{app}_{model}_{view}" for view in ("changelist", "add", "history", "delete", "change")}
        routes.add(f"admin:{app}_{model}_redirect")
    return routes


# --- Personas ----------------------------------------------------------------------------------
# Who asks, and what each may do. About case A1: `view` (reads it, as its association or through a
# share), `own` (reads it as the lead association), `change`, `print`, `reveal` (real identities).
# About association A: `member_a`, `print_a`, `stats_a`, `admin_a`. About the association one acts
# for (a session: the active one; a token: its own): `acting_*`. `any_stats`: figures anywhere.

FLAGS = frozenset(
    {
        *("view", "own", "change", "print", "reveal"),
        *("member_a", "print_a", "stats_a", "admin_a"),
        *("acting_view", "acting_change", "acting_print", "acting_stats", "acting_admin", "any_stats"),
    }
)


@dataclass(frozen=True)
class Persona:
    name: str
    kind: str  # anon, session, token, revoked
    user: str | None = None
    flags: frozenset = frozenset()
    active: str | None = None  # session: the association chosen in the switcher

    def __getattr__(self, flag):
        if flag in FLAGS:
            return flag in self.flags
        raise AttributeError(flag)


def _flags(text: str) -> frozenset:
    flags = frozenset(text.split())
    assert flags <= FLAGS, flags - FLAGS
    return flags


OWNER_LAWYER = (
    "view own change print reveal member_a print_a stats_a "
    "acting_view acting_change acting_print acting_stats any_stats"
)
OWNER_STAFF = "view own print member_a print_a acting_view acting_print"
OWNER_ADMIN = "member_a stats_a admin_a acting_stats acting_admin any_stats"
LAWYER_ELSEWHERE = "acting_view acting_change acting_print acting_stats any_stats"

PERSONAS = [
    Persona("anonymous", "anon"),
    Persona("owner lawyer (A)", "session", "owner", _flags(OWNER_LAWYER)),
    Persona("staff (A)", "session", "staff", _flags(OWNER_STAFF)),
    Persona("admin (A)", "session", "admin", _flags(OWNER_ADMIN)),
    Persona("lawyer of B", "session", "outsider", _flags(LAWYER_ELSEWHERE)),
    # Staff of A and lawyer of B, acting for B: sees A's case as staff (a session spans its
    # memberships), writes nothing in it, acts as B's lawyer elsewhere.
    Persona("staff A + lawyer B, B active", "session", "dual", _flags(OWNER_STAFF + " " + LAWYER_ELSEWHERE), "B"),
    Persona("lawyer of C (read share)", "session", "share_read", _flags("view " + LAWYER_ELSEWHERE)),
    Persona("lawyer of D (read+print share)", "session", "share_print", _flags("view print " + LAWYER_ELSEWHERE)),
    Persona("token A of the lawyer", "token", "tok_owner", _flags(OWNER_LAWYER)),
    Persona("token A of the staff", "token", "tok_staff", _flags(OWNER_STAFF)),
    Persona("token B of staff A + lawyer B", "token", "tok_dual_B", _flags(LAWYER_ELSEWHERE)),
    Persona("token A of the admin", "token", "tok_admin", _flags(OWNER_ADMIN)),
    Persona("token C of the read share", "token", "tok_share_read", _flags("view " + LAWYER_ELSEWHERE)),
    Persona("revoked token", "revoked", "tok_revoked"),
]
ADMIN_PERSONAS = {"anonymous", "owner lawyer (A)", "admin (A)", "token A of the lawyer"}


# --- Expectations --------------------------------------------------------------------------------

WRITE_REFUSALS = {"invalid", "405"}
TOKEN_MANAGEMENT = {"SESSION_ONLY", "TOKEN_MINT", "OWN_OBJECT"}


def _rule(policy: str, p: Persona) -> tuple[bool, set[str]]:
    """(granted, outcomes when not granted)."""
    token = p.kind == "token"
    rules = {
        "SIGNED_IN": (True, set()),
        "SESSION_ONLY": (not token, {"403"}),
        "TOKEN_MINT": (not token and p.member_a, {"403"} if token else {"404"}),
        "CASE_VIEW": (p.view, {"404"}),
        "CASE_OWN": (p.view and p.own, {"404"}),
        "CASE_CHANGE": (p.change, {"403"} if p.view else {"404"}),
        "CASE_OWN_CHANGE": (p.change, ({"403"} if p.own else {"403", "404"}) if p.view else {"404"}),
        "CASE_PRINT": (p.print, {"403"} if p.view else {"404"}),
        "CASE_REVEAL": (p.reveal, {"403"} if p.view else {"404"}),
        "DOSSIER": (p.view and p.own and p.print, {"404"}),
        "PRESET": (p.print_a, {"404"}),
        "ACTING_VIEW": (p.acting_view, {"403"}),
        "ACTING_CHANGE": (p.acting_change, {"403"}),
        "ACTING_PRINT": (p.acting_print, {"403"}),
        "ACTING_STATS": (p.acting_stats, {"403"}),
        "ACTING_ADMIN": (p.acting_admin, {"403"}),
        "ANY_STATS": (p.any_stats, {"404"}),
        "STATS_A": (p.stats_a, {"404"}),
        "MEMBERS_A": (p.admin_a, {"403"} if p.member_a else {"404"}),
        # The team's deadlines: lawyers and admins of the association one acts for (or of A).
        "ACTING_TEAM": (p.acting_change or p.acting_admin, {"403"}),
        "DEADLINE_TEAM": (p.change or p.admin_a, {"403"} if p.member_a else {"404"}),
        "MEMBER_OF_A": (p.member_a, {"404"}),
        # A's persons and pairs: A's lawyers acting for A; A's other members 403 (or 404 when
        # acting for another association, whose persons these are not); others 404.
        "LINKING_A": (p.change and p.own, {"403", "404"} if p.member_a else {"404"}),
        "OWN_OBJECT": (p.user in ("owner", "tok_owner") and not token, {"403"} if token else {"404"}),
        "AUDIT": (p.acting_admin, {"404"}),
        "LEAD_LAWYER": (p.reveal, {"404"}),
    }
    return rules[policy]


def expected(key: str, kind: str, policy: str, persona: Persona, method: str) -> set[str]:
    write = method != "GET"
    if key.startswith("admin:"):
        return {"ok", "405"} if key == "admin:login" else {"login", "ok"} if key == "admin:logout" else {"login"}
    if policy in ("PUBLIC", "SECRET_LINK"):
        allowed = {"ok", "invalid", "405", "login", "403"} if write else {"ok"}
        return allowed | ({"401"} if kind == API and persona.kind == "revoked" else set())
    if policy == "NOT_ALLOWED_ALL":
        return {"405"} | ({"401"} if kind == API and persona.kind == "revoked" else set())
    if kind == PAGE and persona.kind != "session":
        return {"login"}
    if kind == API and persona.kind in ("anon", "revoked"):
        return {"401"}
    if policy == "NOT_ALLOWED":
        return {"405"}
    if policy == "SESSION_NOT_ALLOWED":
        return {"403"} if persona.kind == "token" else {"405", "403"}
    granted, refusals = _rule(policy, persona)
    if kind == PAGE:
        # A redirect to sign in again (second factor, recent sign-in) refuses as well as a 403.
        refusals = refusals | {"login"}
        if granted and key in SECOND_FACTOR_FIRST:
            return {"ok", "login", *WRITE_REFUSALS} if write else {"ok", "login"}
    if kind == API and policy in TOKEN_MANAGEMENT and persona.kind == "session":
        # Token management also asks a session for a recent sign-in (cases/mfa): 403 without it.
        refusals = refusals | {"403"}
        if granted:
            return {"ok", "403", *WRITE_REFUSALS} if write else {"ok", "403"}
    if granted:
        return {"ok", *WRITE_REFUSALS} if write else {"ok"}
    return refusals | (WRITE_REFUSALS if write else set())
