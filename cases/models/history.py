import pghistory


def track_changes(*, level=None):
    """History of every insert, update and delete, written by database triggers (pghistory), so
    nothing (not even a raw queryset .update()) writes around it. Each model needs its own tracker
    instances: pghistory binds them to the model.

    `level=pghistory.Statement` for the tables an import fills by the thousand (procedures, their
    timeline): one trigger call per statement, with its transition table, instead of one per row
    (each row-level call also upserts the pghistory context row)."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), level=level)
