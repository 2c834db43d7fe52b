import rq


def legacy_queue() -> rq.Queue:
    return rq.Queue("legacy")
