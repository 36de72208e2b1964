"""The access log (journal d'accès) seen by an association's admins, and its retention.

Rows are written by `cases.services.access_log_record` (pages, API) and `access_log_write`
(services, jobs); the table refuses UPDATE and DELETE (trigger `access_log_append_only`), except
for the purge of rows past ACCESS_LOG_RETENTION_MONTHS, which ignores that trigger and logs itself.
"""
