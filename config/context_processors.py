from .celery import app as celery_app


def runtime(request):
    return {"tasks_run_in_process": bool(celery_app.conf.task_always_eager)}
