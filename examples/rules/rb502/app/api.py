from app.legacy import legacy_queue


def resend_legacy(tenant: str) -> None:
    legacy_queue().enqueue("app.legacy.resend", tenant)
