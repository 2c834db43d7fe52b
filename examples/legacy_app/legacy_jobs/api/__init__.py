"""The FastAPI adapter: validates requests, but also reads and writes business state in Redis
and enqueues on RQ itself."""
