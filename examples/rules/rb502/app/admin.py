from app.worker import queue_for


def submit_report(tenant: str) -> None:
    queue_for("reports").enqueue("app.reports.build", tenant)
