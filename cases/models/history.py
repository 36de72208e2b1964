import pghistory


def track_changes():
    """History of every insert, update and delete, written by database triggers (pghistory), so
    nothing (not even a raw queryset .update()) writes around it. Each model needs its own tracker
    instances: pghistory binds them to the model."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
