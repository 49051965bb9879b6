"""The worker side: what runs in `quire worker`, never in the API process.

- `jobs`: the job registry, the RQ entry points the API enqueues by dotted name
  (`interactions_api.worker.jobs.build_site`, `.refresh_search`, `.send_mail`) with the
  JSON serializer, so the API never imports this package;
- `buildjob`: the build job (approvals into the content repository, build, publish);
- `records`: what a build leaves behind (its record, closed outbox rows, mails, manifest);
- `search`: the search-index refresh that follows a build;
- `reconcile`: the outbox compared with the queues, at start and then periodically;
- `process` and `rq_resilient`: the worker process and rq's parts made to outlast Redis.
"""
