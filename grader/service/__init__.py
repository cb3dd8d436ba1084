"""The answer-checking service (`grader serve`): students submit to a server that alone holds the key.

One module a job: `settings` (what a server process is started with), `course` (the course file),
`tokens` (secrets and their hashes), `tables` (the database's tables), `storage` (engines and
queries), `migrate` (alembic, run at start), `auth` (who is asking), `pipeline` (store, grade, record),
`recall` (results of files sent again), `limits` (request size, rate), `logs` (structured logs),
`routes` (the JSON API), `pages` (the student's web pages), `docs` (OpenAPI pages served locally), `app`
(the ASGI app), `server` (uvicorn), `client` (`grader submit`, standard library only).

The instructor's workspace: `workspace_tables` (decisions, splits, releases, regrades), `classdata`
(the class's latest gradings with the decisions in force), `grouping` (the review queue's answer
groups), `decisions` (the audit log, overrides export and import), `classview` (the batch's class
summary made live), `exports` (grades, Canvas, Moodle, results.jsonl), `regrade` (drafts and
publishing), `release`, `workspace` (what its pages and API share), `instructor_api`,
`instructor_pages`.

Grader internals are reached through `grader.api`, the core's models, overrides and errors,
`grader.render`, `grader.io.overrides` (reading an overrides file) and `grader.batch` (the class
statistics and outputs `grader grade` writes, so both show the same figures).
"""
