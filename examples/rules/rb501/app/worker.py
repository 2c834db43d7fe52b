import rq


def queue_for(name: str) -> rq.Queue:
    return rq.Queue(name)
