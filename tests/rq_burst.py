"""rq's SimpleWorker for tests that run queued jobs in this process, without its command
channel: a burst run takes no commands, and stopping the channel's thread can wait out
its 60 s poll (rq 3 with redis-py 8 joins that thread), which made one run in several
take a minute."""

from __future__ import annotations

from rq import SimpleWorker


class BurstWorker(SimpleWorker):
    """SimpleWorker that subscribes to nothing."""

    def subscribe(self) -> None:
        self.pubsub_thread = None

    def unsubscribe(self) -> None:
        pass
